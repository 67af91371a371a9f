"""The workbook's first sheet (the table a county asks for) and its 12-month trend sheet with a chart.

Both print on A4 landscape, one page wide, the header rows repeated on every page; the
chart is a native Excel line chart (openpyxl.chart) over the trend table, so Excel, WPS and
LibreOffice draw it from the cells. The figures are the monthly report's
(storage/reports/coverage.py, storage/reports/trend.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_skeleton

from storage.core.i18n import N_, _, babel_locale, day_text
from storage.register.categories import SHOWN_CATEGORIES, label
from storage.register.policy_text import counting_summary
from storage.reports.coverage import (
    CATEGORY,
    GRID_TOTAL,
    SUBTOTAL_LABEL,
    TOTAL,
    TOTAL_LABEL,
    CoverageRow,
    coverage_rows,
)
from storage.reports.monthly import MonthlyReport
from storage.reports.trend import POLICY_CHANGED

COVERAGE_SHEET = N_("Visit rates")
TREND_SHEET = N_("12-month trend")
COVERAGE_HEADERS = (N_("Village"), N_("Grid"), N_("Category of key person"), N_("Number of key persons"),
                    N_("Visited"), "", N_("Not visited"), N_("Visit rate"))
VISITED_HOW = (N_("In person"), N_("By phone or video"))
COVERAGE_WIDTHS = (16, 18, 18, 10, 11, 13, 10, 10)
RATE_FORMAT = "0.0%"


def month_words(year: int, month: int) -> str:
    """'2026年11月' / 'Nov 2026', as the report's titles write a month."""
    return format_skeleton("yMMM", dt.date(year, month, 1), locale=babel_locale())


def short_month(year: int, month: int) -> str:
    """'2026/1' / '1/2026': a column of the trend, or a point on its chart."""
    return format_skeleton("yM", dt.date(year, month, 1), locale=babel_locale())


def sheet_title(report: MonthlyReport) -> str:
    place = report.grid_name or report.township_name
    return _("Visits to key persons: {place}, {month}").format(place=place, month=month_words(report.year, report.month))


def period_line(report: MonthlyReport) -> str:
    return _("Period: {first} to {last} (report day {day})").format(
        first=day_text(report.first), last=day_text(report.last), day=day_text(report.day))


def policy_line(report: MonthlyReport) -> str:
    if report.is_county:  # which visits count is each township's own rule too
        return _("Computed under: {policy}.").format(policy=report.policy_title())
    return _("Computed under: {policy}. {counting}.").format(policy=report.policy_title(),
                                                            counting=counting_summary(report.policy))


def _landscape_a4(ws, last_column: str, last_row: int, title_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = f"A1:{last_column}{last_row}"
    if title_rows:
        ws.print_title_rows = title_rows


def coverage_cells(r: CoverageRow) -> list[Any]:
    """One row of the table a county asks for, as the workbook and the CSV write it."""
    f = r.figures
    if r.kind == CATEGORY or r.kind == "township_category":
        what = label(SHOWN_CATEGORIES, r.category)
    else:
        what = _(SUBTOTAL_LABEL) if r.kind == GRID_TOTAL else ""
    village = _(TOTAL_LABEL) if r.kind in (TOTAL, "township_category") else r.village
    return [village, r.grid, what, f.key_persons, f.in_person, f.other_ways, f.not_visited, f.visit_rate]


def trend_title(report: MonthlyReport) -> str:
    return _("Visit rate by month: {place}").format(place=report.grid_name or report.township_name)


def add_coverage_sheet(wb, report: MonthlyReport) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    ws = wb.active
    ws.title = _(COVERAGE_SHEET)[:31]
    bold, thin = Font(bold=True), Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([sheet_title(report)])
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:H1")
    for line in (period_line(report), policy_line(report)):
        ws.append([line])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=8)
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[3].height = 30  # the policy line may wrap once
    head = ws.max_row + 1
    ws.append([_(h) if h else "" for h in COVERAGE_HEADERS])
    ws.append(["", "", "", "", *(_(h) for h in VISITED_HOW), "", ""])
    for col in (1, 2, 3, 4, 7, 8):
        ws.merge_cells(start_row=head, start_column=col, end_row=head + 1, end_column=col)
    ws.row_dimensions[head + 1].height = 30  # "by phone or video" may take two lines
    ws.merge_cells(start_row=head, start_column=5, end_row=head, end_column=6)
    for row in ws.iter_rows(min_row=head, max_row=head + 1, max_col=8):
        for cell in row:
            cell.font, cell.alignment, cell.border = bold, centre, box
    n = head + 1
    for r in coverage_rows(report):
        ws.append(coverage_cells(r))
        n += 1  # counted, not max_row (a scan of every cell: quadratic over a county's rows, see files.py)
        # its eight cells by number: ws[n] asks max_column, which scans every cell written so far as well
        # (a county's 2,000 rows: 20 s of the workbook's 45)
        cells = [ws.cell(n, col) for col in range(1, 9)]
        for cell in cells:
            cell.border = box
        cells[7].number_format = RATE_FORMAT
        if r.kind in (GRID_TOTAL, TOTAL):
            for cell in cells:
                cell.font = bold
    ws.append([])
    # (no path to the project's docs on the sheet a clerk signs and files: walk G, 9)
    ws.append([_("Visit rate = visited / key persons. A key person was on the register on some day of the month; "
                 "a case closed in the month counts only if visited before the close.")])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=8)
    ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[ws.max_row].height = 30
    ws.append([])
    ws.append([_("Compiled by: ____________    Checked by: ____________    Date: ____________")])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=8)
    for i, width in enumerate(COVERAGE_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(head + 2, 1)
    _landscape_a4(ws, "H", ws.max_row, f"{head}:{head + 1}")


def add_trend_sheet(wb, report: MonthlyReport) -> Any:
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    trend = report.trend
    ws = wb.create_sheet(_(TREND_SHEET)[:31])
    n = len(trend.months)
    ws.append([trend_title(report)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([policy_line(report)])
    if trend.mixed:  # the line above is the report month's policy, not every month's
        ws.append([_(POLICY_CHANGED)])
    head = ws.max_row + 1
    ws.append([_("Grid")] + [short_month(y, m) for y, m in trend.months])
    for cell in ws[head]:
        cell.font = Font(bold=True)
    last = head
    for row in trend.rows + [trend.total]:
        ws.append([row.label if row.key is not None else _(row.label)] + row.rates)
        last += 1  # counted, not max_row (a scan of every cell, see files.py)
        for i in range(n):
            ws.cell(last, i + 2).number_format = RATE_FORMAT
    for cell in ws[last]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 18
    for i in range(n):
        ws.column_dimensions[get_column_letter(i + 2)].width = 10
    chart = LineChart()
    chart.title = _("Visit rate by month")
    chart.y_axis.title = _("Visit rate")
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.x_axis.delete = chart.y_axis.delete = False  # newer Excel hides axes openpyxl leaves unset
    chart.height, chart.width = 14, 26
    chart.legend.position = "r"
    data = Reference(ws, min_col=1, max_col=n + 1, min_row=head + 1, max_row=last)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=n + 1, min_row=head, max_row=head))
    for series in chart.series:
        series.smooth = False  # a rate per month: straight lines between the points, not curves
    total = chart.series[-1]
    total.graphicalProperties.line.width = 44450  # the total: a thick dark line (EMU)
    total.graphicalProperties.line.solidFill = "1F1F1F"
    anchor = last + 2
    ws.add_chart(chart, f"A{anchor}")
    ws.row_breaks.append(Break(id=last + 1))  # the chart prints on a page of its own
    ws.freeze_panes = ws.cell(head + 1, 2)
    _landscape_a4(ws, get_column_letter(n + 1), anchor + 30, f"{head}:{head}")  # 14 cm: about 28 rows
    return chart

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
from storage.reports.cell_safety import xlsx_value
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
from storage.reports.xlsx_cells import merge, safe_row, styled

COVERAGE_SHEET = N_("Visit rates")
TREND_SHEET = N_("12-month trend")
COVERAGE_HEADERS = (N_("Village"), N_("Grid"), N_("Category of key person"), N_("Number of key persons"),
                    N_("Visited"), "", N_("Not visited"), N_("Visit rate"))
VISITED_HOW = (N_("In person"), N_("By phone or video"))
COVERAGE_WIDTHS = (16, 18, 18, 10, 11, 13, 10, 10)
RATE_FORMAT = "0.0%"


def month_words(year: int, month: int) -> str:
    """'2026年11月' / 'Nov 2026', as the report's titles write a month (and the trend's rows, in files and on
    screen: Babel's short '2026/1' was read as a date)."""
    return format_skeleton("yMMM", dt.date(year, month, 1), locale=babel_locale())


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
    """Before the sheet's first row: fit to page is a property written ahead of the rows."""
    from openpyxl.worksheet.worksheet import Worksheet

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # (a streamed sheet has not the constant)
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
    """The first sheet, streamed (storage/reports/xlsx_cells.py: its layout is set before its rows)."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(_(COVERAGE_SHEET)[:31])
    bold, thin = Font(bold=True), Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top_left = Alignment(wrap_text=True, vertical="top")
    rows = list(coverage_rows(report))
    head = 4  # after the title, the period and the policy
    note = head + 2 + len(rows) + 1  # the definition of the rate, after a blank row
    last = note + 2  # the line to sign
    for i, width in enumerate(COVERAGE_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{head + 2}"
    _landscape_a4(ws, "H", last, f"{head}:{head + 1}")
    ws.row_dimensions[3].height = 30  # the policy line may wrap once
    ws.row_dimensions[head + 1].height = 30  # "by phone or video" may take two lines
    ws.row_dimensions[note].height = 30
    ws.append([styled(ws, sheet_title(report), font=Font(bold=True, size=14),
                      alignment=Alignment(horizontal="center"))])
    for line in (period_line(report), policy_line(report)):
        ws.append([styled(ws, line, alignment=top_left)])
    for row in (1, 2, 3, note, last):
        merge(ws, row, 1, row, 8)
    for col in (1, 2, 3, 4, 7, 8):
        merge(ws, head, col, head + 1, col)
    merge(ws, head, 5, head, 6)
    # a merged range's other cells hold nothing, each boxed and bold as the one shown
    ws.append([styled(ws, _(h) if h else None, font=bold, alignment=centre, border=box) for h in COVERAGE_HEADERS])
    ws.append([styled(ws, _(VISITED_HOW[col - 5]) if col in (5, 6) else None, font=bold, alignment=centre,
                      border=box) for col in range(1, 9)])
    for r in rows:
        font = bold if r.kind in (GRID_TOTAL, TOTAL) else None
        values = coverage_cells(r)
        ws.append([styled(ws, v, border=box, font=font, number_format=RATE_FORMAT if col == 7 else None)
                   for col, v in enumerate(values)])
    ws.append([])
    # (no path to the project's docs on the sheet a clerk signs and files: walk G, 9)
    ws.append([styled(ws, _("Visit rate = visited / key persons. A key person was on the register on some day of "
                            "the month; a case closed in the month counts only if visited before the close."),
                      alignment=top_left)])
    ws.append([])
    ws.append(safe_row(ws, [_("Compiled by: ____________    Checked by: ____________    Date: ____________")]))


def add_trend_sheet(wb, report: MonthlyReport) -> Any:
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    trend = report.trend
    ws = wb.create_sheet(_(TREND_SHEET)[:31])
    n = len(trend.months)
    bold = Font(bold=True)
    lines = [policy_line(report)] + ([_(POLICY_CHANGED)] if trend.mixed else [])  # (the line above is the report
    head = 2 + len(lines)  # month's policy, not every month's)
    rows = trend.rows + [trend.total]
    last = head + len(rows)
    anchor = last + 2
    from storage.reports.files import display_width

    # a column's month as the report's titles write one (2026年1月, Jan 2026): Babel's short "2026/1" read as a date
    months = [month_words(y, m) for y, m in trend.months]
    ws.column_dimensions["A"].width = 18
    for i, month in enumerate(months):
        ws.column_dimensions[get_column_letter(i + 2)].width = max(10, display_width(month) + 2)
    ws.freeze_panes = f"B{head + 1}"
    _landscape_a4(ws, get_column_letter(n + 1), anchor + 30, f"{head}:{head}")  # 14 cm: about 28 rows
    ws.append([styled(ws, trend_title(report), font=Font(bold=True, size=13))])
    for line in lines:
        ws.append(safe_row(ws, [line]))
    ws.append([styled(ws, v, font=bold) for v in [_("Grid")] + months])
    for row in rows:
        font = bold if row is trend.total else None
        values = [row.label if row.key is not None else _(row.label)] + row.rates
        values += [None] * (n + 1 - len(values))  # every month's cell a rate, read or not
        ws.append([styled(ws, v, font=font, number_format=RATE_FORMAT if 1 <= col <= n else None)
                   if font is not None or 1 <= col <= n else xlsx_value(ws, v) for col, v in enumerate(values)])
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
    ws.add_chart(chart, f"A{anchor}")
    ws.row_breaks.append(Break(id=last + 1))  # the chart prints on a page of its own
    return chart

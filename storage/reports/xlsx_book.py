"""The monthly report as one XLSX workbook, streamed sheet by sheet (storage/reports/xlsx_cells.py).

Its sheets, in order: the table a county asks for and the 12-month trend (storage/reports/xlsx_sheets.py),
the summary, one sheet per list, the six-dimension assessment (storage/reports/followup_files.py). The
column layout of the lists is files.LIST_COLUMNS, shared with the CSV files and the screens.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from storage.core.collector import collector_paused
from storage.core.files import atomic_writer
from storage.core.i18n import _
from storage.reports.cell_safety import xlsx_value
from storage.reports.files import (
    DEFINITIONS,
    LIST_COLUMNS,
    SUMMARY_MEASURES,
    cell_value,
    display_width,
    notes,
    summary_cells,
    summary_headers,
    title,
)
from storage.reports.monthly import LISTS, MonthlyReport, Progress
from storage.reports.xlsx_cells import close_unsaved, safe_row, save_workbook, set_widths, styled
from storage.reports.xlsx_sheets import add_coverage_sheet, add_trend_sheet, policy_line

DATE_FORMAT = "yyyy-mm-dd"


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return 7
    if isinstance(value, dt.date):
        return 10
    return display_width(str(value))


@collector_paused()  # (a county's workbook: 800,000 cells; storage/core/collector.py)
def write_workbook(report: MonthlyReport, path: Path, *, full_ids: bool = False,
                   progress: Progress | None = None) -> None:
    """`progress(done, total)`: after the tables, each list, the assessments, and the file written."""
    from openpyxl import Workbook  # deferred, as all of openpyxl: only when an .xlsx is written

    step, total = progress or (lambda done, total: None), len(LISTS) + 3
    wb = Workbook(write_only=True)
    try:
        add_coverage_sheet(wb, report)  # the first sheet: the table a county asks for
        _add_summary_sheet(wb, report)
        add_trend_sheet(wb, report)
        step(1, total)
        for done, name in enumerate(LISTS, start=2):
            _add_list_sheet(wb, report, name, full_ids)
            step(done, total)
        from storage.reports.followup_files import add_assessment_sheet

        add_assessment_sheet(wb, report)
        step(total - 1, total)
        with atomic_writer(Path(path)) as fh:
            save_workbook(wb, fh)
    except BaseException:
        close_unsaved(wb)
        raise
    step(total, total)


def _add_summary_sheet(wb: Any, report: MonthlyReport) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(_("Summary"))
    bold = Font(bold=True)
    rate_column = 1 + SUMMARY_MEASURES.index("visit_rate")
    table: list[tuple[str, list[Any]]] = []  # (what the row is, its values); a blank row between tables
    for n, grouping in enumerate(report.groupings):
        if n:
            table.append(("blank", []))
        table.append(("head", summary_headers(grouping)))
        table += [("row", summary_cells(row)) for row in report.rows[grouping]]
        table.append(("total", summary_cells(report.totals)))
    widths: dict[int, int] = {}
    for _kind, values in table:
        for i, v in enumerate(values):
            widths[i] = max(widths.get(i, 0), _width(v))
    ws.freeze_panes = "A5"  # title, notes, and the first table's header stay in view
    set_widths(ws, widths)
    ws.append([styled(ws, title(report), font=Font(bold=True, size=13))])
    ws.append(safe_row(ws, [notes(report)]))
    ws.append(safe_row(ws, [policy_line(report)]))
    for kind, values in table:
        if kind == "row":
            ws.append([styled(ws, v, number_format="0.0%") if i == rate_column else xlsx_value(ws, v)
                       for i, v in enumerate(values)])
        elif kind != "blank":  # a header, or the totals (their rate a percentage too)
            ws.append([styled(ws, v, font=bold, number_format="0.0%" if kind == "total" and i == rate_column
                              else None) for i, v in enumerate(values)])
        else:
            ws.append([])
    ws.append([])
    ws.append([styled(ws, _("Definitions"), font=bold)])
    for line in DEFINITIONS:
        ws.append(safe_row(ws, [_(line)]))


def _add_list_sheet(wb: Any, report: MonthlyReport, name: str, full_ids: bool) -> None:
    """One list, a row per person (or referral, worker...): dates as dates, an ID number as text ('@') so that
    editing it in Excel or WPS does not turn it into a number, and no text ever a formula."""
    from openpyxl.styles import Font

    sheet = wb.create_sheet(_(LISTS[name])[:31])
    columns = LIST_COLUMNS[name]
    headers = [_(c.header) for c in columns]
    widths = {i: display_width(h) for i, h in enumerate(headers)}
    rows = [[cell_value(c, item, full_ids) for c in columns] for item in report.list_rows(name)]
    for values in rows:
        for i, v in enumerate(values):
            if v is not None:
                widths[i] = max(widths[i], _width(v))
    sheet.freeze_panes = "A2"
    set_widths(sheet, widths)
    bold = Font(bold=True)
    sheet.append([styled(sheet, h, font=bold) for h in headers])
    kinds = [c.kind for c in columns]
    for values in rows:
        sheet.append([_list_cell(sheet, kind, v) for kind, v in zip(kinds, values, strict=True)])


def _list_cell(ws: Any, kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date":
        if type(value) is dt.date:  # openpyxl gives a date this format of itself
            return value
        return styled(ws, value, number_format=DATE_FORMAT)
    if isinstance(value, str):
        return styled(ws, value, number_format="@") if kind == "id" else xlsx_value(ws, value)
    return value

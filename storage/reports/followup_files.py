"""The assessment sheet of the monthly workbook (and its CSV twin): per village, how many key persons
are 中度 / 重度 on each of the six dimensions (storage/reports/followup.py)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from storage.core.files import atomic_text_writer
from storage.core.i18n import N_, _, day_text
from storage.register.assessments import DIMENSIONS
from storage.reports.cell_safety import csv_row
from storage.reports.followup import AssessmentRow
from storage.reports.monthly import MonthlyReport
from storage.reports.xlsx_cells import merge, safe_row, set_widths, styled

SHEET_TITLE = N_("Six-dimension assessment")


def headers() -> tuple[list[str], list[str]]:
    """Two header rows: the dimensions over their two columns, then 中度 / 重度 under each."""
    top = [_("Village"), _("Key persons"), _("Assessed"), _("Not assessed")]
    second = ["", "", "", ""]
    for title in DIMENSIONS.values():
        top += [_(title), ""]
        second += [_("Moderate"), _("Severe")]
    return top, second


def cells(row: AssessmentRow, label: str) -> list[Any]:
    out: list[Any] = [label, row.key_persons, row.assessed, row.not_assessed]
    for dim in DIMENSIONS:
        out += [row.moderate[dim], row.severe[dim]]
    return out


def _rows(report: MonthlyReport) -> list[list[Any]]:
    f = report.followup
    if f is None:
        return []
    return [cells(r, r.label) for r in f.assessment_rows] + [cells(f.assessment_total, _("Total"))]


def _note(report: MonthlyReport) -> str:
    f = report.followup
    worsened = f.worsened_residents if f else 0
    return _("Latest assessment on or before {day}; worsened this month: {n} (the list of that name).").format(
        day=day_text(report.day), n=worsened)


def add_assessment_sheet(wb, report: MonthlyReport) -> None:
    """The sheet, streamed (storage/reports/xlsx_cells.py: its widths and panes before its rows)."""
    from openpyxl.styles import Alignment, Font

    from storage.reports.files import display_width

    ws = wb.create_sheet(_(SHEET_TITLE)[:31])
    top, second = headers()
    rows = _rows(report)
    widths = {i: max(display_width(str(v)) for v in [top[i], second[i], *(r[i] for r in rows)])
              for i in range(len(top))}
    ws.freeze_panes = "B5"
    set_widths(ws, widths)
    bold, centre = Font(bold=True), Alignment(horizontal="center")
    ws.append([styled(ws, _(SHEET_TITLE), font=Font(bold=True, size=13))])
    ws.append(safe_row(ws, [_note(report)]))
    named = range(4, len(top), 2)  # each dimension's name over its two columns (0-based: its first)
    for col in named:
        merge(ws, 3, col + 1, 3, col + 2)
    # the second column of a dimension's name holds nothing, in bold as a plain sheet's merged cell was
    ws.append([styled(ws, None if col - 1 in named else v, font=bold, alignment=centre if col in named else None)
               for col, v in enumerate(top)])
    ws.append([styled(ws, v, font=bold) for v in second])
    for n, values in enumerate(rows, start=1):
        ws.append([styled(ws, v, font=bold) for v in values] if n == len(rows) else safe_row(ws, values))


def write_assessment_csv(report: MonthlyReport, target: Path) -> Path:
    top, second = headers()
    with atomic_text_writer(target, bom=True) as fh:
        out = csv.writer(fh)
        out.writerow([_(SHEET_TITLE)])
        out.writerow([_note(report)])
        out.writerow(top)
        out.writerow(second)
        for values in _rows(report):
            out.writerow(csv_row(values))
    return target

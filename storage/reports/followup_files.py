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
    from openpyxl.styles import Alignment, Font

    from storage.reports.files import _set_widths, display_width

    ws = wb.create_sheet(_(SHEET_TITLE)[:31])
    top, second = headers()
    ws.append([_(SHEET_TITLE)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_note(report)])
    ws.append(top)
    ws.append(second)
    for col in range(5, len(top) + 1, 2):  # each dimension's name over its two columns
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + 1)
        ws.cell(3, col).alignment = Alignment(horizontal="center")
    for row in (3, 4):
        for cell in ws[row]:
            cell.font = Font(bold=True)
    rows = _rows(report)
    for values in rows:
        ws.append(values)
    if rows:
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    widths = {i: max(display_width(str(v)) for v in [top[i], second[i], *(r[i] for r in rows)])
              for i in range(len(top))}
    ws.freeze_panes = "B5"
    _set_widths(ws, widths)


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

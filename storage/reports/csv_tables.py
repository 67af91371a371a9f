"""The workbook's first two sheets as CSV files: the table a county asks for (探访率汇总表) and the 12-month trend.

A clerk on WPS or an old Excel who saves the report as CSV hands up the same tables as one with the workbook
(walk E: the CSV had the summary and the lists, not the table to sign nor the trend). Rates are written as
the lists write them (70.0%), text through cell_safety (no formula, no control character).
"""

from __future__ import annotations

import csv
from pathlib import Path

from storage.core.files import atomic_text_writer
from storage.core.i18n import _
from storage.reports.cell_safety import csv_row
from storage.reports.coverage import coverage_rows
from storage.reports.files import csv_value
from storage.reports.monthly import MonthlyReport
from storage.reports.trend import POLICY_CHANGED
from storage.reports.xlsx_sheets import (
    COVERAGE_HEADERS,
    VISITED_HOW,
    coverage_cells,
    month_words,
    period_line,
    policy_line,
    sheet_title,
    trend_title,
)


def write_coverage_csv(report: MonthlyReport, target: Path) -> Path:
    with atomic_text_writer(target, bom=True) as fh:
        out = csv.writer(fh)
        for line in (sheet_title(report), period_line(report), policy_line(report)):
            out.writerow(csv_row([line]))
        out.writerow([_(h) if h else "" for h in COVERAGE_HEADERS])
        out.writerow(["", "", "", "", *(_(h) for h in VISITED_HOW), "", ""])
        for r in coverage_rows(report):
            # (the rate as a rate: 1 may be the int 1, written 100.0%, not 1)
            out.writerow([csv_value(v, "rate" if i == 7 else "") for i, v in enumerate(coverage_cells(r))])
    return target


def write_trend_csv(report: MonthlyReport, target: Path) -> Path:
    trend = report.trend
    assert trend is not None, "save_report adds the trend before writing"
    with atomic_text_writer(target, bom=True) as fh:
        out = csv.writer(fh)
        out.writerow(csv_row([trend_title(report)]))
        out.writerow(csv_row([policy_line(report)]))
        if trend.mixed:
            out.writerow([_(POLICY_CHANGED)])
        out.writerow([_("Grid")] + [month_words(y, m) for y, m in trend.months])
        for row in trend.rows + [trend.total]:
            label = row.label if row.key is not None else _(row.label)
            out.writerow([csv_value(label), *(csv_value(v, "rate") for v in row.rates)])
    return target

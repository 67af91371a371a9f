"""The table a county asks for: per village and grid, per category — key persons, visited
(in person / by phone or video), not visited, visit rate — with subtotals and a total.

Built from the monthly report's key persons (storage/reports/monthly.py), so its figures are
the report's. A resident with two categories counts in both category rows and once in the
grid's subtotal; the village is the resident's own (else their grid's), as in the summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.core.i18n import N_
from storage.register.categories import SHOWN_CATEGORIES
from storage.reports.monthly import MonthlyReport, ReportRow

GRID_TOTAL, CATEGORY, TOWNSHIP_CATEGORY, TOTAL = "grid_total", "category", "township_category", "total"
SUBTOTAL_LABEL = N_("Subtotal")
TOTAL_LABEL = N_("Total")


@dataclass(slots=True)
class CoverageRow:
    kind: str  # CATEGORY, GRID_TOTAL, TOWNSHIP_CATEGORY or TOTAL
    village: str
    grid: str
    category: str | None  # a category code; None on subtotal and total rows
    figures: ReportRow


def coverage_rows(report: MonthlyReport) -> list[CoverageRow]:
    order = {c: i for i, c in enumerate(SHOWN_CATEGORIES)}  # 高龄 (derived) in its place among them
    rows: list[CoverageRow] = []
    for village, grid, by_category, subtotal in report.places.values():  # villages by code, none last
        for code in sorted(by_category, key=lambda c: (order.get(c, len(order)), c)):
            rows.append(CoverageRow(CATEGORY, village, grid, code, by_category[code]))
        rows.append(CoverageRow(GRID_TOTAL, village, grid, None, subtotal))
    for row in report.rows["category"]:  # everyone's, per category: the summary's table of categories
        rows.append(CoverageRow(TOWNSHIP_CATEGORY, "", "", row.key, row))
    rows.append(CoverageRow(TOTAL, "", "", None, report.totals))
    return rows

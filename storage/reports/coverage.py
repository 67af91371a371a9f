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
    places: dict[tuple[str, str], tuple[str, str, dict[str, ReportRow], ReportRow]] = {}
    township: dict[str, ReportRow] = {}
    for p in report.people:
        key = (p.village_code, p.grid_code)
        if key not in places:
            places[key] = (p.village, p.grid, {}, ReportRow(p.grid_code, p.grid))
        _village, _grid, by_category, subtotal = places[key]
        subtotal.add(p)
        for code in p.categories:
            by_category.setdefault(code, ReportRow(code, code)).add(p)
            township.setdefault(code, ReportRow(code, code)).add(p)
    rows: list[CoverageRow] = []
    for key in sorted(places, key=lambda k: (k[0] == "", k[0], k[1])):
        village, grid, by_category, subtotal = places[key]
        for code in sorted(by_category, key=lambda c: (order.get(c, len(order)), c)):
            rows.append(CoverageRow(CATEGORY, village, grid, code, by_category[code]))
        rows.append(CoverageRow(GRID_TOTAL, village, grid, None, subtotal))
    for code in sorted(township, key=lambda c: (order.get(c, len(order)), c)):
        rows.append(CoverageRow(TOWNSHIP_CATEGORY, "", "", code, township[code]))
    rows.append(CoverageRow(TOTAL, "", "", None, report.totals))
    return rows

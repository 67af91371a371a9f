"""A month's tables and coverage sheet (storage/reports/monthly.py): month_sql's grouped counts, then the flags
the rule gives each listed key person, added to every row they belong to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.i18n import N_, _
from storage.register.categories import ADVANCED_AGE_FROM, SHOWN_CATEGORIES, with_derived
from storage.register.report_query import category_list
from storage.reports.county_passes import township_of
from storage.reports.lines import ReportRow
from storage.reports.people import Month, place_label, village_key, village_order

if TYPE_CHECKING:
    from storage.reports.month_sql import Group
    from storage.reports.monthly import MonthlyReport, Place


def tally(report: MonthlyReport, groups: list[Group], m: Month) -> list[tuple[str, str, Group]]:
    """The tables and the coverage sheet: the counts of month_sql's groups, and what the rule says of each
    listed person. Returns each group with its village's code and label (the assessment sheet's rows)."""
    by: dict[str, dict[str, ReportRow]] = {g: {} for g in ("township", "village", "grid", "category")}
    total = ReportRow(None, N_("Total"))  # translated where shown: see shown_label
    places: dict[tuple[str, str], Place] = {}

    def rows_of(town_code: str, town: str, village_code: str, village: str, grid_code: str, grid: str,
                categories: list[str]) -> list[ReportRow]:
        out = [total]
        village_code = village_key(village_code, town_code, m.county)
        report.village_townships.setdefault(village_code, set()).add(town_code)
        for grouping, code, label in (("township", town_code, town), ("village", village_code, village),
                                      ("grid", grid_code, grid)):
            row = by[grouping].get(code)
            if row is None:
                row = by[grouping][code] = ReportRow(code, label)
            out.append(row)
        place = places.get((village_code, grid_code))
        if place is None:
            place = places[(village_code, grid_code)] = (village, grid, {}, ReportRow(grid_code, grid))
        out.append(place[3])
        for code in categories:
            row = by["category"].get(code)
            if row is None:
                row = by["category"][code] = ReportRow(code, _(SHOWN_CATEGORIES.get(code, code)))
            out += [row, place[2].setdefault(code, ReportRow(code, code))]
        return out

    labelled = []
    # by grid name first: where two grids share a village code, its label is that of the first (as sorted)
    for g in sorted(groups, key=lambda g: (m.grids.get(g.grid_code, g.grid_code), g.grid_code)):
        town_code = township_of(g.grid_code, g.village_code)
        town = m.townships.get(town_code, town_code)
        village = place_label(m, g.village_code, town)
        cats = with_derived(category_list(g.categories), ADVANCED_AGE_FROM if g.elder else None)
        for row in rows_of(town_code, town, g.village_code, village, g.grid_code,
                           m.grids.get(g.grid_code, g.grid_code), cats):
            row.add_counts(g.key_persons, g.in_person, g.other_ways)
        labelled.append((village_key(g.village_code, town_code, m.county), village, g))
    for p in report.listed:
        if p.overdue or p.high_risk or p.open_referrals or p.aged_out:  # (most of the not visited: none)
            for row in rows_of(p.township_code, p.township, p.village_code, p.village, p.grid_code, p.grid,
                               p.categories):
                row.add_flags(p)
    order = {c: i for i, c in enumerate(SHOWN_CATEGORIES)}
    rows = {
        "township": sorted(by["township"].values(), key=lambda r: r.key or ""),
        "village": sorted(by["village"].values(), key=lambda r: village_order(r.key)),
        "grid": sorted(by["grid"].values(), key=lambda r: r.key or ""),
        "category": sorted(by["category"].values(), key=lambda r: (order.get(r.key or "", len(order)), r.key or "")),
    }
    report.rows = {g: rows[g] for g in report.groupings}  # a township's report has no table of townships
    report.totals = total
    report.places = dict(sorted(places.items(), key=lambda kv: (village_order(kv[0][0]), kv[0][1])))
    return labelled

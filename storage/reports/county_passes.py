"""A county's report under each township's own visit policy (storage/register/township_policies.py).

Which visits count and when a key person is due are the township's policy, so a county reads its
figures in one pass per distinct policy: each pass keeps only the townships under that policy. The
townships that set none (or set the defaults' rules) share the first pass under the defaults; a
county where no township changed its policy is read in one pass, as a township is. A township's
figures at its county are therefore those of its own report.

A month is counted under the policies in force on its statistics day, not those in force when the
report is made (storage/register/policy_history.py): the twelve months' trend groups its months by
policy as a county groups its townships.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core.i18n import N_
from storage.register import report_query as q
from storage.register.due import month_bounds
from storage.register.placed import Place, place_rows
from storage.register.policy import DEFAULT_POLICY, Policy
from storage.register.policy_history import PolicyHistory, policy_history
from storage.register.township_policies import rules_key, township_history
from storage.reports.trend import Trend, TrendRow, grids_by_month, month_list, rate_trend, summed

if TYPE_CHECKING:
    from storage.reports.monthly import MonthlyReport


@dataclass(frozen=True)
class Pass:
    policy: Policy
    townships: frozenset[str] | None  # None: every township no other pass holds
    others: frozenset[str] = frozenset()

    def has(self, township: str) -> bool:
        return township in self.townships if self.townships is not None else township not in self.others


def policy_changes(conn: Any, county: bool) -> PolicyHistory:
    """The policy changes a report is counted under: this database's, or at a county each township's."""
    return township_history(conn) if county else policy_history(conn)


def report_passes(history: PolicyHistory, day: dt.date, county: bool) -> tuple[list[Pass], dict[str, Policy]]:
    """The passes of a report whose statistics day is `day` (under the policies in force on it), and at a county
    each township's policy as it set it."""
    if not county:
        return [Pass(history.policy_on(day), None)], {}
    own = history.townships_on(day)
    base = rules_key(DEFAULT_POLICY)
    groups: dict[str, tuple[Policy, set[str]]] = {}
    for township, township_policy in sorted(own.items()):
        key = rules_key(township_policy)
        if key != base:
            groups.setdefault(key, (township_policy, set()))[1].add(township)
    explicit = frozenset(t for _policy, towns in groups.values() for t in towns)
    return [Pass(DEFAULT_POLICY, None, explicit)] + [Pass(p, frozenset(t)) for p, t in groups.values()], own


def township_of(grid_code: str, village_code: str) -> str:
    """A resident's township code, from its grid's id ("330521101-G01") or its village's code (its first 9 digits)."""
    if grid_code and "-" in grid_code:
        return grid_code.split("-", 1)[0]
    return (village_code or "")[:9]


def key_persons_of(conn: Any, one: Pass, first: dt.date, last: dt.date, day: dt.date, grid_code: str | None,
                   roots: dict[str, str], risk_moved: set[str], placed: dict[str, Place],
                   township: str | None = None, category: str | None = None) -> dict[str, Any]:
    """The key persons of one pass's townships (`township`: of that one alone), with their month's visits and
    what their merged duplicates add (`risk_moved` gets those whose risk level is a duplicate's), each where
    `placed` counts them."""
    found: Iterable[Any] = q.key_persons(conn, one.policy, first, last, day, None if placed else grid_code,
                                         township, also=placed, category=category)
    if placed:  # (the grid asked for is theirs on the day: all are read, then kept by it)
        found = place_rows(found, placed, grid_code)
    if township:
        found = [p for p in found if township_of(p.grid_code, p.village_code) == township]
    if one.townships is None and not one.others:  # one pass for everyone (a township, or a county of one policy)
        rows = {p.id: p for p in found}
    else:
        rows = {p.id: p for p in found if one.has(township_of(p.grid_code, p.village_code))}
    for rid, visits in q.month_visits(conn, one.policy, first, last, roots).items():
        if rid in rows:
            rows[rid].visits = visits
    if rows:
        add_aliases(rows, q.merged_aliases(conn, one.policy, roots, first, last, day), risk_moved)
    return rows


def add_aliases(rows: dict[str, Any], aliases: Iterable[Any], risk_moved: set[str]) -> None:
    """What key persons' merged duplicates add to their rows: a later last visit, a later risk level (the
    persons whose level came from a duplicate go into `risk_moved`)."""
    for alias in aliases:
        row = rows.get(alias.root)
        if row is None:
            continue
        if alias.last_seen and (row.last_seen is None or alias.last_seen > row.last_seen):
            row.last_seen = alias.last_seen
        if alias.risk_level and (alias.risk_since, alias.risk_hlc) > (row.risk_since or dt.date.min, row.risk_hlc):
            row.risk_level, row.risk_since, row.risk_hlc = alias.risk_level, alias.risk_since, alias.risk_hlc
            risk_moved.add(row.id)


def trend_of(conn: Any, report: MonthlyReport, history: PolicyHistory, grids: dict[str, str]) -> Trend:
    """The twelve months' rates, each month under the policies in force on its statistics day (its last day;
    the report's month: the report's day). One rate_trend per distinct policy, over the months it is used in
    (usually one; two in the months after a change), each grid's month taken from its township's pass."""
    months = month_list(report.year, report.month)
    n = len(months)
    uses: dict[str, tuple[Policy, dict[int, Pass]]] = {}  # rules -> (policy, {month index: its pass then})
    shapes = set()
    for i, (y, m) in enumerate(months):
        day = report.day if i == n - 1 else month_bounds(y, m)[1]
        passes = report_passes(history, day, report.is_county)[0]
        for one in passes:
            uses.setdefault(rules_key(one.policy), (one.policy, {}))[1][i] = one
        shapes.add(tuple((rules_key(p.policy), p.townships, p.others) for p in passes))
    trend = _joined(conn, report, grids, months, uses)
    trend.mixed = len(shapes) > 1
    return trend  # (at a county each grid's label is below its township's name already: place_names)


def _joined(conn: Any, report: MonthlyReport, grids: dict[str, str], months: list[tuple[int, int]],
            uses: dict[str, tuple[Policy, dict[int, Pass]]]) -> Trend:
    """One trend from each policy's rate_trend: each grid's month from the pass of its township in that month;
    the totals their sum."""
    n = len(months)
    rows: dict[str, TrendRow] = {}
    movers = grids_by_month(conn, months)
    for policy, at in uses.values():
        lo, hi = min(at), max(at)
        part = rate_trend(conn, policy, *months[hi], report.grid_code, grids, N_("Total"),
                          {rid: each[lo:hi + 1] for rid, each in movers.items()}, n=hi - lo + 1)
        for r in part.rows:
            town = township_of(r.key or "", "")
            for j, i in enumerate(range(lo, hi + 1)):
                one = at.get(i)
                if one is not None and one.has(town):
                    row = rows.get(r.key or "")
                    if row is None:
                        row = rows[r.key or ""] = TrendRow(r.key, r.label, [0] * n, [0] * n)
                    row.key_persons[i] += r.key_persons[j]
                    row.visited[i] += r.visited[j]
    return Trend(months, sorted(rows.values(), key=lambda r: r.key or ""), summed(rows.values(), N_("Total"), n))


def place_names(conn: Any, county: bool) -> tuple[dict[str, str], dict[str, str]]:
    """(village code -> name, grid id -> name) as a report shows them: at a county each grid below its township's
    name, as its villages are (every township has its G01网格: the grid table, the lists and the workers' rows named
    two alike)."""
    villages, grids = q.place_names(conn)
    if county:
        towns = q.township_names(conn)
        grids = {gid: towns.get(town := township_of(gid, ""), town) + name for gid, name in grids.items()}
    return villages, grids

"""A county's report under each township's own visit policy (storage/register/township_policies.py).

Which visits count and when a key person is due are the township's policy, so a county reads its
figures in one pass per distinct policy: each pass keeps only the townships under that policy. The
townships that set none (or set the defaults' rules) share the first pass under the defaults; a
county where no township changed its policy is read in one pass, as a township is. A township's
figures at its county are therefore those of its own report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core.i18n import N_
from storage.register import report_query as q
from storage.register.policy import DEFAULT_POLICY, Policy
from storage.register.township_policies import rules_key, township_policies
from storage.reports.trend import Trend, TrendRow, rate_trend

if TYPE_CHECKING:
    from storage.reports.monthly import MonthlyReport


@dataclass(frozen=True)
class Pass:
    policy: Policy
    townships: frozenset[str] | None  # None: every township no other pass holds
    others: frozenset[str] = frozenset()

    def has(self, township: str) -> bool:
        return township in self.townships if self.townships is not None else township not in self.others


def report_passes(conn: Any, policy: Policy, county: bool) -> tuple[list[Pass], dict[str, Policy]]:
    """The passes of a report, and (at a county) each township's policy as it set it."""
    if not county:
        return [Pass(policy, None)], {}
    own = township_policies(conn)
    base = rules_key(DEFAULT_POLICY)
    groups: dict[str, tuple[Policy, set[str]]] = {}
    for township, township_policy in sorted(own.items()):
        key = rules_key(township_policy)
        if key != base:
            groups.setdefault(key, (township_policy, set()))[1].add(township)
    explicit = frozenset(t for _policy, towns in groups.values() for t in towns)
    return [Pass(DEFAULT_POLICY, None, explicit)] + [Pass(p, frozenset(t)) for p, t in groups.values()], own


def joined_trend(parts: list[tuple[Pass, Trend]]) -> Trend:
    """One trend from each pass's, each grid's row from the pass of its township; the totals their sum."""
    if len(parts) == 1:
        return parts[0][1]
    first = parts[0][1]
    rows = [r for p, trend in parts for r in trend.rows if p.has(township_of(r.key or "", ""))]
    n = len(first.months)
    total = TrendRow(None, first.total.label, [0] * n, [0] * n)
    for r in rows:
        for i in range(n):
            total.key_persons[i] += r.key_persons[i]
            total.visited[i] += r.visited[i]
    return Trend(first.months, sorted(rows, key=lambda r: r.key or ""), total)


def township_of(grid_code: str, village_code: str) -> str:
    """A resident's township code, from its grid's id ("330521101-G01") or its village's code (its first 9 digits)."""
    if grid_code and "-" in grid_code:
        return grid_code.split("-", 1)[0]
    return (village_code or "")[:9]


def key_persons_of(conn: Any, one: Pass, first: dt.date, last: dt.date, day: dt.date, grid_code: str | None,
                 roots: dict[str, str], risk_moved: set[str]) -> dict[str, Any]:
    """The key persons of one pass's townships, with their month's visits and what their merged duplicates add
    (`risk_moved` gets those whose risk level is a duplicate's)."""
    found = q.key_persons(conn, one.policy, first, last, day, grid_code)
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


def trend_of(conn: Any, report: MonthlyReport, passes: list[Pass], grids: dict[str, str]) -> Trend:
    parts = [(one, rate_trend(conn, one.policy, report.year, report.month, report.grid_code, grids, N_("Total")))
             for one in passes]
    return joined_trend(parts)


def place_names(conn: Any, county: bool) -> tuple[dict[str, str], dict[str, str]]:
    """(village code -> name, grid id -> name) as a report shows them: at a county each grid below its township's
    name, as its villages are (every township has its G01网格: the grid table, the lists and the workers' rows named
    two alike)."""
    villages, grids = q.place_names(conn)
    if county:
        towns = q.township_names(conn)
        grids = {gid: towns.get(town := township_of(gid, ""), town) + name for gid, name in grids.items()}
    return villages, grids

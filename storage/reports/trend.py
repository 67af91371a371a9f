"""The visit rate month by month: the last twelve months per grid and for everyone.

Each month's figures come from the same rule as the monthly report and Home
(storage/register/due.py `month_standing` over the visits that count), so the
last point of the trend is the report's own rate. Counted in grouped SQL, never
one Python object per resident and month (a county has 120,000 residents; twelve
months of them in Python took 13 s). A resident the township moved is counted each month in the grid they
were in at its end (storage/register/placed.py), one by one: they are few.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.core.i18n import N_
from storage.core.id_lists import ids_subquery
from storage.register import report_query as q
from storage.register.due import add_months, month_bounds
from storage.register.placed import places_on
from storage.register.policy import Policy, counting_visit_sql

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

MONTHS = 12
# said beside a trend whose months were counted under more than one policy (Trend.mixed)
POLICY_CHANGED = N_("The visit policy changed within these months: each month is counted under the one in force "
                    "on its report day.")


@dataclass(slots=True)
class TrendRow:
    key: str | None  # grid id; None for everyone
    label: str  # a grid's name; the totals row keeps the msgid (translated where shown)
    key_persons: list[int] = field(default_factory=list)
    visited: list[int] = field(default_factory=list)

    @property
    def rates(self) -> list[float | None]:
        return [v / k if k else None for k, v in zip(self.key_persons, self.visited, strict=True)]

    def add(self, key_persons: list[int], visited: list[int]) -> None:
        """Another count of the same months added to this row's."""
        for i, (k, v) in enumerate(zip(key_persons, visited, strict=True)):
            self.key_persons[i] += k
            self.visited[i] += v


def summed(rows: Iterable[TrendRow], label: str, n: int) -> TrendRow:
    """The totals row of `rows` over n months."""
    total = TrendRow(None, label, [0] * n, [0] * n)
    for row in rows:
        total.add(row.key_persons, row.visited)
    return total


@dataclass
class Trend:
    months: list[tuple[int, int]]  # (year, month), oldest first; the report's month last
    rows: list[TrendRow]  # one per grid
    total: TrendRow
    mixed: bool = False  # the policy (a county: a township's) changed within the months: each under its own

    @property
    def firsts(self) -> list[dt.date]:
        return [dt.date(y, m, 1) for y, m in self.months]


def month_list(year: int, month: int, n: int = MONTHS) -> list[tuple[int, int]]:
    out = []
    for i in range(n - 1, -1, -1):
        first = add_months(dt.date(year, month, 1), -i)
        out.append((first.year, first.month))
    return out


def rate_trend(conn: Connection, policy: Policy, year: int, month: int, grid_code: str | None,
               grid_names: dict[str, str], total_label: str, movers: dict[str, list[str]],
               n: int = MONTHS) -> Trend:
    """Per grid and month: the key persons and how many of them were visited (month_standing, in SQL).

    Three grouped queries instead of one row per resident and month (1.44 million at a county): a case
    not closed is a key person of every month from the one it was registered in, and visited in a month
    with a visit that counts in it; a closed case (few) is asked month by month, as month_standing does.
    `movers`: grids_by_month's over these n months (read once for every policy's pass).
    """
    months = month_list(year, month, n)
    first, _ = month_bounds(*months[0])
    _, last = month_bounds(*months[-1])
    pg = conn.dialect.name == "postgresql"
    params: dict[str, object] = {"first": first.isoformat(), "last": last.isoformat()}
    index = {f"{y:04d}-{m:02d}": i for i, (y, m) in enumerate(months)}
    if pg:  # the visits' distinct (grid, month, resident) stay in memory: a county has a million a year
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")

    where = ["NOT r.deleted", "r.merged_into IS NULL", "(r.registered_on IS NULL OR r.registered_on <= :last)",
             "(r.status != 'closed' OR r.closed_on >= :first)"]
    for i, (y, m) in enumerate(months):
        params[f"f{i}"], params[f"l{i}"] = (d.isoformat() for d in month_bounds(y, m))
    # the residents in another grid in some of the months than now: counted one by one, each month in its grid
    mine = list(where)
    if movers:
        params["movers"] = json.dumps(sorted(movers))
        mine.append(f"r.id NOT IN ({ids_subquery('movers', pg)})")
    if grid_code:
        mine.append("r.grid_code = :grid")
        params["grid"] = grid_code
    rows_by_grid: dict[str, TrendRow] = {}

    def row_of(grid: str | None) -> TrendRow:
        row = rows_by_grid.get(grid or "")
        if row is None:
            row = rows_by_grid[grid or ""] = TrendRow(grid or "", grid_names.get(grid, grid or ""), [0] * n, [0] * n)
        return row

    for grid, counts in _counted(conn, policy, "r.grid_code", " AND ".join(mine), params, index, pg).items():
        row_of(grid).add(counts.key_persons, counts.visited)
    if movers:
        one_by_one = " AND ".join([*where, f"r.id IN ({ids_subquery('movers', pg)})"])
        for rid, counts in _counted(conn, policy, "r.id", one_by_one, params, index, pg).items():
            for i, grid in enumerate(movers[rid]):
                if grid_code is None or grid == grid_code:
                    row = row_of(grid)
                    row.key_persons[i] += counts.key_persons[i]
                    row.visited[i] += counts.visited[i]
    return Trend(months, sorted(rows_by_grid.values(), key=lambda r: r.key or ""),
                 summed(rows_by_grid.values(), total_label, n))


@dataclass(slots=True)
class _Counts:
    key_persons: list[int]
    visited: list[int]


def grids_by_month(conn: Connection, months: list[tuple[int, int]]) -> dict[str, list[str]]:
    """Each resident whose grid at the end of one of `months` (storage/register/placed.py) is not the grid they
    are in now: their grid in each month."""
    return {rid: [grid for grid, _village in places] for rid, (places, (now, _v)) in
            places_on(conn, [month_bounds(y, m)[1] for y, m in months]).items()
            if any(grid != now for grid, _village in places)}


def _counted(conn: Connection, policy: Policy, key: str, resident: str, params: dict[str, object],
             index: dict[str, int], pg: bool) -> dict[str, _Counts]:
    """Per `key` (a column of resident r) and month: the key persons and how many of them were visited,
    for the residents `resident` (SQL on r) selects."""
    from storage.reports.month_sql import ROOTS_CTES

    n = len(index)
    out: dict[str, _Counts] = {}

    def counts(k: str | None) -> _Counts:
        c = out.get(k or "")
        if c is None:
            c = out[k or ""] = _Counts([0] * n, [0] * n)
        return c

    def ym(column: str) -> str:  # a date's month: its first day on PostgreSQL (cheaper than text), 'YYYY-MM' on SQLite
        return f"date_trunc('month', {column})" if pg else f"substr({column}, 1, 7)"

    # not closed: a key person of each month from the one of their registration (none: every month)
    for k, registered, count in conn.execute(q.text(
            f"SELECT {key}, {ym('r.registered_on')}, count(*) FROM resident r"
            f" WHERE {resident} AND r.status != 'closed' GROUP BY {key}, {ym('r.registered_on')}"), params).all():
        c = counts(k)
        for month, i in index.items():
            if registered is None or str(registered)[:7] <= month:
                c.key_persons[i] += int(count)
    # visited: a visit that counts in the month (a duplicate's on its record), in a month they are a key person
    # of (registered by its end), and for a closed case on or before its close (and not registered after it)
    visit_month = ym("v.visit_date")
    for k, first_day, seen in conn.execute(q.text(
            f"{ROOTS_CTES} SELECT g, m, count(*) FROM (SELECT DISTINCT {key} AS g, {visit_month} AS m, r.id FROM visit v"
            " LEFT JOIN roots ro ON ro.id = v.resident_id JOIN resident r ON r.id = coalesce(ro.root, v.resident_id)"
            f" WHERE v.visit_date BETWEEN :first AND :last AND {counting_visit_sql(policy)} AND {resident}"
            # (most visits are after the registration: the dates compared first, the months only where not)
            f" AND (r.registered_on IS NULL OR r.registered_on <= v.visit_date OR {ym('r.registered_on')} <= {visit_month})"
            " AND (r.status != 'closed' OR (v.visit_date <= r.closed_on"
            "  AND NOT (r.registered_on IS NOT NULL AND r.registered_on > r.closed_on)))) x GROUP BY g, m"),
            params).all():
        counts(k).visited[index[str(first_day)[:7]]] += int(seen)
    # closed: on the register in the month (registered by its end, not closed before it began, not registered
    # after the close), and if closed in it, visited before the close
    # a visit that counts between the month's first day and the close: the case's own, or a duplicate's
    # (an EXISTS each, so that each walks ix_visit_resident_date)
    own = ("EXISTS (SELECT 1 FROM visit v WHERE v.resident_id = r.id AND v.visit_date BETWEEN :f{i} AND r.closed_on"
           f" AND {counting_visit_sql(policy)})")
    dup = ("EXISTS (SELECT 1 FROM roots ro JOIN visit v ON v.resident_id = ro.id WHERE ro.root = r.id"
           f" AND v.visit_date BETWEEN :f{{i}} AND r.closed_on AND {counting_visit_sql(policy)})")
    terms = ", ".join(
        f"count(*) FILTER (WHERE (r.registered_on IS NULL OR r.registered_on <= :l{i} AND r.registered_on <= r.closed_on)"
        f" AND r.closed_on >= :f{i} AND (r.closed_on > :l{i} OR {own.format(i=i)} OR {dup.format(i=i)}))"
        for i in range(n))
    for k, *closed in conn.execute(q.text(
            f"{ROOTS_CTES} SELECT {key}, {terms} FROM resident r WHERE {resident} AND r.status = 'closed'"
            f" GROUP BY {key}"),
            params).all():
        c = counts(k)
        for i, count in enumerate(closed):
            c.key_persons[i] += int(count)
    return out

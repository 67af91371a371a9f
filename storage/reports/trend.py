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

    # not closed: a key person of each month from the one of their registration (none: every month)
    registered = f"coalesce({'greatest' if pg else 'max'}(0, {_month_index('r.registered_on', index, pg)}), 0)"
    for k, start, count in conn.execute(q.text(
            f"SELECT {key}, {registered}, count(*) FROM resident r"
            f" WHERE {resident} AND r.status != 'closed' GROUP BY {key}, {registered}"), params).all():
        c = counts(k)
        for i in range(int(start), n):
            c.key_persons[i] += int(count)
    # visited: a visit that counts in the month (a duplicate's on its record), in a month they are a key person
    # of (registered by its end), and for a closed case on or before its close (and not registered after it):
    # the months each resident was visited in as the bits of one number, then summed per key (a county's
    # distinct (resident, month) pairs, a million, grouped by key and month took three times as long)
    for k, *seen in conn.execute(q.text(
            f"{ROOTS_CTES}, {_seen_cte(policy, index, pg)}"
            f" SELECT k, {', '.join(f'sum((b >> {i}) & 1)' for i in range(n))} FROM"
            f" (SELECT {key} AS k, {_counted_bits(index, policy, pg)} AS b FROM seen JOIN resident r ON r.id = seen.rid"
            f"  WHERE {resident}) x GROUP BY k"),
            params).all():
        c = counts(k)
        for i, count in enumerate(seen):
            c.visited[i] += int(count or 0)
    # closed: on the register in the month (registered by its end, not closed before it began, not registered
    # after the close), and if closed in it, visited between the month's first day and the close
    terms = ", ".join(
        f"count(*) FILTER (WHERE (r.registered_on IS NULL OR r.registered_on <= :l{i} AND r.registered_on <= r.closed_on)"
        f" AND r.closed_on >= :f{i} AND (r.closed_on > :l{i} OR {_visited_before_close(f':f{i}', policy)}))"
        for i in range(n))
    for k, *closed in conn.execute(q.text(
            f"{ROOTS_CTES} SELECT {key}, {terms} FROM resident r WHERE {resident} AND r.status = 'closed'"
            f" GROUP BY {key}"),
            params).all():
        c = counts(k)
        for i, count in enumerate(closed):
            c.key_persons[i] += int(count)
    return out


def _month_index(column: str, index: dict[str, int], pg: bool) -> str:
    """SQL: the month of the date `column` as an index into `index`'s months: -1 before them, len(index) after."""
    n = len(index)
    if pg:  # (the firsts are the trend's own months, not user input)
        firsts = [f"DATE '{month}-01'" for month in index]
        y, m = (int(part) for part in list(index)[-1].split("-"))
        firsts.append(f"DATE '{add_months(dt.date(y, m, 1), 1).isoformat()}'")
        return f"(width_bucket({column}, ARRAY[{', '.join(firsts)}]) - 1)"
    y, m = (int(part) for part in next(iter(index)).split("-"))
    months = f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER) - {y * 12 + m})"
    return f"max(-1, min({n}, {months}))"


def _seen_cte(policy: Policy, index: dict[str, int], pg: bool) -> str:
    """`seen (rid, bits)`: per resident (a duplicate's visits on its record), the months of `index` with a visit
    that counts, bit i for month i."""
    counting = f"v.visit_date BETWEEN :first AND :last AND {counting_visit_sql(policy)}"
    month = _month_index("v.visit_date", index, pg)
    if pg:
        return (f"per AS (SELECT v.resident_id AS id, bit_or(1 << {month}) AS bits FROM visit v WHERE {counting}"
                " GROUP BY v.resident_id),"
                " seen AS (SELECT coalesce(ro.root, per.id) AS rid, bit_or(per.bits) AS bits"
                "  FROM per LEFT JOIN roots ro ON ro.id = per.id GROUP BY 1)")
    # (SQLite has no bit_or: the distinct months summed; CAST: an expression has no affinity to join by index)
    return (" seen AS (SELECT rid, sum(1 << i) AS bits FROM (SELECT DISTINCT"
            f"  CAST(coalesce(ro.root, v.resident_id) AS TEXT) AS rid, {month} AS i"
            f"  FROM visit v LEFT JOIN roots ro ON ro.id = v.resident_id WHERE {counting}) GROUP BY rid)")


def _visited_before_close(start: str, policy: Policy) -> str:
    """SQL on resident r: a visit that counts from `start` (SQL) to r's close, the case's own or a duplicate's
    (an EXISTS each, so that each walks ix_visit_resident_date)."""
    between = f"v.visit_date BETWEEN {start} AND r.closed_on AND {counting_visit_sql(policy)}"
    return (f"EXISTS (SELECT 1 FROM visit v WHERE v.resident_id = r.id AND {between})"
            f" OR EXISTS (SELECT 1 FROM roots ro JOIN visit v ON v.resident_id = ro.id WHERE ro.root = r.id AND {between})")


def _counted_bits(index: dict[str, int], policy: Policy, pg: bool) -> str:
    """SQL on `seen` and resident r: the bits of the months r's visits count in (month_standing): none before
    the month of the registration; for a closed case none after the close's month, that month's only if a
    visit that counts was on or before the close, and none at all if registered after the close."""
    n = len(index)
    most, least = ("greatest", "least") if pg else ("max", "min")
    registered = _month_index("r.registered_on", index, pg)
    closed = f"{least}({n}, {_month_index('r.closed_on', index, pg)})"
    month_start = "CAST(date_trunc('month', r.closed_on) AS date)" if pg else "substr(r.closed_on, 1, 7) || '-01'"
    before_close = _visited_before_close(month_start, policy)
    return (f"(seen.bits & ~(CASE WHEN r.registered_on IS NULL THEN 0 ELSE (1 << {most}(0, {registered})) - 1 END)"
            " & CASE WHEN r.status != 'closed' THEN -1"
            "  WHEN r.registered_on IS NOT NULL AND r.registered_on > r.closed_on THEN 0"
            f"  ELSE ((1 << {closed}) - 1)"
            f"   | CASE WHEN {closed} < {n} AND ({before_close}) THEN 1 << {closed} ELSE 0 END END)")

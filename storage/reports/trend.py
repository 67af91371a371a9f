"""The visit rate month by month: the last twelve months per grid and for everyone.

Each month's figures come from the same rule as the monthly report and Home
(storage/register/due.py `month_standing` over the visits that count), so the
last point of the trend is the report's own rate. Counted in one grouped query
per policy: each resident and month is a row of SQL, never of Python (a county
has 120,000 residents; twelve months of them in Python took 13 s).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.register import report_query as q
from storage.register.due import add_months, month_bounds
from storage.register.policy import Policy, counting_visit_sql

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

MONTHS = 12


@dataclass(slots=True)
class TrendRow:
    key: str | None  # grid id; None for everyone
    label: str  # a grid's name; the totals row keeps the msgid (translated where shown)
    key_persons: list[int] = field(default_factory=list)
    visited: list[int] = field(default_factory=list)

    @property
    def rates(self) -> list[float | None]:
        return [v / k if k else None for k, v in zip(self.key_persons, self.visited, strict=True)]


@dataclass
class Trend:
    months: list[tuple[int, int]]  # (year, month), oldest first; the report's month last
    rows: list[TrendRow]  # one per grid
    total: TrendRow

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
               grid_names: dict[str, str], total_label: str, n: int = MONTHS) -> Trend:
    """Per grid and month: the key persons and how many of them were visited (month_standing, in SQL)."""
    from storage.reports.month_sql import ROOTS_CTES

    months = month_list(year, month, n)
    first, _ = month_bounds(*months[0])
    _, last = month_bounds(*months[-1])
    pg = conn.dialect.name == "postgresql"
    params: dict[str, object] = {"first": first.isoformat(), "last": last.isoformat()}
    rows_sql = []
    for i, (y, m) in enumerate(months):
        m_first, m_last = month_bounds(y, m)
        params.update({f"ym{i}": f"{y:04d}-{m:02d}", f"f{i}": m_first.isoformat(), f"l{i}": m_last.isoformat()})
        # a date parameter is text to PostgreSQL inside a SELECT list (SQLite holds dates as text anyway)
        day = "CAST(:{} AS date)" if pg else ":{}"
        rows_sql.append(f"SELECT {i} AS i, :ym{i} AS ym, {day.format(f'f{i}')} AS m_first,"
                        f" {day.format(f'l{i}')} AS m_last")
    ym = "to_char(v.visit_date, 'YYYY-MM')" if pg else "substr(v.visit_date, 1, 7)"
    where = ["NOT r.deleted", "r.merged_into IS NULL", "(r.registered_on IS NULL OR r.registered_on <= :last)",
             "(r.status != 'closed' OR r.closed_on >= :first)"]
    if grid_code:
        where.append("r.grid_code = :grid")
        params["grid"] = grid_code
    # on the register in the month (registered by its end, not closed before it began, not registered after a
    # close), and not closed in it before any visit that counts: month_standing, per resident and month
    end = "CASE WHEN r.status = 'closed' AND r.closed_on < ms.m_last THEN r.closed_on ELSE ms.m_last END"
    visited = f"(mv.first_home <= {end} OR mv.first_any <= {end})"
    key = ("(r.registered_on IS NULL OR r.registered_on <= ms.m_last)"
           " AND (r.status != 'closed' OR r.closed_on >= ms.m_first)"
           " AND NOT (r.status = 'closed' AND r.registered_on IS NOT NULL AND r.registered_on > r.closed_on)"
           f" AND ({visited} OR NOT (r.status = 'closed' AND r.closed_on <= ms.m_last))")
    sql = (f"{ROOTS_CTES}, ms AS ({' UNION ALL '.join(rows_sql)}),"
           f" mv AS (SELECT coalesce(ro.root, v.resident_id) AS rid, {ym} AS ym,"
           "  min(CASE WHEN v.method = 'home' THEN v.visit_date END) AS first_home, min(v.visit_date) AS first_any"
           "  FROM visit v LEFT JOIN roots ro ON ro.id = v.resident_id"
           f"  WHERE v.visit_date BETWEEN :first AND :last AND {counting_visit_sql(policy)}"
           f"  GROUP BY coalesce(ro.root, v.resident_id), {ym})"
           f" SELECT r.grid_code, ms.i, count(*) FILTER (WHERE {key}), count(*) FILTER (WHERE {key} AND {visited})"
           " FROM resident r CROSS JOIN ms LEFT JOIN mv ON mv.rid = r.id AND mv.ym = ms.ym"
           f" WHERE {' AND '.join(where)} GROUP BY r.grid_code, ms.i")
    rows_by_grid: dict[str, TrendRow] = {}
    total = TrendRow(None, total_label, [0] * n, [0] * n)
    for grid, i, key_persons, seen in conn.execute(q.text(sql), params).all():
        row = rows_by_grid.get(grid or "")
        if row is None:
            row = rows_by_grid[grid or ""] = TrendRow(grid or "", grid_names.get(grid, grid or ""), [0] * n, [0] * n)
        row.key_persons[i] += int(key_persons)
        row.visited[i] += int(seen)
        total.key_persons[i] += int(key_persons)
        total.visited[i] += int(seen)
    return Trend(months, sorted(rows_by_grid.values(), key=lambda r: r.key or ""), total)

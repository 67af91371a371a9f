"""The visit rate month by month: the last twelve months per grid and for everyone.

Each month's figures come from the same rule as the monthly report and Home
(storage/register/due.py `month_standing` over the visits that count), so the
last point of the trend is the report's own rate. Read in two queries (the key
persons of the span, and their visits that count in it); the months are then
counted in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.register import report_query as q
from storage.register.due import IN_PERSON, OTHER_WAYS, add_months, month_bounds, month_standing
from storage.register.policy import Policy

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
               roots: dict[str, str], grid_names: dict[str, str], total_label: str, n: int = MONTHS) -> Trend:
    months = month_list(year, month, n)
    first, _ = month_bounds(*months[0])
    _, last = month_bounds(*months[-1])
    where = ["NOT r.deleted", "r.merged_into IS NULL", "(r.registered_on IS NULL OR r.registered_on <= :last)",
             "(r.status != 'closed' OR r.closed_on >= :first)"]
    params = {"first": first.isoformat(), "last": last.isoformat()}
    if grid_code:
        where.append("r.grid_code = :grid")
        params["grid"] = grid_code
    people = conn.execute(q.text("SELECT r.id, r.grid_code, r.registered_on, r.status, r.closed_on FROM resident r"
                                 f" WHERE {' AND '.join(where)}"), params).all()
    # per resident and month, the first visit that counts and the first home visit: all month_standing
    # needs to say whether and how a resident was visited in a month (and before a close in it)
    index = {f"{y:04d}-{m:02d}": i for i, (y, m) in enumerate(months)}
    first_any: dict[tuple[str, int], str] = {}
    first_home: dict[tuple[str, int], str] = {}
    rows = conn.execute(q.text(q.month_visits_sql(policy)), params).all()
    for rid, day, method in rows:
        day = str(day)[:10]  # ISO text from SQLite, a date elsewhere: compared as text, converted once per month
        key = (roots.get(rid, rid), index[day[:7]])
        if day < first_any.get(key, "9999"):
            first_any[key] = day
        if method == "home" and day < first_home.get(key, "9999"):
            first_home[key] = day
    bounds = [month_bounds(y, m) for y, m in months]
    rows_by_grid: dict[str, TrendRow] = {}
    total = TrendRow(None, total_label, [0] * n, [0] * n)
    for rid, grid, registered, status, closed in people:
        registered, closed = q.as_date(registered), q.as_date(closed)
        row = rows_by_grid.get(grid or "")
        if row is None:
            row = rows_by_grid[grid or ""] = TrendRow(grid or "", grid_names.get(grid, grid or ""), [0] * n, [0] * n)
        for i, (m_first, m_last) in enumerate(bounds):
            visits = []
            if (rid, i) in first_home:
                visits.append((dt.date.fromisoformat(first_home[rid, i]), "home"))
            if (rid, i) in first_any:
                visits.append((dt.date.fromisoformat(first_any[rid, i]), "any"))
            standing = month_standing(m_first, m_last, registered, status, closed, visits)
            if standing is None:
                continue
            seen = standing in (IN_PERSON, OTHER_WAYS)
            row.key_persons[i] += 1
            row.visited[i] += seen
            total.key_persons[i] += 1
            total.visited[i] += seen
    return Trend(months, sorted(rows_by_grid.values(), key=lambda r: r.key or ""), total)

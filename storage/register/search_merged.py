"""A merged duplicate's visits count in the register for the record it was merged into, as they do on Home, on
the resident's page and in the reports (walk G, 2: the register listed 江爱珍 "逾期 65 天" and its 逾期 filter
counted 33 while Home said 32, because her other grid's worker went on visiting the record the clerk had merged).

Duplicates are few: their records' last visits are read in one query, and for the due filters the records they
were merged into are judged in Python by the due rule itself, the rest in SQL as before.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from storage.core.id_lists import ids_subquery
from storage.register.due import FINDING_LEVELS, WEEK_DAYS, risk_from_sql
from storage.register.report_query import ALIAS_CTE, ALIAS_ROOTS_SQL, as_date, last_seen_sql

if TYPE_CHECKING:
    from storage.register.search import ResidentRow

def duplicates_seen(fetch, policy, today: dt.date) -> dict[str, dt.date | None]:
    """Each record that duplicates were merged into (chains followed) -> the last counting visit among them."""
    sql = (f"WITH RECURSIVE {ALIAS_CTE} SELECT a.root AS root, max({last_seen_sql(policy, 'a.id', ':today')}) AS seen"
           " FROM alias a JOIN resident r ON r.id = a.root WHERE r.merged_into IS NULL GROUP BY a.root")
    return {row["root"]: as_date(row["seen"]) for row in fetch(sql, {"today": today.isoformat()})}


def families(raw) -> dict[str, list[str]]:
    """Each record that duplicates were merged into -> those duplicates (chains followed)."""
    return by_root(raw.execute(ALIAS_ROOTS_SQL))


def by_root(roots) -> dict[str, list[str]]:
    """(duplicate, the record it ends up in) pairs, as ALIAS_ROOTS_SQL gives them, grouped by that record."""
    out: dict[str, list[str]] = {}
    for dup, root in roots:
        out.setdefault(root, []).append(dup)
    return out


def family_began(raw, family: dict[str, list[str]], levels: dict[str, str]) -> dict[str, dt.date | None]:
    """The day each record's level (`levels`) began, over its own and its duplicates' assessments: its level is
    the newest of theirs (storage/core/merged_risk.py). Only the records of `family` at a finding level."""
    out: dict[str, dt.date | None] = {}
    for root, dups in family.items():
        level = levels.get(root)
        if level not in FINDING_LEVELS:
            continue
        ids = [root, *dups]
        params: dict[str, Any] = {f"f{i}": rid for i, rid in enumerate(ids)} | {"level": level}
        sql = f"SELECT {risk_from_sql(level=':level', family=', '.join(f':f{i}' for i in range(len(ids))))}"
        out[root] = as_date(raw.execute(sql, params).fetchone()[0])
    return out


def due_matches(due: str, row: ResidentRow, today: dt.date) -> bool:
    """`row` (its last visit and due day taking its duplicates' visits) has the due status `due`, as the SQL of
    storage/register/search.py's filters asks it of a record without duplicates."""
    if due in ("visited_month", "not_visited_month"):
        visited = row.last_visit is not None and row.last_visit >= today.replace(day=1)
        return visited == (due == "visited_month")
    if row.status != "active" or row.due_on is None:
        return False
    if due == "overdue":
        return row.due_on < today
    return today <= row.due_on < today + dt.timedelta(days=WEEK_DAYS)  # due_week


def merged_due_clause(condition: str, roots: list[str], matching: list[str], pg: bool) -> tuple[str, dict[str, Any]]:
    """`condition` for the records without duplicates; for those with, whether they are among `matching`."""
    clause = (f"((r.id NOT IN ({ids_subquery('merged_roots', pg)}) AND {condition})"
              f" OR r.id IN ({ids_subquery('merged_due', pg)}))")
    return clause, {"merged_roots": json.dumps(roots), "merged_due": json.dumps(matching)}

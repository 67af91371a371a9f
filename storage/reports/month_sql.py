"""The monthly report's counting in SQL: who is a key person of the month and how they were visited,
counted per grid, village and category list; and which key persons the report must look at one by one.

A county has 120,000 key persons: building one Python object each and tallying them cost ~11 s (issue
#17). Here the month's standing (storage/register/due.py `month_standing`) is one CASE per resident over
the month's visits that count (a merged duplicate's go to its record), grouped in SQL. A key person is
*plain* when the SQL can tell that every other figure is nothing for them: not closed, no merged
duplicate, not at high or emergency risk on the day, no open referral, no child category they may age out
of, and seen recently enough (this month, or before it when not yet this month) that no rule of the policy
can make them overdue on the day. Every other key person ("listed") is read in full and given to the rule
in Python (storage/reports/people.py), which stays the one definition of due, overdue and aged out; the
conditions here only ever send more residents to it, never fewer. A plain key person not yet visited is
named by one list only, 本月未探访, which reads them when it is asked for (`quiet_rows`): early in a month
that is nearly everyone, and building each one cost a county's report 4 s (issue #17).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core.id_lists import ids_subquery
from storage.register.assessments import DIMENSIONS
from storage.register.categories import ADVANCED_AGE_FROM, CHILD_CATEGORIES
from storage.register.due import NOT_VISITED, add_months
from storage.register.placed import Place, placed_cte
from storage.register.policy import MONTH, Policy, born_by, counting_visit_sql
from storage.register.report_query import ALIAS_CTE, key_person_where, last_seen_sql, risk_at_sql

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

LOW_LEVELS = ("low", "medium")
QUIET = f"km.standing = '{NOT_VISITED}' AND km.plain = 1"  # plain, and not visited (yet)
# report_query.PERSON_COLUMNS but the id, village, grid and categories km has already
_PERSON_REST = ("name", "name_pinyin", "id_number", "sex", "birth_date", "status", "closed_on", "close_reason",
                "registered_on", "visit_frequency_days", "close_note")
# km's columns in the order of PERSON_COLUMNS (report_query.person_row reads them by position)
_KM_PERSON = ("km.id, km.r_name, km.r_name_pinyin, km.r_id_number, km.r_sex, km.r_birth_date, km.village_code,"
              " km.grid_code, km.cats, km.r_status, km.r_closed_on, km.r_close_reason, km.r_registered_on,"
              " km.r_visit_frequency_days, km.r_close_note")
# every merged duplicate -> the record it ends up in (report_query.ALIAS_ROOTS_SQL), as CTEs to go on with
ROOTS_CTES = (f"WITH RECURSIVE {ALIAS_CTE},"
              " roots AS (SELECT a.id, a.root FROM alias a JOIN resident ar ON ar.id = a.root"
              "  WHERE ar.merged_into IS NULL AND a.root IS NOT NULL)")  # the levels a plain key person may be at (the others are listed)


@dataclass(slots=True)
class Group:
    """Key persons of the month alike in grid, village, stored categories and 80 or over."""

    grid_code: str
    village_code: str
    categories: str  # the JSON list as stored (decoded once per distinct list: report_query.category_list)
    elder: bool  # 80 or over on the report day (高龄, a derived category)
    key_persons: int
    in_person: int
    other_ways: int
    assessed: int  # with an assessment on or before the report day
    moderate: dict[str, int]  # per dimension: how many are 中度 in their latest assessment
    severe: dict[str, int]


def _like(code: str) -> str:
    """A LIKE pattern for '"code"' inside a JSON list (as due.due_before_sql writes it)."""
    return '%"' + code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + '"%'


def _plain_sql(policy: Policy, first: dt.date, last: dt.date, day: dt.date, params: dict[str, Any],
               dialect: str) -> str:
    """SQL true for a key person (r, their month's visits mv) the report need not look at one by one."""
    cats = "coalesce(CAST(r.categories AS TEXT), '')"
    terms = [
        "r.status != 'closed'",
        "r.id NOT IN (SELECT root FROM roots)",
        "r.id NOT IN (SELECT resident_id FROM hi)",
        "r.id NOT IN (SELECT resident_id FROM refs)",
    ]
    # a child category they may have aged out of by the month's end (two days' margin for 29 February)
    youngest = min(CHILD_CATEGORIES.values())
    params["aged_by"] = born_by(last + dt.timedelta(days=2), youngest).isoformat()
    child = " OR ".join(f"{cats} LIKE :child{i} ESCAPE '\\'" for i in range(len(CHILD_CATEGORIES)))
    params.update({f"child{i}": _like(code) for i, code in enumerate(CHILD_CATEGORIES)})
    terms.append(f"(r.birth_date IS NULL OR r.birth_date > :aged_by OR NOT ({child}))")
    counting = counting_visit_sql(policy)

    def seen_since(every: Any, name: str) -> str:
        """Last seen on or before the day, no earlier than a rule of `every` allows without being overdue on the
        day (due.due_on: seen + N days; a calendar month: by the end of the month after the one seen in). Not
        seen this month (mv.seen, on or after the first), the last visit before it is looked up; never seen: no
        (the due day then depends on when the record entered gridcare: the rule's to say)."""
        params[name] = _seen_by(every, first, day).isoformat()
        return (f"(mv.seen >= :{name} OR (mv.seen IS NULL AND EXISTS (SELECT 1 FROM visit v WHERE v.resident_id = r.id"
                f" AND v.visit_date >= :{name} AND v.visit_date <= :day AND {counting})))")

    # at low or medium risk (high and emergency are listed) due_on takes the sooner of the two levels' days
    levels = [policy.every.get(level, policy.every["low"]) for level in LOW_LEVELS]
    terms.append(seen_since(max(levels, key=lambda every: _seen_by(every, first, day)), "t_level"))
    for i, rule in enumerate(policy.categories):  # the rule may apply (its age is not asked: more are listed)
        params[f"rule{i}"] = _like(rule.category)
        terms.append(f"(NOT ({cats} LIKE :rule{i} ESCAPE '\\') OR {seen_since(rule.every, f't_rule{i}')})")
    # their own interval: only when seen this month and the interval outlasts the days since its first
    params["span"] = (day - first).days
    terms.append("(r.visit_frequency_days IS NULL OR r.visit_frequency_days <= 0"
                 " OR (mv.seen IS NOT NULL AND r.visit_frequency_days >= :span))")
    if params.get("extra"):
        terms.append(f"r.id NOT IN ({ids_subquery('extra', dialect == 'postgresql')})")
    return " AND ".join(terms)


def _seen_by(every: Any, first: dt.date, day: dt.date) -> dt.date:
    """The earliest last visit that keeps a rule of `every` from making a key person overdue on the day."""
    return add_months(first, -1) if every == MONTH else day - dt.timedelta(days=int(every))


def month_ctes(conn: Connection, policy: Policy, first: dt.date, last: dt.date, day: dt.date,
               grid_code: str | None, extra: list[str], placed: dict[str, Place],
               township: str | None = None) -> tuple[str, dict[str, Any]]:
    """`WITH RECURSIVE ...` defining km: each key person of the month with their standing, whether they
    are plain, and what they are grouped by. `extra`: ids never plain (the emergencies' and the worsened);
    `placed`: those counted in another grid or village than now (storage/register/placed.py); `township`:
    at a county, those of one township (and any whose grid names none: key_person_where)."""
    dialect = conn.dialect.name
    grid = "coalesce(pl.grid_code, r.grid_code)" if placed else "r.grid_code"
    where, params = key_person_where(first, last, day, grid_code, grid, township)
    village = "coalesce(r.village_code, g.village_code, '')"
    if placed:
        village = f"CASE WHEN pl.id IS NULL THEN {village} ELSE pl.village_code END"
    params["elder"] = born_by(day, ADVANCED_AGE_FROM).isoformat()
    params["extra"] = json.dumps(sorted(set(extra))) if extra else ""
    counting = counting_visit_sql(policy)
    end = "CASE WHEN r.status = 'closed' AND r.closed_on < :last THEN r.closed_on ELSE :last END"
    sql = (
        f"{ROOTS_CTES},"
        # the month's visits that count, a duplicate's on its record: the first in person, the first of
        # any kind (all month_standing needs), and the last on or before the report day
        # (rid CAST to text: an expression has no affinity on SQLite, which then will not index it to join)
        " mv AS (SELECT CAST(coalesce(ro.root, v.resident_id) AS TEXT) AS rid,"
        "  min(CASE WHEN v.method = 'home' THEN v.visit_date END) AS first_home, min(v.visit_date) AS first_any,"
        "  max(CASE WHEN v.visit_date <= :day THEN v.visit_date END) AS seen"
        "  FROM visit v LEFT JOIN roots ro ON ro.id = v.resident_id"
        f"  WHERE v.visit_date BETWEEN :first AND :last AND {counting} GROUP BY coalesce(ro.root, v.resident_id)),"
        # at high or emergency risk on the day: their latest assessment up to it is at that level
        " hi AS (SELECT ra.resident_id FROM risk_assessment ra WHERE ra.level IN ('high', 'emergency')"
        "  AND NOT ra.deleted AND ra.assessed_on <= :day AND ra.resident_id IS NOT NULL"
        "  AND NOT EXISTS (SELECT 1 FROM risk_assessment rb WHERE rb.resident_id = ra.resident_id"
        "   AND NOT rb.deleted AND rb.assessed_on <= :day"
        "   AND (rb.assessed_on > ra.assessed_on OR (rb.assessed_on = ra.assessed_on AND rb.hlc > ra.hlc)))),"
        " refs AS (SELECT f.resident_id FROM referral f WHERE NOT f.deleted AND f.resident_id IS NOT NULL"
        "  AND (f.opened_on IS NULL OR f.opened_on <= :day) AND (f.status != 'closed' OR f.closed_on > :day)),"
        f"{placed_cte(placed, params, dialect == 'postgresql') + ',' if placed else ''}"
        f" km AS (SELECT r.id, {grid} AS grid_code, {village} AS village_code,"
        "  mv.first_home, mv.first_any, mv.seen,"
        # the rest of report_query.PERSON_COLUMNS, for listed_rows (read only there: a query that reads none
        # of them does not read them)
        f"  {', '.join(f'r.{c} AS r_{c}' for c in _PERSON_REST)},"
        "  CAST(r.categories AS TEXT) AS cats, CASE WHEN r.birth_date <= :elder THEN 1 ELSE 0 END AS elder,"
        f"  CASE WHEN mv.first_home <= {end} THEN 'in_person' WHEN mv.first_any <= {end} THEN 'other_ways'"
        # closed in the month before any visit that counts: no key person of it
        "   WHEN r.status = 'closed' AND r.closed_on <= :last THEN NULL ELSE 'not_visited' END AS standing,"
        f"  CASE WHEN {_plain_sql(policy, first, last, day, params, dialect)} THEN 1 ELSE 0 END AS plain"
        "  FROM resident r LEFT JOIN grid g ON g.id = r.grid_code LEFT JOIN mv ON mv.rid = r.id"
        f"{' LEFT JOIN pl ON pl.id = r.id' if placed else ''}"
        f"  WHERE {' AND '.join(where)}"
        # registered after a close in the month: on no day's register
        "  AND NOT (r.status = 'closed' AND r.registered_on IS NOT NULL AND r.registered_on > r.closed_on))"
    )
    if not params["extra"]:
        del params["extra"]
    return sql, params


def assessment_ctes(assessed_in_month: bool = False) -> str:
    """CTEs ah (each resident's assessments up to :day, a duplicate's on its record, with the clock that
    orders two of one day) and la (the latest of each), in the order followup's histories had: by date, then
    by the clock of the first event (read only where two share a date), then id. `assessed_in_month`: only
    the residents assessed between :first and :day (who may have worsened in the month)."""
    rid = "CAST(coalesce(ro.root, a.resident_id) AS TEXT)"  # (text, so that SQLite indexes it to join: see mv)
    only = (f" AND {rid} IN (SELECT coalesce(rm.root, m.resident_id) FROM assessment m LEFT JOIN roots rm"
            "  ON rm.id = m.resident_id WHERE NOT m.deleted AND m.assessed_on BETWEEN :first AND :day)"
            if assessed_in_month else "")
    return (
        f" ah AS (SELECT {rid} AS rid, a.id, a.assessed_on," + "".join(f" a.{d}," for d in DIMENSIONS)
        + f"  CASE WHEN count(*) OVER (PARTITION BY {rid}, a.assessed_on) > 1"
        "   THEN coalesce((SELECT min(e.hlc) FROM event e WHERE e.record_type = 'assessment' AND e.record_id = a.id), 0)"
        "   ELSE 0 END AS tie"
        f"  FROM assessment a LEFT JOIN roots ro ON ro.id = a.resident_id WHERE NOT a.deleted AND a.assessed_on <= :day"
        f"{only}),"
        " la AS (SELECT * FROM (SELECT ah.*, row_number() OVER"
        "  (PARTITION BY ah.rid ORDER BY ah.assessed_on DESC, ah.tie DESC, ah.id DESC) AS n FROM ah) x WHERE x.n = 1)"
    )


def latest_assessment_ctes() -> str:
    """CTE la: each resident's latest assessment up to :day (a duplicate's on its record), the one
    assessment_ctes' la picks (by date, then the clock of its first event, then id), found without ordering
    every assessment: the latest date per resident by grouping, and the clock read only where two share it
    (assessment_ctes' two window passes over a county's 290,000 assessments cost ~0.8 s of server time).
    For PostgreSQL: SQLite joins these CTEs by nested loops (see month_groups)."""
    rid = "CAST(coalesce(ro.root, a.resident_id) AS TEXT)"  # (text, so that SQLite indexes it to join: see mv)
    dims = "".join(f", a.{d}" for d in DIMENSIONS)
    return (
        f" a0 AS NOT MATERIALIZED (SELECT {rid} AS rid, a.id, a.assessed_on{dims} FROM assessment a"
        "  LEFT JOIN roots ro ON ro.id = a.resident_id WHERE NOT a.deleted AND a.assessed_on <= :day),"
        " ld AS (SELECT a0.rid, max(a0.assessed_on) AS d FROM a0 GROUP BY a0.rid),"
        # the assessments of each resident's latest date; those of a resident with several there (few)
        " lc AS (SELECT a0.* FROM a0 JOIN ld ON ld.rid = a0.rid AND ld.d = a0.assessed_on),"
        " ln AS (SELECT lc.rid FROM lc GROUP BY lc.rid HAVING count(*) > 1),"
        " la AS (SELECT lc.* FROM lc WHERE lc.rid NOT IN (SELECT ln.rid FROM ln)"
        "  UNION ALL SELECT y.rid, y.id, y.assessed_on" + "".join(f", y.{d}" for d in DIMENSIONS)
        + " FROM (SELECT lc.*, row_number() OVER (PARTITION BY lc.rid ORDER BY coalesce((SELECT min(e.hlc) FROM event e"
        "   WHERE e.record_type = 'assessment' AND e.record_id = lc.id), 0) DESC, lc.id DESC) AS n"
        "  FROM lc WHERE lc.rid IN (SELECT ln.rid FROM ln)) y WHERE y.n = 1)"
    )


def month_groups(conn: Connection, policy: Policy, first: dt.date, last: dt.date, day: dt.date,
                 grid_code: str | None, placed: dict[str, Place]) -> list[Group]:
    """The key persons of the month counted per grid, village, category list and 80-or-over."""
    from storage.register.report_query import text

    ctes, params = month_ctes(conn, policy, first, last, day, grid_code, [], placed)
    grades = "".join(f", count(*) FILTER (WHERE la.{d} = 'moderate'), count(*) FILTER (WHERE la.{d} = 'severe')"
                     for d in DIMENSIONS)
    # SQLite keeps the window passes: it runs latest_assessment_ctes' joins of CTEs as nested loops
    # (a township's report: 0.2 s -> 28 s), and a township's few thousand assessments sort in no time
    latest = latest_assessment_ctes() if conn.dialect.name == "postgresql" else assessment_ctes()
    sql = (f"{ctes}, {latest}"
           " SELECT km.grid_code, km.village_code, km.cats, km.elder, count(*),"
           " count(*) FILTER (WHERE km.standing = 'in_person'), count(*) FILTER (WHERE km.standing = 'other_ways'),"
           f" count(la.rid){grades}"
           " FROM km LEFT JOIN la ON la.rid = km.id WHERE km.standing IS NOT NULL"
           " GROUP BY km.grid_code, km.village_code, km.cats, km.elder")
    out = []
    for row in conn.execute(text(sql), params).all():  # (fetchall: iterating fetches row by row)
        g = row[8:]
        out.append(Group(row[0] or "", row[1] or "", row[2] or "[]", bool(row[3]), int(row[4]), int(row[5]),
                         int(row[6]), int(row[7]), {d: int(g[2 * i]) for i, d in enumerate(DIMENSIONS)},
                         {d: int(g[2 * i + 1]) for i, d in enumerate(DIMENSIONS)}))
    return out


def run_start_sql(packed: str, resident: str, level: str, day: str) -> str:
    """due.risk_from_sql's day (the first assessment of the latest unbroken run at `level`, up to `day`) in two
    look-ups by ix_risk_resident: the latest assessment at another level, then the earliest at `level` not
    before it. Its correlated NOT EXISTS cost ~0.5 s for a county's 12,000 listed at high risk (issue #17).
    `packed`: report_query.risk_packed's; its date and clock (the text before the level) sort as they do,
    so "not before" is >= on them, as NOT EXISTS (another level strictly after) is.
    `ra.level || ''`, as due.risk_from_sql: an SQLite file without statistics (a fresh county's) otherwise walks
    ix_risk_level, every assessment at the level in the database for each row (a county's November: 11 minutes)."""
    moment = packed.removesuffix(" || '|' || ra.level")
    assert moment != packed, "risk_packed ends with the level"
    return (f"(SELECT min(ra.assessed_on) FROM risk_assessment ra WHERE ra.resident_id = {resident}"
            f" AND NOT ra.deleted AND ra.level || '' = {level} AND ra.assessed_on <= {day}"
            f" AND {moment} >= coalesce((SELECT max({moment.replace('ra.', 'rb.')}) FROM risk_assessment rb"
            f"  WHERE rb.resident_id = {resident} AND NOT rb.deleted AND rb.level != {level}"
            f"  AND rb.assessed_on <= {day}), ''))")


def listed_rows(conn: Connection, policy: Policy, first: dt.date, last: dt.date, day: dt.date,
                grid_code: str | None, extra: list[str], placed: dict[str, Place], *, quiet: bool = False,
                township: str | None = None) -> list[tuple]:
    """The key persons that are not plain (and those of `extra`), as report_query.person_row reads them,
    then their first visit in person and first visit that counts in the month (a duplicate's included), and
    the day their risk level began when it is high or emergency (report_query.risk_began's, here per row).
    `quiet`: instead the plain key persons not visited (本月未探访 names them, and nothing else does)."""
    from storage.register.report_query import risk_packed, text

    ctes, params = month_ctes(conn, policy, first, last, day, grid_code, extra, placed, township)
    # the last visit that counts: the month's (on or before the day) when there is one, else looked up
    # x is MATERIALIZED: inlined, its risk subquery would run again for each use of x.risk (both engines)
    sql = (f"{ctes}, x AS MATERIALIZED (SELECT {_KM_PERSON}, coalesce(km.seen, {last_seen_sql(policy, 'km.id')})"
           f" AS seen, {risk_at_sql('km.id', column=risk_packed(conn))} AS risk, km.first_home, km.first_any"
           f" FROM km WHERE {QUIET if quiet else 'km.standing IS NOT NULL AND km.plain = 0'})"
           # the risk packed as "date|clock|level": the level from its 33rd character
           " SELECT x.*, CASE WHEN substr(x.risk, 33) IN ('high', 'emergency')"
           f" THEN {run_start_sql(risk_packed(conn), 'x.id', 'substr(x.risk, 33)', ':day')} END FROM x")
    return list(conn.execute(text(sql), params).all())  # (.all(): fetchall; iterating fetches row by row)

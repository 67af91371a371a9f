"""The SQL behind the monthly report, and the reads of "last seen" and "risk at a day" it shares.

A handful of set-based queries, each walking an index per key person (never a
Python loop over visits), so that the county data set (120,000 residents,
1.44 million visits) reports in about a second. Definitions: docs/reports.md;
the rule they feed (due, month standing) is storage/register/due.py.

Reusable by the home screen and search: `last_seen_sql` and `risk_at_sql` are the one
definition of "last visit that counts" and "risk at a day".
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.core import json_text, places
from storage.core.id_lists import ids_subquery
from storage.register.due import risk_from_sql
from storage.register.policy import FINDING_LEVELS, Policy, counting_visit_sql

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def text(sql: str):
    """sqlalchemy.text, imported when a query runs: Home's first figures use the rules here before that import."""
    from sqlalchemy import text as sa_text

    return sa_text(sql)


def last_seen_sql(policy: Policy, resident: str = "r.id", until: str = ":day") -> str:
    """The date of the last visit on or before `until` in which `resident` was seen.

    ORDER BY ... LIMIT 1 walks ix_visit_resident_date backwards and usually stops
    at the first row; max() would read every visit of the resident.
    """
    return (f"(SELECT v.visit_date FROM visit v WHERE v.resident_id = {resident} AND v.visit_date <= {until}"
            f" AND {counting_visit_sql(policy)} ORDER BY v.visit_date DESC LIMIT 1)")


def risk_at_sql(resident: str = "r.id", day: str = ":day", column: str = "ra.level") -> str:
    """The risk level (or another column) in effect at `day`: the latest assessment on or before it."""
    return (f"(SELECT {column} FROM risk_assessment ra WHERE ra.resident_id = {resident} AND NOT ra.deleted"
            f" AND ra.assessed_on <= {day} ORDER BY ra.assessed_on DESC, ra.hlc DESC LIMIT 1)")


# date, clock and level in one sortable text: "2026-10-03|00000001790000000000|high"
RISK_PACKED = "ra.assessed_on || '|' || printf('%020d', ra.hlc) || '|' || ra.level"
# the same on PostgreSQL (no printf; a date is written as text explicitly)
RISK_PACKED_PG = "to_char(ra.assessed_on, 'YYYY-MM-DD') || '|' || lpad(ra.hlc::text, 20, '0') || '|' || ra.level"


def risk_packed(conn: Connection) -> str:
    """RISK_PACKED in the SQL of the connection's engine."""
    return RISK_PACKED_PG if conn.dialect.name == "postgresql" else RISK_PACKED


def unpack_risk(value: str | None) -> tuple[dt.date | None, int, str | None]:
    if not value:
        return None, 0, None
    day, hlc, level = value.split("|", 2)
    return as_date(day), int(hlc), level


def category_list(value: Any) -> list[str]:
    """A resident's categories from the JSON text SQLite holds (or as the server's driver decoded it); a new list
    each call. The damaged database's line for any other shape: on a server a number ended the reader in "an
    unexpected error", an object was read as its keys."""
    if isinstance(value, str):
        return list(_category_codes(value))
    if value is None or (type(value) is list and all(type(c) is str for c in value)):
        return list(value or [])
    raise json_text.damaged()


# thousands of rows share a few distinct category lists: each text is decoded once
@functools.lru_cache(maxsize=1024)
def _category_codes(text: str) -> tuple[str, ...]:
    codes = json_text.loads(text) or ()
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        raise json_text.damaged()  # an object's keys, a text's letters, counted as categories: a wrong figure
    return tuple(codes)


def as_date(value: Any) -> dt.date | None:
    """A date as a read of the database gives it. What is no date (a date column edited by hand): the damaged
    database's line, its row named by storage/core/unreadable.py, not "an unexpected error" (exit 70)."""
    try:
        if value.__class__ is str and len(value) == 10:  # how SQLite holds a date: the common case, made cheap
            return dt.date.fromisoformat(value)
        if value is None or isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise json_text.damaged() from None


@dataclass(slots=True)
class PersonRow:
    """One key person of the month, as read (before the month's rules are applied)."""

    id: str
    name: str
    pinyin: str
    id_number: str | None
    sex: str | None
    birth_date: dt.date | None
    village_code: str
    grid_code: str
    categories: list[str]
    status: str
    closed_on: dt.date | None
    close_reason: str
    registered_on: dt.date | None
    frequency_override: int | None
    risk_level: str
    risk_since: dt.date | None
    risk_hlc: int
    last_seen: dt.date | None
    visits: list[tuple[dt.date, str]] = field(default_factory=list)  # the month's visits that count: (date, method)
    risk_from: dt.date | None = None  # the day the risk level in effect began (due.risk_from_sql)
    close_note: str = ""  # the remark made when the case was closed
    entered_on: dt.date | None = None  # the day the record entered gridcare, read when never visited


def month_visits(conn: Connection, policy: Policy, first: dt.date, last: dt.date,
                 roots: dict[str, str]) -> dict[str, list[tuple[dt.date, str]]]:
    """Each resident's visits that count in first..last, as (date, method); a duplicate's go to its record.

    The month's visits are one range of ix_visit_date: cheaper than a subquery per resident.
    """
    rows = conn.execute(text(month_visits_sql(policy)), {"first": first.isoformat(), "last": last.isoformat()})
    return group_visits(rows, roots)


def month_visits_sql(policy: Policy) -> str:
    """(resident, date, method) of the visits that count between :first and :last (also run by Home, on sqlite3)."""
    return (f"SELECT v.resident_id, v.visit_date, v.method FROM visit v WHERE v.visit_date BETWEEN :first AND :last"
            f" AND {counting_visit_sql(policy)}")


def group_visits(rows, roots: dict[str, str]) -> dict[str, list[tuple[dt.date, str]]]:
    out: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for rid, day, method in rows:
        out[roots.get(rid, rid)].append((as_date(day), method))
    return out


def risk_began(conn: Connection, levels: dict[str, str], day: dt.date) -> dict[str, dt.date]:
    """For residents at a high or emergency level on `day` ({id: level}): the day that level began."""
    out: dict[str, dt.date] = {}
    for level in FINDING_LEVELS:
        ids = sorted(rid for rid, lv in levels.items() if lv == level)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ", ".join(f":id{n}" for n in range(len(chunk)))
            sql = f"SELECT r.id, {risk_from_sql('r.id', ':level', ':day')} FROM resident r WHERE r.id IN ({marks})"
            params = {"level": level, "day": day.isoformat(), **{f"id{n}": rid for n, rid in enumerate(chunk)}}
            out.update((rid, as_date(began)) for rid, began in conn.execute(text(sql), params) if began)
    return out


# a key person's columns as PersonRow reads them (then its last visit that counts and its packed risk)
PERSON_COLUMNS = ("r.id, r.name, r.name_pinyin, r.id_number, r.sex, r.birth_date,"
                  # the JSON list as text on both engines: the few distinct lists are decoded once (category_list)
                  " coalesce(r.village_code, g.village_code, ''), r.grid_code, CAST(r.categories AS TEXT), r.status,"
                  " r.closed_on, r.close_reason, r.registered_on, r.visit_frequency_days, r.close_note")


def key_person_where(first: dt.date, last: dt.date, day: dt.date, grid_code: str | None,
                     grid_column: str = "r.grid_code", township: str | None = None,
                     also: str | None = None) -> tuple[list[str], dict]:
    """Registered by the month's end, not deleted, not merged away, and not closed before the month began;
    with `grid_code`, in that grid (`grid_column`: where the report places them); with `township` (a county's
    code of one), in a grid of it, or in one whose id names no township (the caller keeps those of it by
    their village: county_passes.township_of), or among the ids `also` (a subquery) selects."""
    where = ["NOT r.deleted", "r.merged_into IS NULL",
             "(r.registered_on IS NULL OR r.registered_on <= :last)",
             "(r.status != 'closed' OR r.closed_on >= :first)"]
    params = {"first": first.isoformat(), "last": last.isoformat(), "day": day.isoformat()}
    if grid_code:
        where.append(f"{grid_column} = :grid")
        params["grid"] = grid_code
    if township:
        either = f" OR r.id IN ({also})" if also else ""
        where.append(f"({grid_column} LIKE :town OR {grid_column} IS NULL OR {grid_column} NOT LIKE '%-%'{either})")
        params["town"] = f"{township}-%"
    return where, params


def category_where(category: str, day: dt.date, params: dict) -> str:
    """Residents who may be in `category` on `day`: its code in their stored list (LIKE: a code's "_" matches any
    character, so a few more), or for 高龄 (derived) born by the day 80 years before. The caller keeps those in it."""
    from storage.register.categories import ADVANCED_AGE, ADVANCED_AGE_FROM
    from storage.register.policy import born_by

    params["category"] = f'%"{category}"%'
    if category != ADVANCED_AGE:
        return "CAST(r.categories AS TEXT) LIKE :category"
    params["elder"] = born_by(day, ADVANCED_AGE_FROM).isoformat()
    return "(CAST(r.categories AS TEXT) LIKE :category OR r.birth_date <= :elder)"


def person_row(m: Any) -> PersonRow:
    """A PersonRow from PERSON_COLUMNS, last seen and the packed risk, in that order."""
    risk_since, risk_hlc, risk_level = unpack_risk(m[16])
    return PersonRow(
        id=m[0], name=m[1] or "", pinyin=m[2] or "", id_number=m[3], sex=m[4], birth_date=as_date(m[5]),
        village_code=m[6] or "", grid_code=m[7] or "", categories=category_list(m[8]),
        status=m[9], closed_on=as_date(m[10]), close_reason=m[11] or "", registered_on=as_date(m[12]),
        frequency_override=m[13], risk_level=risk_level or "low", risk_since=risk_since, risk_hlc=risk_hlc,
        last_seen=as_date(m[15]), close_note=m[14] or "",
    )


def key_persons(conn: Connection, policy: Policy, first: dt.date, last: dt.date, day: dt.date,
                grid_code: str | None, township: str | None = None, also: Iterable[str] = (),
                category: str | None = None) -> Iterator[PersonRow]:
    """Every resident who may be a key person of the month (key_person_where); with `township`, also those of
    `also` (counted in another place in the month than now: the caller keeps them by where they were); with
    `category`, only those who may be in it (category_where: some more, never fewer).

    Whether each one is a key person of the month is due.month_standing's to say (a case closed
    in the month counts only if visited before the close); `visits` are left for the caller to fill.
    """
    ids = sorted(also)
    where, params = key_person_where(first, last, day, grid_code, township=township,
                                     also=ids_subquery("also", conn.dialect.name == "postgresql") if ids else None)
    if township and ids:
        params["also"] = json.dumps(ids)
    if category:
        where.append(category_where(category, day, params))
    if conn.dialect.name == "postgresql" and not township and not category:
        # a county: each resident's last visit and risk by one pass over each table (GROUP BY, DISTINCT ON),
        # which PostgreSQL runs in about half the time of a correlated subquery per resident; the same rows
        # (for one township, a twentieth of the residents, the subqueries: they read only theirs)
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")  # the risk rows' sort stays in memory
        sql = (
            f"WITH ls AS (SELECT v.resident_id, max(v.visit_date) AS last_seen FROM visit v"
            f"  WHERE v.visit_date <= :day AND {counting_visit_sql(policy)} GROUP BY v.resident_id),"
            f" rk AS (SELECT DISTINCT ON (ra.resident_id) ra.resident_id, {RISK_PACKED_PG} AS risk"
            "  FROM risk_assessment ra WHERE NOT ra.deleted AND ra.assessed_on <= :day"
            "  ORDER BY ra.resident_id, ra.assessed_on DESC, ra.hlc DESC) "
            f"SELECT {PERSON_COLUMNS}, ls.last_seen, rk.risk"
            " FROM resident r LEFT JOIN grid g ON g.id = r.grid_code LEFT JOIN ls ON ls.resident_id = r.id"
            f" LEFT JOIN rk ON rk.resident_id = r.id WHERE {' AND '.join(where)}"
        )
    else:
        sql = (
            f"SELECT {PERSON_COLUMNS}, {last_seen_sql(policy)} AS last_seen, {risk_at_sql(column=risk_packed(conn))} AS risk"
            " FROM resident r LEFT JOIN grid g ON g.id = r.grid_code"
            f" WHERE {' AND '.join(where)}"
        )
    for m in conn.execute(text(sql), params).all():
        yield person_row(m)


@dataclass(slots=True)
class AliasFacts:
    """What a duplicate merged into a key person adds to it (its visits, risk and referrals show there)."""

    root: str
    last_seen: dt.date | None
    risk_level: str | None
    risk_since: dt.date | None
    risk_hlc: int


# every merged duplicate -> the record it ends up in (chains followed); also run through sqlite3 by storage.register.home
# (the recursive part, named so that a report's grouped SQL can put it in its own WITH RECURSIVE)
ALIAS_CTE = ("alias(id, root) AS ("
             " SELECT id, merged_into FROM resident WHERE merged_into IS NOT NULL AND NOT deleted"
             " UNION SELECT a.id, r.merged_into FROM alias a JOIN resident r ON r.id = a.root"
             "  WHERE r.merged_into IS NOT NULL AND NOT r.deleted)")
ALIAS_ROOTS_SQL = (f"WITH RECURSIVE {ALIAS_CTE}"
                   " SELECT a.id, a.root FROM alias a JOIN resident r ON r.id = a.root WHERE r.merged_into IS NULL")


def alias_roots(conn: Connection) -> dict[str, str]:
    """Every merged duplicate -> the record it ends up in (chains followed)."""
    return {dup: root for dup, root in conn.execute(text(ALIAS_ROOTS_SQL))}


def merged_aliases(conn: Connection, policy: Policy, roots: dict[str, str], first: dt.date, last: dt.date,
                   day: dt.date) -> list[AliasFacts]:
    """The facts of each merged duplicate (few: one small query each)."""
    params = {"first": first.isoformat(), "last": last.isoformat(), "day": day.isoformat()}
    facts = []
    for dup, root in sorted(roots.items()):
        row = conn.execute(text(
            f"SELECT {last_seen_sql(policy, ':dup')}, {risk_at_sql(':dup', column=risk_packed(conn))}"
        ), {**params, "dup": dup}).one()
        since, hlc, level = unpack_risk(row[1])
        facts.append(AliasFacts(root, as_date(row[0]), level, since, hlc))
    return facts


def open_referrals(conn: Connection, day: dt.date) -> list[tuple]:
    """Referrals open at `day`: opened on or before it and not closed on or before it (the day one closed after it
    is last, for its status as it stood on `day`)."""
    sql = ("SELECT f.id, f.resident_id, f.agency, f.reason, f.status, f.opened_on, f.level, f.department, f.due_on,"
           " f.closed_on"
           " FROM referral f WHERE NOT f.deleted AND (f.opened_on IS NULL OR f.opened_on <= :day)"
           " AND (f.status != 'closed' OR f.closed_on > :day)")
    return [(r[0], r[1], r[2], r[3] or "", r[4], as_date(r[5]), r[6], r[7] or "", as_date(r[8]), as_date(r[9]))
            for r in conn.execute(text(sql), {"day": day.isoformat()})]


def visits_by_worker(conn: Connection, policy: Policy, first: dt.date, last: dt.date,
                     grid_code: str | None) -> list[tuple]:
    """Per worker and grid: (visitor, grid, visits, home, phone, video, proxy, person not reached, visits that
    count, residents visited (a visit that counts), residents seen in person (见到本人))."""
    counting = counting_visit_sql(policy)
    seen = "v.method = 'home' AND v.contact_made"
    where = "NOT v.deleted AND v.visit_date BETWEEN :first AND :last AND NOT r.deleted"
    params = {"first": first.isoformat(), "last": last.isoformat()}
    if grid_code:
        where += " AND v.grid_code = :grid"
        params["grid"] = grid_code
    sql = ("SELECT v.visitor, v.grid_code, count(*), count(*) FILTER (WHERE v.method = 'home'),"
           " count(*) FILTER (WHERE v.method = 'phone'), count(*) FILTER (WHERE v.method = 'video'),"
           " count(*) FILTER (WHERE v.method = 'proxy'), count(*) FILTER (WHERE NOT v.contact_made),"
           f" count(*) FILTER (WHERE {counting}), count(DISTINCT CASE WHEN {counting} THEN coalesce(r.merged_into, r.id) END),"
           f" count(DISTINCT CASE WHEN {seen} THEN coalesce(r.merged_into, r.id) END)"
           " FROM visit v JOIN resident r ON r.id = v.resident_id"
           f" WHERE {where} GROUP BY v.visitor, v.grid_code")
    return [tuple(row) for row in conn.execute(text(sql), params).all()]


def township_names(conn: Connection) -> dict[str, str]:
    """township code -> name (a county's townships)."""
    return {r[0]: r[1] or r[0] for r in conn.execute(text("SELECT id, name FROM township WHERE NOT deleted"))}


def village_names(conn: Connection) -> dict[str, str]:
    """village id -> name: the township's records', else the name a grid's worker gave it (places.village_names)."""
    records = conn.execute(text("SELECT id, name FROM village WHERE NOT deleted")).all()
    given = conn.execute(text("SELECT id, village_code, village_name FROM grid WHERE NOT deleted"
                              " AND village_name <> '' AND village_code IS NOT NULL")).all()
    return places.village_names(((r[0], r[1]) for r in records), ((g[0], g[1], g[2]) for g in given))


def place_names(conn: Connection) -> tuple[dict[str, str], dict[str, str]]:
    """(village id -> name, grid id -> name)."""
    grids = {r[0]: r[1] or r[0] for r in conn.execute(text("SELECT id, name FROM grid WHERE NOT deleted"))}
    return village_names(conn), grids

"""The SQL behind the monthly report, and the due rule it shares with other screens.

A handful of set-based queries, each walking an index per key person (never a
Python loop over visits), so that the county data set (120,000 residents,
1.44 million visits) reports in about a second. Definitions: docs/reports.md.

Reusable by the home screen: `seen_methods`, `last_seen_sql`, `risk_at_sql`
and `due_on` are the one definition of "seen", "risk at a day" and "due".
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.register.policy import Policy, due_date

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def text(sql: str):
    """sqlalchemy.text, imported when a query runs: Home's first figures use the rules here before that import."""
    from sqlalchemy import text as sa_text

    return sa_text(sql)


def seen_methods(policy: Policy) -> tuple[str, ...]:
    """Methods by which a resident can be "seen": phone and video only where the policy says so.

    A visit through someone else (proxy) never counts: the resident was not seen.
    """
    return ("home", "phone", "video") if policy.phone_counts else ("home",)


def counting_visit_sql(policy: Policy, alias: str = "v") -> str:
    methods = ", ".join(f"'{m}'" for m in seen_methods(policy))
    return f"{alias}.deleted = 0 AND {alias}.resident_seen = 1 AND {alias}.method IN ({methods})"


def last_seen_sql(policy: Policy, resident: str = "r.id", until: str = ":day") -> str:
    """The date of the last visit on or before `until` in which `resident` was seen.

    ORDER BY ... LIMIT 1 walks ix_visit_resident_date backwards and usually stops
    at the first row; max() would read every visit of the resident.
    """
    return (f"(SELECT v.visit_date FROM visit v WHERE v.resident_id = {resident} AND v.visit_date <= {until}"
            f" AND {counting_visit_sql(policy)} ORDER BY v.visit_date DESC LIMIT 1)")


def seen_between_sql(policy: Policy, resident: str = "r.id", start: str = ":first", end: str = ":last") -> str:
    return (f"EXISTS (SELECT 1 FROM visit v WHERE v.resident_id = {resident} AND v.visit_date BETWEEN {start} AND {end}"
            f" AND {counting_visit_sql(policy)})")


def risk_at_sql(resident: str = "r.id", day: str = ":day", column: str = "ra.level") -> str:
    """The risk level (or another column) in effect at `day`: the latest assessment on or before it."""
    return (f"(SELECT {column} FROM risk_assessment ra WHERE ra.resident_id = {resident} AND ra.deleted = 0"
            f" AND ra.assessed_on <= {day} ORDER BY ra.assessed_on DESC, ra.hlc DESC LIMIT 1)")


# date, clock and level in one sortable text: "2026-10-03|00000001790000000000|high"
RISK_PACKED = "ra.assessed_on || '|' || printf('%020d', ra.hlc) || '|' || ra.level"


def unpack_risk(value: str | None) -> tuple[dt.date | None, int, str | None]:
    if not value:
        return None, 0, None
    day, hlc, level = value.split("|", 2)
    return as_date(day), int(hlc), level


def due_on(policy: Policy, risk_level: str, override: int | None, last_seen: dt.date | None,
           registered_on: dt.date | None, day: dt.date) -> dt.date:
    """Due date: last visit in which the resident was seen (else registration) + the frequency."""
    return due_date(last_seen, registered_on, policy.frequency_days(risk_level, override), day)


def category_list(value: Any) -> list[str]:
    """A resident's categories from the JSON text SQLite holds (or a list already); a new list each call."""
    return list(_category_codes(value)) if isinstance(value, str) else list(value or [])


# thousands of rows share a few distinct category lists: each text is decoded once
@functools.lru_cache(maxsize=1024)
def _category_codes(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text) or ())


def as_date(value: Any) -> dt.date | None:
    if value.__class__ is str and len(value) == 10:  # how SQLite holds a date: the common case, made cheap
        return dt.date.fromisoformat(value)
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


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
    seen_in_month: bool


def key_persons(conn: Connection, policy: Policy, first: dt.date, last: dt.date, day: dt.date,
                grid_code: str | None) -> Iterator[PersonRow]:
    """Registered by the month's end, not deleted, not merged away, and active at some time in the month."""
    where = ["r.deleted = 0", "r.merged_into IS NULL",
             "(r.registered_on IS NULL OR r.registered_on <= :last)",
             "(r.status != 'closed' OR r.closed_on >= :first)"]
    params = {"first": first.isoformat(), "last": last.isoformat(), "day": day.isoformat()}
    if grid_code:
        where.append("r.grid_code = :grid")
        params["grid"] = grid_code
    sql = (
        "SELECT r.id, r.name, r.name_pinyin, r.id_number, r.sex, r.birth_date,"
        " coalesce(r.village_code, g.village_code, ''), r.grid_code, r.categories, r.status, r.closed_on,"
        " r.close_reason, r.registered_on, r.visit_frequency_days,"
        f" {last_seen_sql(policy)} AS last_seen, {risk_at_sql(column=RISK_PACKED)} AS risk"
        " FROM resident r LEFT JOIN grid g ON g.id = r.grid_code"
        f" WHERE {' AND '.join(where)}"
    )
    # the month's visits are one range of ix_visit_date: cheaper than an EXISTS per resident
    seen = {row[0] for row in conn.execute(text(
        f"SELECT DISTINCT v.resident_id FROM visit v WHERE v.visit_date BETWEEN :first AND :last"
        f" AND {counting_visit_sql(policy)}"), params)}
    for m in conn.execute(text(sql), params).all():
        cats = m[8]
        risk_since, risk_hlc, risk_level = unpack_risk(m[15])
        yield PersonRow(
            id=m[0], name=m[1] or "", pinyin=m[2] or "", id_number=m[3], sex=m[4], birth_date=as_date(m[5]),
            village_code=m[6] or "", grid_code=m[7] or "",
            categories=json.loads(cats) if isinstance(cats, str) else list(cats or []),
            status=m[9], closed_on=as_date(m[10]), close_reason=m[11] or "", registered_on=as_date(m[12]),
            frequency_override=m[13], risk_level=risk_level or "low", risk_since=risk_since, risk_hlc=risk_hlc,
            last_seen=as_date(m[14]), seen_in_month=m[0] in seen,
        )


@dataclass(slots=True)
class AliasFacts:
    """What a duplicate merged into a key person adds to it (its visits, risk and referrals show there)."""

    root: str
    last_seen: dt.date | None
    seen_in_month: bool
    risk_level: str | None
    risk_since: dt.date | None
    risk_hlc: int


# every merged duplicate -> the record it ends up in (chains followed); also run through sqlite3 by storage.register.home
ALIAS_ROOTS_SQL = (
    "WITH RECURSIVE alias(id, root) AS ("
    " SELECT id, merged_into FROM resident WHERE merged_into IS NOT NULL AND deleted = 0"
    " UNION SELECT a.id, r.merged_into FROM alias a JOIN resident r ON r.id = a.root"
    "  WHERE r.merged_into IS NOT NULL AND r.deleted = 0)"
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
            f"SELECT {last_seen_sql(policy, ':dup')}, {seen_between_sql(policy, ':dup')},"
            f" {risk_at_sql(':dup', column=RISK_PACKED)}"
        ), {**params, "dup": dup}).one()
        since, hlc, level = unpack_risk(row[2])
        facts.append(AliasFacts(root, as_date(row[0]), bool(row[1]), level, since, hlc))
    return facts


def open_referrals(conn: Connection, day: dt.date) -> list[tuple]:
    """Referrals open at `day`: opened on or before it and not closed on or before it."""
    sql = ("SELECT f.id, f.resident_id, f.agency, f.reason, f.status, f.opened_on, f.level, f.department, f.due_on"
           " FROM referral f WHERE f.deleted = 0 AND (f.opened_on IS NULL OR f.opened_on <= :day)"
           " AND (f.status != 'closed' OR f.closed_on > :day)")
    return [(r[0], r[1], r[2], r[3] or "", r[4], as_date(r[5]), r[6], r[7] or "", as_date(r[8]))
            for r in conn.execute(text(sql), {"day": day.isoformat()})]


def visits_by_worker(conn: Connection, policy: Policy, first: dt.date, last: dt.date,
                     grid_code: str | None) -> list[tuple]:
    """(visitor, grid, visits, home, phone, video, proxy, not seen, counted, residents seen) per worker and grid."""
    counting = counting_visit_sql(policy)
    where = "v.deleted = 0 AND v.visit_date BETWEEN :first AND :last AND r.deleted = 0"
    params = {"first": first.isoformat(), "last": last.isoformat()}
    if grid_code:
        where += " AND v.grid_code = :grid"
        params["grid"] = grid_code
    sql = ("SELECT v.visitor, v.grid_code, count(*), sum(v.method = 'home'), sum(v.method = 'phone'),"
           " sum(v.method = 'video'), sum(v.method = 'proxy'), sum(v.resident_seen = 0),"
           f" sum({counting}), count(DISTINCT CASE WHEN {counting} THEN coalesce(r.merged_into, r.id) END)"
           " FROM visit v JOIN resident r ON r.id = v.resident_id"
           f" WHERE {where} GROUP BY v.visitor, v.grid_code")
    return [tuple(row) for row in conn.execute(text(sql), params)]


def place_names(conn: Connection) -> tuple[dict[str, str], dict[str, str]]:
    """(village code -> name, grid id -> name)."""
    villages = {r[0]: r[1] or r[0] for r in conn.execute(text("SELECT id, name FROM village WHERE deleted = 0"))}
    grids = {r[0]: r[1] or r[0] for r in conn.execute(text("SELECT id, name FROM grid WHERE deleted = 0"))}
    return villages, grids

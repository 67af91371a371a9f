"""Searching the register: name, pinyin (full or initials), ID-number tail, phone, a grid's code; filters; pages.

A query is answered in stages, each an index-friendly condition ordered on its
own, later stages excluding earlier matches: prefix matches come before
"contains" matches, and a page that spans two stages is stitched from both.
Prefixes are written as ranges (`col >= 'zs' AND col < 'zt'`), not LIKE: with
SQLite's default case-insensitive LIKE, a LIKE prefix cannot use a plain index.
Short Chinese searches go to the base table (an FTS5 trigram index returns no
rows for one or two characters).

Due status (overdue, due this week, visited this month) is computed in SQL from
the visit history and the policy, never stored.

The same search runs on a county's PostgreSQL database (`search_sql.EngineSql`): "contains" is strpos
there (SQLite: instr, over its rowids), and prefixes and order compare text byte by byte
(COLLATE "C"), as SQLite does, so both engines give the same pages.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from storage.core.db import driver_connection
from storage.core.id_lists import ids_subquery
from storage.core.text import storable
from storage.register.categories import ADVANCED_AGE, ADVANCED_AGE_FROM, with_derived
from storage.register.due import WEEK_DAYS, DueFacts, due_before_sql, due_on, risk_from_sql
from storage.register.entered import entered_dates
from storage.register.idnumbers import mask_id
from storage.register.policy import FINDING_LEVELS, Policy, age_on, born_by, load_policy
from storage.register.report_query import as_date, category_list, last_seen_sql
from storage.register.search_merged import due_matches, duplicates_seen, families, family_began, merged_due_clause
from storage.register.search_sql import EngineSql
from storage.register.search_stages import Stage, like_escape, phone_stages, upper_bound
from storage.register.spelled import pg_regex, spelled, sqlite_globs

STATUSES = ("active", "closed")
PAGE = 50

_LATIN = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^\d+$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_DASHED = re.compile(r"^\d+(-+\d+)+-*$")  # a landline as it is written: 0571-8612, 0571-86123456
_DASHES = str.maketrans({"—": "-", "–": "-"})  # a Chinese input method's dash: 0571——86123456
_GRID = re.compile(r"^[a-z]+\d+$")  # a grid's short code as typed (G03): a township's register, one grid's people


@dataclass(frozen=True)
class ResidentFilter:
    category: str | None = None
    risk: str | None = None
    due: str | None = None  # "overdue", "due_week", "visited_month" or "not_visited_month"
    status: str | None = "active"  # None: active and closed


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ cost ~2 µs a row, 50 rows a keystroke
class ResidentRow:
    id: str
    name: str
    masked_id: str
    sex: str | None
    age: int | None
    categories: list[str] = field(default_factory=list)
    risk_level: str = "low"
    status: str = "active"
    phone: str = ""
    last_visit: dt.date | None = None
    due_on: dt.date | None = None
    grid_code: str = ""


# A "contains" stage scans the index that holds the column (a tenth of the table's
# size) for the rowids that match, then sorts what it found. Walking the initials
# index instead, to skip the sort, costs a row lookup per resident when matches are rare.
SCAN_ORDER = "+r.name_initials, r.name, r.id"
# the whole register, browsed: by the full pinyin of the name (白德明, 蔡…, 曹春兰, 陈福生, 程爱珍, 崔波),
# so one surname stays together; by initials, 崔波 (cb) came between 陈…s and 曹… (c…) scattered
BROWSE_ORDER = "r.name_pinyin, r.name, r.id"


_SQLITE = EngineSql()

def normalize_query(query: str) -> str:
    # cleaned as a form's text (storage/core/text.py storable): a NUL fails PostgreSQL's LIKE at the county,
    # half a character the binding of the query on either engine
    return "".join(unicodedata.normalize("NFKC", storable(query or "")).split()).lower()


def _stages(query: str, sql: EngineSql = _SQLITE) -> list[Stage]:
    """The ordered conditions a query means; [] for an empty query (everyone)."""
    q = normalize_query(query)
    if not q:
        return []
    c = sql.col
    number = q.translate(_DASHES)
    if _DASHED.match(number):
        q = number.replace("-", "")  # the number, wherever its dashes were typed or stored (search_stages.py)
    if _DIGITS.match(q) or (len(q) >= 2 and _DIGITS.match(q[:-1]) and q[-1] == "x"):
        if len(q) < 3:
            return [Stage("false", BROWSE_ORDER, {})]
        rev = q[::-1].upper()
        stages = [Stage(f"({c('r.id_rev')} >= :rev AND {c('r.id_rev')} < :rev_hi)", "r.id_rev, r.id",
                         {"rev": rev, "rev_hi": upper_bound(rev)})]
        if _DIGITS.match(q):
            stages += phone_stages(q, c, sql.pg, SCAN_ORDER)
        return stages
    if _LATIN.match(q):
        return [
            Stage(f"({c('r.name_initials')} >= :ini AND {c('r.name_initials')} < :ini_hi)",
                   "r.name_initials, r.name, r.id", {"ini": q, "ini_hi": upper_bound(q)}),
            *spelled_stages(q, sql),
        ]
    if _CJK.search(q):
        return [
            Stage(f"({c('r.name')} >= :nm AND {c('r.name')} < :nm_hi)", "r.name, r.id",
                   {"nm": q, "nm_hi": upper_bound(q)}),
            Stage(sql.scan("name", "nm_any"), SCAN_ORDER, {"nm_any": q}),
        ]
    if _GRID.match(q):  # ids end in the short code: 330521101-G03 (the letters' case as the clerk gave it)
        return [Stage("lower(r.grid_code) LIKE :grid ESCAPE '\\'", BROWSE_ORDER, {"grid": "%-" + like_escape(q)})]
    # mixed or other text (a name typed in latin letters, "A-bu-du"): contains, on the name
    if sql.pg:
        return [Stage("strpos(lower(r.name), :nm_any) > 0", SCAN_ORDER, {"nm_any": q})]
    return [Stage("r.rowid IN (SELECT rowid FROM resident WHERE instr(lower(name), :nm_any) > 0)", SCAN_ORDER,
                   {"nm_any": q})]


def spelled_stages(q: str, sql: EngineSql = _SQLITE) -> list[Stage]:
    """`xie`, `xiexiulan`: the names that begin with those syllables (storage/register/spelled.py), among the rows
    whose initials begin as theirs do (the first reading's by its index, then the others' by the scan, which also
    finds the names whose other reading's initials hold `q` itself: `cs`, 曾三 read ceng, "zs cs")."""
    initials, patterns = spelled(q)
    if not patterns:
        return [Stage(sql.other_reading("ini_other"), SCAN_ORDER, {"ini_other": " " + q})]
    if sql.pg:
        name, params = "r.name ~ :sp_name", {"sp_name": pg_regex(patterns)}
    else:
        globs = sqlite_globs(patterns)
        name = "(" + " OR ".join(f"r.name GLOB :sp_name{i}" for i in range(len(globs))) + ")"
        params = {f"sp_name{i}": g for i, g in enumerate(globs)}
    c = sql.col
    return [Stage(f"({c('r.name_initials')} >= :sp_ini AND {c('r.name_initials')} < :sp_ini_hi) AND {name}",
                  "r.name_initials, r.name, r.id", {**params, "sp_ini": initials, "sp_ini_hi": upper_bound(initials)}),
            Stage(sql.other_reading("ini_other", ("sp_other", name)), SCAN_ORDER,
                  {**params, "ini_other": " " + q, "sp_other": " " + initials})]


def _last_visit_sql(policy: Policy) -> str:
    # the one definition of "seen" (storage/register/report_query.py), so the register agrees with Home and the reports
    return last_seen_sql(policy, "r.id", ":today")


def _worker_grid(session: Session) -> str | None:
    """A worker's own grid: its register holds no one else (a resident the township moved to another grid stays in
    the database, and was listed, visited and the visit refused at the township: walk G, 1)."""
    from storage.core.models import Identity

    ident = session.get(Identity, 1)
    return ident.grid_code if ident is not None and ident.role == "worker" and ident.grid_code else None


def _filter_sql(filters: ResidentFilter, policy: Policy, today: dt.date, sql: EngineSql = _SQLITE,
                grid: str | None = None, session: Session | None = None,
                merged: dict[str, dt.date | None] | None = None) -> tuple[list[str], dict[str, Any]]:
    """`session` and `merged` (_duplicates's): the due filters judge records with merged duplicates by their rows."""
    where = ["r.merged_into IS NULL", "NOT r.deleted"]
    params: dict[str, Any] = {"today": today.isoformat()}
    if grid:
        where.append("r.grid_code = :own_grid")
        params["own_grid"] = grid
    if filters.status:
        where.append("r.status = :status")
        params["status"] = filters.status
    if filters.risk:
        where.append("r.risk_level = :risk")
        params["risk"] = filters.risk
    if filters.category == ADVANCED_AGE:
        # 高龄 is derived from the birth date: 80 today or older
        where.append("r.birth_date <= :born_by")
        params["born_by"] = born_by(today, ADVANCED_AGE_FROM).isoformat()
    elif filters.category:
        # categories is a JSON list of codes: '["left_behind_child", ...]'
        where.append(f"{sql.json_text('r.categories')} LIKE :cat ESCAPE '\\'")
        params["cat"] = '%"' + like_escape(filters.category) + '"%'
    # the due rule of storage/register/due.py, as SQL conditions (due_before_sql), on active cases
    condition = None
    if filters.due == "overdue":
        overdue, more = due_before_sql(policy, [today], today, dialect=_dialect(sql))
        condition = f"r.status = 'active' AND {overdue} = 1"
        params.update(more)
    elif filters.due == "due_week":
        # due before the week's end but not before today: before one of the two bounds only
        band, more = due_before_sql(policy, [today, today + dt.timedelta(days=WEEK_DAYS)], today, dialect=_dialect(sql))
        condition = f"r.status = 'active' AND {band} = 1"
        params.update(more)
    elif filters.due in ("visited_month", "not_visited_month"):
        op = ">=" if filters.due == "visited_month" else "<"
        never = "DATE '0001-01-01'" if sql.pg else "''"  # never visited: before every month
        month_start = "CAST(:month_start AS date)" if sql.pg else ":month_start"
        condition = f"coalesce({_last_visit_sql(policy)}, {never}) {op} {month_start}"
        params["month_start"] = today.replace(day=1).isoformat()
    elif filters.due is not None:
        raise ValueError(f"unknown due status: {filters.due}")
    if condition is not None and session is not None and merged:
        condition, more = _with_duplicates(session, filters.due or "", condition, policy, today, sql, merged)
        params.update(more)
    if condition is not None:
        where.append(condition)
    return where, params


def _duplicates(session: Session, policy: Policy, today: dt.date) -> dict[str, dt.date | None]:
    """Read once a search: the records duplicates were merged into, and the duplicates' last counting visit."""
    return duplicates_seen(lambda q, p: _fetch(session, q, p), policy, today)


def _with_duplicates(session: Session, due: str, condition: str, policy: Policy, today: dt.date,
                     sql: EngineSql, merged: dict[str, dt.date | None]) -> tuple[str, dict[str, Any]]:
    """The due filter's condition, with the records that duplicates were merged into judged by their rows."""
    roots = sorted(merged)
    found = _fetch(session, f"SELECT {_COLUMNS} FROM resident r WHERE r.id IN ({ids_subquery('ids', sql.pg)})",
                   {"ids": json.dumps(roots)})
    matching = [row.id for row in _rows(session, found, policy, today, merged) if due_matches(due, row, today)]
    return merged_due_clause(condition, roots, matching, sql.pg)


def _dialect(sql: EngineSql) -> str:
    return "postgresql" if sql.pg else "sqlite"


def _sql_of(session: Session) -> EngineSql:
    return EngineSql(pg=not isinstance(driver_connection(session), sqlite3.Connection))


def _fetch(session: Session, sql: str, params: dict[str, Any]) -> list[Any]:
    """Rows through the DB-API cursor of the session's connection (named parameters, as text() takes them),
    each readable by column name."""
    raw = driver_connection(session)
    if not isinstance(raw, sqlite3.Connection):  # a server: its driver's rows, as dicts
        result = raw.execute(sql, params)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    cursor = raw.cursor()
    cursor.row_factory = sqlite3.Row
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()


def _last_visits(session: Session, ids: list[str], policy: Policy,
                 today: dt.date) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """The last counting visit, and the day a high or emergency level began, of each resident of one page."""
    if not ids:
        return {}
    marks = ", ".join(f":id{i}" for i in range(len(ids)))
    finding = ", ".join(f"'{level}'" for level in FINDING_LEVELS)
    # newest first through the (resident_id, visit_date) index, stopping at the first visit that counts
    sql = (f"SELECT r.id AS id, {_last_visit_sql(policy)} AS seen,"
           f" CASE WHEN r.risk_level IN ({finding}) THEN {risk_from_sql()} END AS began FROM resident r"
           f" WHERE r.id IN ({marks})")
    params = {f"id{i}": rid for i, rid in enumerate(ids)} | {"today": today.isoformat()}
    return {row["id"]: (as_date(row["seen"]), as_date(row["began"])) for row in _fetch(session, sql, params)}


def _rows(session: Session, found: list[Any], policy: Policy, today: dt.date,
          merged: dict[str, dt.date | None]) -> list[ResidentRow]:
    """`merged`: _duplicates's."""
    last = _last_visits(session, [m["id"] for m in found], policy, today)
    for rid, theirs in merged.items():  # a merged duplicate's visits are this record's
        seen, began = last.get(rid, (None, None))
        if theirs is not None and (seen is None or theirs > seen):
            last[rid] = (theirs, began)
    levels = {m["id"]: m["risk_level"] for m in found if m["id"] in merged and m["risk_level"] in FINDING_LEVELS}
    if levels:  # a level its duplicates gave it began on their assessments
        raw = driver_connection(session)
        kin = families(raw)
        for rid, began in family_began(raw, {r: kin[r] for r in levels if r in kin}, levels).items():
            last[rid] = (last.get(rid, (None, None))[0], began)
    entered = entered_dates(driver_connection(session), (m["id"] for m in found if last.get(m["id"], (None,))[0] is None))
    rows = []
    for m in found:
        seen, began = last.get(m["id"], (None, None))
        birth, categories = as_date(m["birth_date"]), category_list(m["categories"])
        facts = DueFacts(seen, as_date(m["registered_on"]), m["risk_level"], began, categories, birth,
                         m["visit_frequency_days"], entered.get(m["id"]))
        rows.append(ResidentRow(
            id=m["id"], name=m["name"], masked_id=mask_id(m["id_number"]), sex=m["sex"],
            age=age_on(birth, today), categories=with_derived(categories, age_on(birth, today)),
            risk_level=m["risk_level"], status=m["status"], phone=m["phone"] or "", last_visit=seen,
            due_on=due_on(policy, facts, today), grid_code=m["grid_code"] or "",
        ))
    return rows


# the columns a row needs; the visit history is read for the page only, after sorting,
# so that a sort over many matches never computes it for rows it then drops
_COLUMNS = ("r.id, r.name, r.id_number, r.sex, r.birth_date, r.categories, r.risk_level, r.status, r.phone,"
            " r.registered_on, r.visit_frequency_days, r.grid_code")


def search_residents(session: Session, query: str, *, filters: ResidentFilter = ResidentFilter(),
                     limit: int = PAGE, offset: int = 0, today: dt.date, policy: Policy | None = None) -> list[ResidentRow]:
    """One page of the residents matching `query` and `filters`, best matches first.

    `policy`: the visit policy, when the caller has it already (it is read otherwise).
    """
    policy = policy or load_policy(session)
    sql_of = _sql_of(session)
    merged = _duplicates(session, policy, today)
    base, params = _filter_sql(filters, policy, today, sql_of, _worker_grid(session), session, merged)
    stages = _stages(query, sql_of) or [Stage("true", BROWSE_ORDER, {})]
    found: list[Any] = []
    skip = offset
    earlier: list[str] = []
    p = dict(params)
    for i, stage in enumerate(stages):
        want = limit - len(found)
        if want <= 0:
            break
        where = " AND ".join(base + [stage.where] + [f"NOT coalesce({e}, false)" for e in earlier])
        p.update(stage.params)
        if skip and i < len(stages) - 1:
            # pages beyond this stage: skip it whole when it is shorter than the offset
            n = _count(session, f"SELECT count(*) AS n FROM resident r WHERE {where}", p)
            if n <= skip:
                skip -= n
                earlier.append(stage.where)
                continue
        sql = (f"SELECT {_COLUMNS} FROM resident r WHERE {where} ORDER BY {sql_of.order(stage.order)}"
               " LIMIT :lim OFFSET :off")
        found += _fetch(session, sql, {**p, "lim": want, "off": skip})
        skip = 0
        earlier.append(stage.where)
    return _rows(session, found, policy, today, merged)


def count_residents(session: Session, query: str, *, filters: ResidentFilter = ResidentFilter(),
                    today: dt.date, policy: Policy | None = None) -> int:
    policy = policy or load_policy(session)
    sql_of = _sql_of(session)
    merged = _duplicates(session, policy, today) if filters.due else {}  # (only the due filters read them)
    base, params = _filter_sql(filters, policy, today, sql_of, _worker_grid(session), session, merged)
    stages = _stages(query, sql_of)
    if stages:
        base.append("(" + " OR ".join(s.where for s in stages) + ")")
        for s in stages:
            params.update(s.params)
    return _count(session, f"SELECT count(*) AS n FROM resident r WHERE {' AND '.join(base)}", params)


def _count(session: Session, sql: str, params: dict[str, Any]) -> int:
    return int(_fetch(session, sql, params)[0]["n"])

"""The home screen's figures: who is due, overdue, at risk or ageing out, and this month's progress.

`resident_due_rows` is the due rule for a list of residents at once: one query with every
resident's last visit that counts, then storage/register/due.py's rule in Python — the same
rule and the same month standing (`month_standing`) as the monthly report, so Home and the
report agree. The rest of `home_data` is a few small queries on top. Nothing here is stored:
it is computed each time from the visit history and the policy.

Everything here reads through a DB-API (sqlite3) connection, with SQL text only: the
start-up shows these figures straight from the file (`quick_reader`) before SQLModel is
imported, and `home_data` runs the very same code on the connection under the engine.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.bundle_gaps import missing_numbers
from storage.core.db import BUSY_TIMEOUT_MS, SCHEMA_VERSION, driver_connection
from storage.core.paths import practice_dir
from storage.core.schema_sql import foreign_definitions
from storage.register.categories import RISK_ORDER, SHOWN_CATEGORIES, with_derived
from storage.register.due import (
    IN_PERSON,
    OTHER_WAYS,
    WEEK_DAYS,
    DueFacts,
    days_overdue,
    due_on,
    month_bounds,
    month_standing,
    risk_from_sql,
)
from storage.register.emergencies import open_emergencies
from storage.register.entered import entered_dates
from storage.register.grid_people import grid_people, people_text
from storage.register.home_later import LIST_LIMIT, add_later, read_later
from storage.register.home_rows import DueRow, GridRow, HomeData, Progress, ReferralRow, VisitRow
from storage.register.idnumbers import mask_id
from storage.register.moved_here import waiting
from storage.register.policy import FINDING_LEVELS, Policy, age_on, ageing_out, read_policy
from storage.register.report_query import (
    ALIAS_ROOTS_SQL,
    as_date,
    category_list,
    group_visits,
    last_seen_sql,
    month_visits_sql,
)
from storage.register.search_merged import by_root, family_began

if TYPE_CHECKING:
    from sqlmodel import Session

    from storage.core.db import Database

log = logging.getLogger(__name__)

HIGH_RISK = ("emergency", "high")
RECENT_VISITS = 10


def _alias_roots(raw: sqlite3.Connection) -> dict[str, str]:
    return {dup: root for dup, root in raw.execute(ALIAS_ROOTS_SQL)}


def _alias_last_seen(raw: sqlite3.Connection, policy: Policy, today: dt.date,
                     roots: dict[str, str]) -> dict[str, dt.date]:
    """Merged duplicates' visits count for the record they were merged into (few: one query each)."""
    out: dict[str, dt.date] = {}
    sql = f"SELECT {last_seen_sql(policy, ':dup', ':today')}"
    for dup, root in roots.items():
        seen = as_date(raw.execute(sql, {"dup": dup, "today": today.isoformat()}).fetchone()[0])
        if seen and (root not in out or seen > out[root]):
            out[root] = seen
    return out


# the plan a worker typed on a resident's latest visit
PLANNED_SQL = ("(SELECT v.next_visit_on FROM visit v WHERE v.resident_id = r.id AND NOT v.deleted"
               " ORDER BY v.visit_date DESC, v.id DESC LIMIT 1)")


def month_visits(raw: sqlite3.Connection, policy: Policy, first: dt.date, last: dt.date,
                 roots: dict[str, str]) -> dict[str, list[tuple[dt.date, str]]]:
    """Each resident's visits that count in first..last, as (date, method); a duplicate's go to its record."""
    return group_visits(raw.execute(month_visits_sql(policy), {"first": first.isoformat(), "last": last.isoformat()}),
                        roots)


def resident_due_rows(source: Session | sqlite3.Connection, today: dt.date, grid_code: str | None = None,
                      policy: Policy | None = None, *, planned: bool = False, roots: dict[str, str] | None = None,
                      in_month: dict[str, list[tuple[dt.date, str]]] | None = None) -> list[DueRow]:
    """Every active key person (of one grid, or all), with last visit, due date, days overdue, month standing.

    `source` is a Session or a sqlite3 connection. The last visit is a correlated subquery per
    resident (report_query.last_seen_sql): it walks ix_visit_resident_date backwards and stops at
    the first visit that counts, which measured faster than one GROUP BY over every visit (that
    one reads each visit row for its method). `planned`: also read each one's planned next visit.
    """
    raw = driver_connection(source)
    policy = policy or read_policy(raw)
    roots = _alias_roots(raw) if roots is None else roots
    aliases = _alias_last_seen(raw, policy, today, roots)
    first, last = month_bounds(today.year, today.month)
    in_month = month_visits(raw, policy, first, today, roots) if in_month is None else in_month
    where = "NOT r.deleted AND r.merged_into IS NULL AND r.status = 'active'"
    params: dict[str, str] = {"today": today.isoformat()}
    if grid_code:
        where += " AND r.grid_code = :grid"
        params["grid"] = grid_code
    finding = ", ".join(f"'{level}'" for level in FINDING_LEVELS)
    sql = ("SELECT r.id, r.name, r.id_number, r.grid_code, r.categories, r.risk_level, r.birth_date,"
           f" r.registered_on, r.visit_frequency_days, {last_seen_sql(policy, 'r.id', ':today')},"
           f" CASE WHEN r.risk_level IN ({finding}) THEN {risk_from_sql()} END,"
           f" {PLANNED_SQL if planned else 'NULL'}"
           f" FROM resident r WHERE {where}")
    rows = []
    found = []
    for rid, name, id_number, grid, cats, risk, birth, registered, override, seen, risk_from, plan in raw.execute(
            sql, params):
        seen = as_date(seen)
        other = aliases.get(rid)
        if other and (seen is None or other > seen):
            seen = other
        found.append((rid, name, id_number, grid, cats, risk, birth, registered, override, seen, risk_from, plan))
    entered = entered_dates(raw, (row[0] for row in found if row[9] is None))  # due from it when never visited
    family = by_root(roots.items())
    began = family_began(raw, family, {row[0]: row[5] for row in found if row[0] in family})
    for rid, name, id_number, grid, cats, risk, birth, registered, override, seen, risk_from, plan in found:
        risk_from = began.get(rid, risk_from)  # a level its duplicates gave it began on their assessments
        registered_on, birth_date, categories = as_date(registered), as_date(birth), category_list(cats)
        risk = risk or "low"
        due = due_on(policy, DueFacts(seen, registered_on, risk, as_date(risk_from), categories, birth_date, override,
                                      entered.get(rid)), today)
        rows.append(DueRow(
            id=rid, name=name or "", masked_id=mask_id(id_number), grid_code=grid or "",
            # shown and counted with 高龄, derived from the birth date (the due rule reads the stored ones)
            categories=with_derived(categories, age_on(birth_date, today)), risk_level=risk, birth_date=birth_date,
            registered_on=registered_on, last_seen=seen, due_on=due, days_overdue=days_overdue(due, today),
            planned_on=as_date(plan),
            standing=month_standing(first, last, registered_on, "active", None, in_month.get(rid, ())),
        ))
    return rows


def closed_in_month_rows(raw: sqlite3.Connection, today: dt.date, grid_code: str | None,
                         in_month: dict[str, list[tuple[dt.date, str]]]) -> list[DueRow]:
    """Cases closed this month that still count in it (visited before the close): month_standing's rule."""
    first, last = month_bounds(today.year, today.month)
    where = "NOT r.deleted AND r.merged_into IS NULL AND r.status = 'closed' AND r.closed_on >= :first"
    params = {"first": first.isoformat()}
    if grid_code:
        where += " AND r.grid_code = :grid"
        params["grid"] = grid_code
    out = []
    for rid, name, grid, cats, risk, registered, closed, birth in raw.execute(
            "SELECT r.id, r.name, r.grid_code, r.categories, r.risk_level, r.registered_on, r.closed_on, r.birth_date"
            f" FROM resident r WHERE {where}", params):
        standing = month_standing(first, last, as_date(registered), "closed", as_date(closed), in_month.get(rid, ()))
        if standing is not None:
            born = as_date(birth)
            out.append(DueRow(rid, name or "", "", grid or "", with_derived(category_list(cats), age_on(born, today)),
                              risk or "low", born, as_date(registered), None, as_date(closed), 0, standing=standing))
    return out


def visited_in_month(row: DueRow, today: dt.date | None = None) -> bool:
    """Visited in the month Home shows (a visit that counts, as the policy says): month_standing's answer."""
    return row.standing in (IN_PERSON, OTHER_WAYS)


def overdue_order(row: DueRow) -> tuple:
    """Riskiest first, then longest overdue."""
    return (RISK_ORDER.get(row.risk_level, len(RISK_ORDER)), -row.days_overdue, row.name, row.id)


def _tally(rows: list[DueRow], key) -> dict[str, Progress]:
    """Progress per key(row), over the key persons of the month (month_standing: not None)."""
    out: dict[str, Progress] = {}
    for r in rows:
        if r.standing is None:
            continue
        seen = r.standing in (IN_PERSON, OTHER_WAYS)
        for k in key(r):
            p = out.get(k)
            if p is None:
                p = out[k] = Progress(k)
            p.total += 1
            p.visited += seen
            p.overdue += r.overdue
    return out


def home_data(db: Database, today: dt.date) -> HomeData:
    with db.engine.connect() as conn:
        return read_home(driver_connection(conn), today, drafts_of=db.local_path)


def quick_reader(path: Path) -> tuple[sqlite3.Connection, str] | None:
    """(sqlite3 connection, role) when Home's figures can be read from the file before the ORM is loaded.

    Only when the schema is the current one and the identity is set up: otherwise the normal
    open (upgrade with backup, first-run setup) must come first, and None says so. Reads only.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    raw = None
    try:
        raw = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                              check_same_thread=False)
        current = raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # a trigger or a view is SQL of someone else's (a view in place of a table could make this read run for
        # ever): the normal open refuses the file, and says why
        current = current and raw.execute(
            "SELECT 1 FROM sqlite_master WHERE type IN ('trigger', 'view') LIMIT 1").fetchone() is None
        # so is a table defined with SQL of someone else's (a generated column is computed at each read); its
        # indexes run on writes only, which the normal open refuses first
        current = current and not foreign_definitions(raw, indexes=False)
        row = raw.execute("SELECT role FROM identity WHERE id = 1").fetchone() if current else None
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # (the second: a damaged page's text, not UTF-8)
        # not a gridcare file, damaged, or unreadable: the normal open says so in the user's words
        log.info("no quick read of the home figures: %s", exc)
        row = None
    if row is None:
        if raw is not None:
            raw.close()
        return None
    return raw, row[0] or ""


def read_home(raw: sqlite3.Connection, today: dt.date, *, drafts_of: Path | None = None,
              later: bool = False) -> HomeData:
    """Home's figures, in one read transaction of `raw` (a sqlite3 connection in autocommit mode); with
    `drafts_of` (the database's local path), the visits left unsaved beside it. `later`: without the figures
    storage/register/home_later.py reads once these are on screen (the start-up's first read)."""
    own = not raw.in_transaction
    if own:
        raw.execute("BEGIN")
    try:
        data = _read_home(raw, today, drafts_of)
        if later:
            data.later = True
        else:
            add_later(data, read_later(raw, data))
        return data
    finally:
        if own:
            raw.execute("ROLLBACK")  # read only: nothing to keep


def _read_home(raw: sqlite3.Connection, today: dt.date, drafts_of: Path | None) -> HomeData:
    ident = raw.execute("SELECT role, grid_code FROM identity WHERE id = 1").fetchone()
    role = ident[0] if ident else ""
    grid = ident[1] if ident is not None and ident[0] == "worker" else None
    policy = read_policy(raw)
    roots = _alias_roots(raw)
    first = today.replace(day=1)
    in_month = month_visits(raw, policy, first, today, roots)
    # the planned visits on the township's Home too: its 本周 counted fewer than the worker's for the same grid,
    # and its 计划探访 column stood empty (walk F, 4)
    rows = resident_due_rows(raw, today, grid, policy, planned=True, roots=roots, in_month=in_month)
    by_id = {r.id: r for r in rows}
    counted = rows + closed_in_month_rows(raw, today, grid, in_month)  # the month's key persons, as the report's
    data = HomeData(today=today, role=role, grid_code=grid, policy=policy,
                    overall=_tally(counted, lambda r: ("",)).get("", Progress("")))
    cats = _tally(counted, lambda r: r.categories)
    data.by_category = [cats[c] for c in SHOWN_CATEGORIES if c in cats]
    week_end = today + dt.timedelta(days=WEEK_DAYS - 1)
    outs = []
    for r in rows:
        when = ageing_out(r.categories, r.birth_date, today, policy.age_out_warning_days)
        if when is not None:
            outs.append((r, when))
    lists: dict[str, list[Any]] = {  # (rows of several kinds)
        "overdue": sorted((r for r in rows if r.overdue), key=overdue_order),
        # due by the policy this week, or planned by the worker for this week (a plan never hides a due date)
        "due_week": sorted((r for r in rows if today <= r.due_on <= week_end
                            or (r.planned_on is not None and today <= r.planned_on <= week_end)),
                           key=lambda r: (_week_day(r, today, week_end), RISK_ORDER.get(r.risk_level, 9), r.name)),
        "high_risk": sorted((r for r in rows if r.risk_level in HIGH_RISK), key=overdue_order),
        "ageing_out": sorted(outs, key=lambda pair: (pair[1], pair[0].name)),
        "referrals": _open_referrals(raw, by_id, today),
    }
    data.counts["referrals_overdue"] = sum(f.overdue(today) for f in lists["referrals"])
    for name, items in lists.items():
        data.counts[name] = len(items)
        setattr(data, name, items[:LIST_LIMIT])
    data.recent = _recent_visits(raw, grid)
    if drafts_of is not None:
        from storage.register.drafts import list_drafts, registration_draft_name

        data.visit_drafts = [(d.resident_id, by_id[d.resident_id].name) for d in list_drafts(drafts_of, "visit")
                             if d.resident_id in by_id]
        data.registration_draft = registration_draft_name(drafts_of) if role != "county" else None
    data.emergencies = open_emergencies(raw, today, grid)
    arrivals = waiting(raw) if role == "worker" else []
    data.arrivals = [rid for rid, _name, _registered in arrivals]
    data.moved_here = [(rid, name) for rid, name, registered in arrivals if not registered]
    data.registered_here = [(rid, name) for rid, name, registered in arrivals if registered]
    if role == "township":
        data.grids = _grid_rows(raw, _tally(counted, lambda r: (r.grid_code,)))
        from storage.core.conflict_keys import reviewed

        # as many as the Conflicts screen's rows: a grid's village code and name are one, a name's spellings none
        data.open_conflicts = len(reviewed(raw.execute("SELECT id, record_type, field FROM conflict")))
        # a worker who set up without the code: the clerk's merge said so once; Home keeps saying it
        data.devices_waiting = raw.execute("SELECT count(*) FROM device_request WHERE status = 'waiting'").fetchone()[0]
        # a township's first step is its workers' enrollment codes (Devices): Home says so until one is made
        data.nobody_enrolled = raw.execute("SELECT NOT EXISTS (SELECT 1 FROM enrollment) AND NOT EXISTS "
                                           "(SELECT 1 FROM device WHERE kind = 'worker')").fetchone()[0] == 1
        data.practice_bundles = _practice_bundles(raw, drafts_of)
    return data


def _practice_bundles(raw: sqlite3.Connection, db_path: Path | None) -> int:
    """The practice bundles `demo` wrote beside a demo township, until it has merged a bundle (from there or not)."""
    folder = practice_dir(db_path) if db_path is not None else None
    if folder is None or not folder.is_dir() or raw.execute("SELECT 1 FROM bundle_received LIMIT 1").fetchone():
        return 0
    return sum(1 for p in folder.iterdir() if p.suffix == ".gcb")  # bundle files (storage/sync/bundle_file.py)


def _week_day(row: DueRow, today: dt.date, week_end: dt.date) -> dt.date:
    """The day that puts a row in this week's list: its due date, or its planned date if that comes first."""
    days = [d for d in (row.due_on, row.planned_on) if d is not None and today <= d <= week_end]
    return min(days) if days else row.due_on


def _open_referrals(conn: sqlite3.Connection, residents: dict[str, DueRow], today: dt.date) -> list[ReferralRow]:
    """Open referrals of the active residents: those past their follow-up deadline first, longest overdue first."""
    sql = ("SELECT f.id, f.resident_id, f.agency, f.reason, f.status, f.opened_on, f.due_on, f.level, f.department"
           " FROM referral f WHERE NOT f.deleted AND f.status != 'closed' ORDER BY f.opened_on, f.id")
    roots = _alias_roots(conn)
    out = []
    for fid, rid, agency, reason, status, opened, due, level, department in conn.execute(sql):
        r = residents.get(roots.get(rid, rid))
        if r is not None:  # another grid's, or a closed case
            out.append(ReferralRow(fid, r.id, r.name, agency or "", reason or "", status, as_date(opened),
                                   as_date(due), level, department or ""))
    out.sort(key=lambda f: (0, f.due_on) if f.overdue(today) else (1, dt.date.min))  # stable: the rest as opened
    return out


def _recent_visits(conn: sqlite3.Connection, grid_code: str | None) -> list[VisitRow]:
    where = "NOT v.deleted AND NOT r.deleted"
    params = {"n": RECENT_VISITS}
    if grid_code:
        where += " AND r.grid_code = :grid"
        params["grid"] = grid_code
    sql = ("SELECT v.id, coalesce(r.merged_into, r.id), r.name, v.visit_date, v.method, v.visitor"
           f" FROM visit v JOIN resident r ON r.id = v.resident_id WHERE {where}"
           " ORDER BY v.visit_date DESC, v.id DESC LIMIT :n")
    return [VisitRow(vid, rid, name or "", as_date(day), method or "", visitor or "")
            for vid, rid, name, day, method, visitor in conn.execute(sql, params)]


def _grid_rows(conn: sqlite3.Connection, progress: dict[str, Progress]) -> list[GridRow]:
    names = {gid: name or code for gid, code, name in conn.execute(
        "SELECT id, code, name FROM grid WHERE NOT deleted")}
    last = {g: v for g, v in conn.execute(
        "SELECT d.grid_code, max(b.merged_at) FROM bundle_received b JOIN device d ON d.device_id = b.device_id"
        " WHERE d.grid_code IS NOT NULL GROUP BY d.grid_code")}
    # the clerk's Home says what the merge said once (DESIGN: "bundles missing"): a refused bundle left a gap that
    # every merge named and no screen kept (walk G, 5); by grid, as storage/sync/received.py names them
    numbers: dict[tuple[str, str, str], list[tuple[int, bool]]] = {}
    for grid, device, worker, seq, full in conn.execute(
            "SELECT d.grid_code, b.device_id, d.worker_name, b.seq, b.\"full\" FROM bundle_received b"
            " JOIN device d ON d.device_id = b.device_id"
            " WHERE d.kind = 'worker' AND d.status = 'approved' AND d.grid_code IS NOT NULL"):
        numbers.setdefault((grid, device, worker or ""), []).append((seq, bool(full)))
    missing: dict[str, list[int]] = {}
    # each laptop numbers its own bundles: where a grid has two (its worker's, its children's director's), a
    # number alone does not say whose bundle is missing
    whose: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
    senders: dict[str, int] = {}
    for (grid, _device, worker), got in sorted(numbers.items()):
        gaps = missing_numbers(got)
        missing.setdefault(grid, []).extend(gaps)
        senders[grid] = senders.get(grid, 0) + 1
        if gaps:
            whose.setdefault(grid, []).append((worker, tuple(sorted(gaps))))
    people = grid_people(conn)
    out = []
    for gid in sorted(set(names) | set(progress)):
        stamp = last.get(gid)
        when = dt.datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
        # a grid with no record yet (enrolled, its worker not heard from): its short code, as elsewhere
        out.append(GridRow(gid, names.get(gid, gid.split("-", 1)[-1]), progress.get(gid, Progress(gid)), when,
                           tuple(sorted(missing.get(gid, ()))), people_text(people, gid),
                           tuple(whose.get(gid, ())) if senders.get(gid, 0) > 1 else ()))
    return out

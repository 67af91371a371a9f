"""Key persons the township moved to a worker's grid: named by the merge that brought them, and on Home until the
worker has opened or visited them.

A township's bundle to a grid carries all of the grid's records (storage/sync/export.py), so a person moved in
arrived among the "records added" with nothing to tell them from the grid's others (the walk of h-move: 孙敏,
moved from G02, just appeared in 吴艳's lists). The laptop remembers each arrival in its audit log ("moved
here", one entry a person), and when the worker first opened the person ("moved here seen"): local, never sent,
and kept with the database's backups.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core.text import printable

if TYPE_CHECKING:
    from storage.core.db import Database

ARRIVED, SEEN = "moved here", "moved here seen"


@dataclass(frozen=True)
class Before:
    """A worker's laptop before a merge: who is on its grid, who is here on another, and whether a township bundle
    was ever merged here (the first one brings the whole grid: none of it is news of a move)."""

    own: frozenset[str]
    elsewhere: frozenset[str]
    loaded: bool


@dataclass(frozen=True)
class MovedHere:
    resident_id: str
    name: str
    from_grid: str  # the grid's short code (G02)


def here_before(db: Database) -> Before | None:
    """The laptop as a merge finds it; None on a township's or county's database (their clerks make the moves)."""
    from sqlalchemy import text

    with db.engine.connect() as conn:
        ident = conn.execute(text("SELECT role, grid_code, device_id FROM identity WHERE id = 1")).first()
        if ident is None or ident[0] != "worker":
            return None
        rows = conn.execute(text("SELECT id, grid_code = :own FROM resident WHERE merged_into IS NULL AND NOT deleted"),
                            {"own": ident[1] or ""}).all()
        loaded = conn.execute(text("SELECT 1 FROM bundle_received WHERE device_id <> :me LIMIT 1"),
                              {"me": ident[2] or ""}).first() is not None
    return Before(frozenset(str(rid) for rid, mine in rows if mine),
                  frozenset(str(rid) for rid, mine in rows if not mine), loaded)


def arrived_since(db: Database, before: Before) -> list[MovedHere]:
    """The persons the merge put on this grid who were in another grid: here before on another grid, or new here
    with another grid in their history (after the first township bundle). Each is remembered (ARRIVED) for Home."""
    from sqlalchemy import text

    from storage.core.audit import add_entry

    with db.engine.connect() as conn:
        own = conn.execute(text("SELECT grid_code FROM identity WHERE id = 1")).scalar() or ""
        rows = conn.execute(text("SELECT id, name FROM resident WHERE grid_code = :own AND merged_into IS NULL"
                                 " AND NOT deleted"), {"own": own}).all()
        new = {str(rid): str(name) for rid, name in rows if rid not in before.own}
        if not before.loaded:
            new = {rid: name for rid, name in new.items() if rid in before.elsewhere}
        moved = []
        for rid, name in sorted(new.items(), key=lambda pair: (pair[1], pair[0])):
            came_from = _grid_before(conn, rid, own)
            if came_from is not None:
                moved.append(MovedHere(rid, printable(name, limit=20), came_from.split("-", 1)[-1]))
    if moved:
        with db.write() as s:
            for m in moved:
                add_entry(s, ARRIVED, counts={"record_id": m.resident_id, "from_grid": m.from_grid})
    return moved


def _grid_before(conn, resident_id: str, own: str) -> str | None:
    """The last grid other than `own` the resident's events put them in, in the fold's order; None: never another."""
    from sqlalchemy import text

    found = None
    for (fields,) in conn.execute(text("SELECT fields FROM event WHERE record_type = 'resident' AND record_id = :rid"
                                       " ORDER BY hlc, device_id"), {"rid": resident_id}):
        grid = _fields(fields).get("grid_code")
        if isinstance(grid, str) and grid and grid != own:
            found = grid
    return found


def waiting(raw: Any) -> list[tuple[str, str]]:
    """(resident id, name) of the persons moved here whom the worker has neither opened nor visited since, oldest
    arrival first: Home's notice. `raw`: a sqlite3-like connection (storage/core/db.py driver_connection)."""
    arrived: dict[str, dt.date] = {}
    for action, at, counts in raw.execute("SELECT action, at, counts FROM audit_log WHERE action IN (?, ?) ORDER BY id",
                                          (ARRIVED, SEEN)):
        rid = _fields(counts).get("record_id")
        if not isinstance(rid, str):
            continue
        if action == ARRIVED:
            arrived[rid] = _china_day(at)
        else:
            arrived.pop(rid, None)
    if not arrived:
        return []
    own, device = raw.execute("SELECT grid_code, device_id FROM identity WHERE id = 1").fetchone() or ("", "")
    out = []
    for rid, day in arrived.items():
        row = raw.execute("SELECT name FROM resident WHERE id = ? AND grid_code = ? AND merged_into IS NULL"
                          " AND NOT deleted", (rid, own)).fetchone()
        if row is None:  # moved on again, merged or deleted since: not this grid's to see
            continue
        # by this laptop: the old grid's worker's visit of the same day is not this worker's
        visited = raw.execute("SELECT 1 FROM visit v WHERE v.resident_id = ? AND NOT v.deleted AND v.visit_date >= ?"
                              " AND EXISTS (SELECT 1 FROM event e WHERE e.record_type = 'visit' AND e.record_id = v.id"
                              " AND e.device_id = ?) LIMIT 1", (rid, day.isoformat(), device)).fetchone()
        if visited is None:
            out.append((rid, printable(row[0], limit=20)))
    return out


def seen(db: Database, resident_id: str) -> bool:
    """The worker opened `resident_id`: if they were waiting on Home as moved here, they no longer are."""
    from storage.core.audit import add_entry
    from storage.core.db import driver_connection

    with db.engine.connect() as conn:
        if resident_id not in {rid for rid, _name in waiting(driver_connection(conn))}:
            return False
    with db.write() as s:
        add_entry(s, SEEN, counts={"record_id": resident_id})
    return True


def _fields(value: Any) -> dict[str, Any]:
    """An event's fields or an audit entry's counts, as the driver gives them (SQLite: JSON text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _china_day(at: Any) -> dt.date:
    """The day in China of an audit entry's time (stored in UTC): a visit on that day or later counts as seen."""
    when = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return (when.astimezone(dt.timezone(dt.timedelta(hours=8)))).date()

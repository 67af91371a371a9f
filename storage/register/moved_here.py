"""Key persons the township moved to a worker's grid, or registered straight into it: named by the merge that
brought them, and on Home until the worker has opened or visited them (a closed case is named, never waited for).

A township's bundle to a grid carries all of the grid's records (storage/sync/export.py), so a person moved in
arrived among the "records added" with nothing to tell them from the grid's others (the walk of h-move: 孙敏,
moved from G02, just appeared in 吴艳's lists). The laptop remembers each arrival in its audit log ("moved
here", one entry a person), and when the worker first opened the person ("moved here seen"): local, never sent,
and kept with the database's backups. A person the clerk registered at the township in this grid (her form, her
roster import) arrived the same way, as one more of "新增记录：N" (walk of h-arrive): "registered here" is
remembered as "moved here" is; a record this laptop wrote itself, or another worker's device of the grid, is not
the township's news.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core.china_day import china_today
from storage.core.json_text import json_object
from storage.core.text import printable

if TYPE_CHECKING:
    from storage.core.db import Database

ARRIVED, SEEN, REGISTERED = "moved here", "moved here seen", "registered here"


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
    from_grid: str  # the grid's short code (G02); "": registered by the township straight into this grid
    closed: bool = False  # the case is closed (退出): the worker is told, but has no one to visit


@dataclass(frozen=True)
class Arrival:
    """When and how a resident came to their grid, for their page: moved from another grid, or registered at the
    township (on a worker's laptop; at the township the clerk did it)."""

    on: dt.date  # the day in China of the move, or of the record's first event
    from_grid: str  # the grid's short code; "": registered by the township


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


def arrived_since(db: Database, before: Before) -> tuple[list[MovedHere], list[MovedHere]]:
    """(moved, registered): the persons the merge put on this grid who were in another grid (here before on
    another grid, or new here with another grid in their history), and those new here whose record the township
    wrote first, straight into this grid; after the first township bundle only (it brings the whole grid). Each is
    remembered (ARRIVED, REGISTERED) for Home."""
    from sqlalchemy import text

    from storage.core.audit import add_entry

    with db.engine.connect() as conn:
        ident = conn.execute(text("SELECT grid_code, device_id FROM identity WHERE id = 1")).one()
        own, me = str(ident[0] or ""), str(ident[1] or "")
        rows = conn.execute(text("SELECT id, name, status FROM resident WHERE grid_code = :own AND merged_into IS NULL"
                                 " AND NOT deleted"), {"own": own}).all()
        new = {str(rid): (str(name), status == "closed") for rid, name, status in rows if rid not in before.own}
        if not before.loaded:
            new = {rid: about for rid, about in new.items() if rid in before.elsewhere}
        township = _township_devices(conn, me)
        moved, registered = [], []
        for rid, (name, closed) in sorted(new.items(), key=lambda pair: (pair[1][0], pair[0])):
            came_from, _moved_at, first_device, _first_at = _history(conn, rid, own)
            if came_from is not None:
                moved.append(MovedHere(rid, printable(name, limit=20), came_from.split("-", 1)[-1], closed))
            elif rid not in before.elsewhere and first_device in township:
                registered.append(MovedHere(rid, printable(name, limit=20), "", closed))
    if moved or registered:
        with db.write() as s:
            for m in moved:
                add_entry(s, ARRIVED, counts={"record_id": m.resident_id, "from_grid": m.from_grid})
            for m in registered:
                add_entry(s, REGISTERED, counts={"record_id": m.resident_id})
    return moved, registered


def _township_devices(conn, me: str) -> set[str]:
    """The devices whose bundles a worker's laptop merged: its township's (a worker merges no other's)."""
    from sqlalchemy import text

    return {str(d) for (d,) in conn.execute(text("SELECT DISTINCT device_id FROM bundle_received"
                                                   " WHERE device_id <> :me"), {"me": me or ""})}


def _history(conn, resident_id: str, grid: str) -> tuple[str | None, int | None, str, int]:
    """A resident's events in the fold's order, read for their arrival in `grid`: (the last grid other than `grid`
    they were put in, None: never another; the clock of the last event that put them back in `grid` from another;
    the device and clock of the first event)."""
    from sqlalchemy import text

    came_from, moved_at, first, now_in = None, None, ("", 0), None
    for fields, stamp, device in conn.execute(text(
            "SELECT fields, hlc, device_id FROM event WHERE record_type = 'resident' AND record_id = :rid"
            " ORDER BY hlc, device_id"), {"rid": resident_id}):
        if not first[0]:
            first = (str(device), int(stamp))
        value = _fields(fields).get("grid_code")
        if not isinstance(value, str) or not value:
            continue
        if value != grid:
            came_from = value
        elif now_in is not None and now_in != grid:
            moved_at = int(stamp)
        now_in = value
    return came_from, moved_at, first[0], first[1]


def arrival(db: Database, resident_id: str) -> Arrival | None:
    """How `resident_id` came to their grid, if not registered there by its own worker: the page's line."""
    from sqlalchemy import text

    from storage.register.entered import clock_date

    with db.engine.connect() as conn:
        ident = conn.execute(text("SELECT role, device_id FROM identity WHERE id = 1")).first()
        grid = conn.execute(text("SELECT grid_code FROM resident WHERE id = :rid"), {"rid": resident_id}).scalar()
        if ident is None or not grid:
            return None
        came_from, moved_at, first_device, first_at = _history(conn, resident_id, str(grid))
        if came_from is not None and moved_at is not None:
            return Arrival(clock_date(moved_at), came_from.split("-", 1)[-1])
        if ident[0] == "worker" and first_device in _township_devices(conn, ident[1]):
            return Arrival(clock_date(first_at), "")
    return None


def waiting(raw: Any) -> list[tuple[str, str, bool]]:
    """(resident id, name, whether the township registered them rather than moved them) of the persons moved or
    registered here whom the worker has neither opened nor visited since, oldest arrival first: Home's notice.
    A closed case is not waited for (closed before or after it came): nobody visits it. `raw`: a sqlite3-like
    connection (storage/core/db.py driver_connection)."""
    arrived: dict[str, tuple[dt.date, bool]] = {}
    for action, at, counts in raw.execute("SELECT action, at, counts FROM audit_log WHERE action IN (?, ?, ?)"
                                          " ORDER BY id", (ARRIVED, REGISTERED, SEEN)):
        rid = _fields(counts).get("record_id")
        if not isinstance(rid, str):
            continue
        if action == SEEN:
            arrived.pop(rid, None)
        else:
            arrived[rid] = (_china_day(at), action == REGISTERED)
    if not arrived:
        return []
    own, device = raw.execute("SELECT grid_code, device_id FROM identity WHERE id = 1").fetchone() or ("", "")
    out = []
    for rid, (day, registered) in arrived.items():
        row = raw.execute("SELECT name FROM resident WHERE id = ? AND grid_code = ? AND merged_into IS NULL"
                          " AND NOT deleted AND status <> 'closed'", (rid, own)).fetchone()
        if row is None:  # moved on again, merged, deleted or closed since: not this grid's to visit
            continue
        # by this laptop: the old grid's worker's visit of the same day is not this worker's
        visited = raw.execute("SELECT 1 FROM visit v WHERE v.resident_id = ? AND NOT v.deleted AND v.visit_date >= ?"
                              " AND EXISTS (SELECT 1 FROM event e WHERE e.record_type = 'visit' AND e.record_id = v.id"
                              " AND e.device_id = ?) LIMIT 1", (rid, day.isoformat(), device)).fetchone()
        if visited is None:
            out.append((rid, printable(row[0], limit=20), registered))
    return out


def seen(db: Database, resident_id: str) -> bool:
    """The worker opened `resident_id`: if they were waiting on Home as moved or registered here, they no longer
    are."""
    from storage.core.audit import add_entry
    from storage.core.db import driver_connection

    with db.engine.connect() as conn:
        if resident_id not in {rid for rid, _name, _registered in waiting(driver_connection(conn))}:
            return False
    with db.write() as s:
        add_entry(s, SEEN, counts={"record_id": resident_id})
    return True


def _fields(value: Any) -> dict[str, Any]:
    """An event's fields or an audit entry's counts, as the driver gives them (SQLite: JSON text)."""
    return json_object(value) or {}


def _china_day(at: Any) -> dt.date:
    """The day in China of an audit entry's time (stored in UTC): a visit on that day or later counts as seen."""
    when = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return china_today(when)

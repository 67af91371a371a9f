"""The people who keep a grid's register: its worker and its children's director (DESIGN §1), each on a laptop of
their own, enrolled for the grid with a code of their own.

A grid record has one `worker_name`, which every laptop's set-up wrote with its own name until this version: two
people of one grid clashed at the township's merge, and the later name was the grid's. A laptop's set-up still
writes the grid's record (its code, name, township, village), signed as every event is by the laptop's worker
(the township's merge checks that the author is the device's enrolled worker, storage/sync/authorise.py). Those
set-up events travel to the township and on to the county, so every level names the same people: the authors of
the grid's set-up events, in the order the laptops were set up, without the devices the clerk revoked here. A grid
whose events name nobody (a record written before events had authors) keeps its `worker_name`.
"""

from __future__ import annotations

from typing import Any

from storage.core import json_text
from storage.core.i18n import join_list

# a set-up event gives the grid's code (storage/core/identity.py init_worker, storage/demo/grid.py); the others
# (its village set later, a clerk's decision) give only what they change
_SET_UP = ("SELECT e.record_id, e.author, e.device_id, e.fields FROM event e WHERE e.record_type = 'grid'"
           " AND NOT EXISTS (SELECT 1 FROM device d WHERE d.device_id = e.device_id AND d.status = 'revoked')")
_ORDER = " ORDER BY e.hlc, e.device_id"
_NAMED = "SELECT id, worker_name FROM grid WHERE NOT deleted AND worker_name <> ''"


def _alchemy(conn: Any) -> bool:
    # Home reads through the driver's own connection before SQLAlchemy is loaded (tests/test_startup_imports.py)
    return hasattr(conn, "exec_driver_sql")


def _rows(conn: Any, sql: str, params: dict[str, str] | None = None) -> list[Any]:
    """On an SQLAlchemy connection, or on the driver's own (Home's sqlite3): plain SQL either way."""
    if _alchemy(conn):
        from sqlalchemy import text

        return list(conn.execute(text(sql), params or {}))
    return list(conn.execute(sql))


def grid_people(conn: Any, grid_id: str | None = None) -> dict[str, list[str]]:
    """The people of each grid (of `grid_id` only, on an SQLAlchemy connection, if given), by grid id."""
    if grid_id is not None and _alchemy(conn):
        rows = _rows(conn, _SET_UP + " AND e.record_id = :g" + _ORDER, {"g": grid_id})
        named = _rows(conn, _NAMED + " AND id = :g", {"g": grid_id})
    else:
        rows, named = _rows(conn, _SET_UP + _ORDER), _rows(conn, _NAMED)
    people: dict[str, list[str]] = {}
    for gid, author, _device, fields in rows:
        values = json_text.loads(fields) if isinstance(fields, str) else fields
        if not isinstance(values, dict) or "code" not in values or not author:
            continue
        names = people.setdefault(gid, [])
        if author not in names:
            names.append(author)
    for gid, worker in named:
        if not people.get(gid):
            people[gid] = [worker]
    return people


def people_text(people: dict[str, list[str]], grid_id: str) -> str:
    """The people of a grid in running text: "王芳、李敏"."""
    return join_list(people.get(grid_id, ()))

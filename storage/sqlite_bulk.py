"""SQLite-specific bulk statements, kept in one place (DESIGN.md §2).

A county that moves the township role to PostgreSQL replaces this module:
`INSERT OR IGNORE` becomes `INSERT ... ON CONFLICT DO NOTHING`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

EVENT_COLUMNS = ("id", "record_type", "record_id", "fields", "hlc", "device_id", "base_hlc", "author", "exported_seq")


def existing_event_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), 900):
        chunk = list(ids[i : i + 900])
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in conn.exec_driver_sql(f"SELECT id FROM event WHERE id IN ({marks})", tuple(chunk)))
    return found


def insert_events_ignore(conn: Connection, events: Iterable[dict[str, Any]], exported_seq: int | None = None) -> int:
    rows = [
        (ev["id"], ev["record_type"], ev["record_id"], json.dumps(ev["fields"], ensure_ascii=False), ev["hlc"],
         ev["device_id"], int(ev.get("base_hlc") or 0), str(ev.get("author") or ""), exported_seq)
        for ev in events
    ]
    if not rows:
        return 0
    cols = ",".join(EVENT_COLUMNS)
    marks = ",".join("?" * len(EVENT_COLUMNS))
    conn.exec_driver_sql(f"INSERT OR IGNORE INTO event ({cols}) VALUES ({marks})", rows)
    return len(rows)


def existing_state_ids(conn: Connection, table: str, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), 900):
        chunk = list(ids[i : i + 900])
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in conn.exec_driver_sql(f"SELECT id FROM {table} WHERE id IN ({marks})", tuple(chunk)))
    return found


def mark_exported(conn: Connection, device_id: str, seq: int) -> int:
    result = conn.execute(text("UPDATE event SET exported_seq = :seq WHERE device_id = :dev AND exported_seq IS NULL"),
                          {"seq": seq, "dev": device_id})
    return result.rowcount


def _sql_value(value: Any) -> Any:
    # the representation SQLAlchemy's Date and Boolean types store on SQLite
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


_JSON_COLUMNS: dict[str, frozenset[str]] = {}


def _json_columns(conn: Connection, table: str) -> frozenset[str]:
    if table not in _JSON_COLUMNS:
        _JSON_COLUMNS[table] = frozenset(
            row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})") if row[2].upper() == "JSON")
    return _JSON_COLUMNS[table]


def replace_rows(conn: Connection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, replacing any with the same primary key (delete + insert).

    JSON columns are always encoded (a string too), exactly as SQLAlchemy's JSON type does.
    """
    if not rows:
        return
    cols = list(rows[0])
    as_json = _json_columns(conn, table)
    sql = f"INSERT OR REPLACE INTO {table} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"
    conn.exec_driver_sql(sql, [tuple(json.dumps(r[c]) if c in as_json else _sql_value(r[c]) for c in cols) for r in rows])


def delete_ids(conn: Connection, table: str, column: str, ids: Sequence[str], extra: str = "", params: tuple = ()) -> None:
    for i in range(0, len(ids), 900):
        chunk = tuple(ids[i : i + 900])
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE {column} IN ({','.join('?' * len(chunk))}){extra}", chunk + params)

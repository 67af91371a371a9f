"""SQLite-specific bulk statements, kept in one place (docs/design.md §2).

PostgreSQL's twin is storage/core/pg_bulk.py (COPY instead of INSERT OR IGNORE / OR REPLACE);
callers pick the one of their connection with storage.core.bulk.for_connection.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from storage.core.json_text import dumps

EVENT_COLUMNS = ("id", "record_type", "record_id", "fields", "hlc", "device_id", "base_hlc", "author", "exported_seq")


def existing_event_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    return existing_state_ids(conn, "event", ids)


def insert_events_ignore(conn: Connection, events: Iterable[dict[str, Any]], exported_seq: int | None = None,
                         *, checked: bool = False) -> int:
    """The events not in the table yet (INSERT OR IGNORE: `checked`, that the caller looked them up, changes nothing)."""
    rows = [
        (ev["id"], ev["record_type"], ev["record_id"], dumps(ev["fields"]), ev["hlc"],
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


def column_by_id(conn: Connection, table: str, column: str, ids: Sequence[str]) -> dict[str, Any]:
    """{id: column} for the rows of `table` among `ids` (the merge's authorisation reads owners this way)."""
    raw = conn.connection.driver_connection  # the DB-API cursor: SQLAlchemy's work per statement cost more here
    if raw is None:  # (None only once the connection is closed: a bug here, not something a user did)
        raise RuntimeError("column_by_id on a closed connection")
    found: dict[str, Any] = {}
    for i in range(0, len(ids), 900):
        chunk = list(ids[i : i + 900])
        marks = ",".join("?" * len(chunk))
        found.update(raw.execute(f"SELECT id, {column} FROM {table} WHERE id IN ({marks})", chunk).fetchall())
    return found


def event_fields(conn: Connection, record_type: str, record_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(record id, fields as JSON text) of every event of these records."""
    rows: list[tuple[str, str]] = []
    for i in range(0, len(record_ids), 900):
        chunk = list(record_ids[i : i + 900])
        marks = ",".join("?" * len(chunk))
        rows += conn.exec_driver_sql(f"SELECT record_id, fields FROM event WHERE record_type = ? AND record_id IN ({marks})",
                                     (record_type, *chunk)).all()
    return rows


def mark_exported(conn: Connection, device_id: str, seq: int, record_types: Sequence[str]) -> int:
    marks = ",".join("?" * len(record_types))
    result = conn.exec_driver_sql(
        f"UPDATE event SET exported_seq = ? WHERE device_id = ? AND exported_seq IS NULL AND record_type IN ({marks})",
        (seq, device_id, *record_types))
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

    JSON columns are always encoded (a string too), as SQLAlchemy's JSON type does.
    """
    if not rows:
        return
    cols = list(rows[0])
    as_json = _json_columns(conn, table)
    sql = f"INSERT OR REPLACE INTO {table} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"
    conn.exec_driver_sql(sql, [tuple(dumps(r[c]) if c in as_json else _sql_value(r[c]) for c in cols) for r in rows])


def _json_text(value: Any) -> str:
    if not value and type(value) is list:  # most list columns are empty: skip the encoder
        return "[]"
    return dumps(value)


@functools.lru_cache(maxsize=8192)
def _iso_date(text: str) -> str:
    return dt.date.fromisoformat(text[:10]).isoformat()


def _date_text(value: Any) -> Any:
    # a township's visits fall on a few hundred days: parse each once
    return _iso_date(value) if isinstance(value, str) else _sql_value(value)


def _datetime_text(value: Any) -> Any:
    return dt.datetime.fromisoformat(value).isoformat() if isinstance(value, str) else _sql_value(value)


def _flag(value: Any) -> int | None:
    return None if value is None else 1 if value else 0


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


# how a JSON value of each column kind is stored (as SQLAlchemy's types store it on SQLite; a JSON
# null in a JSON column is the text 'null'); None for the kinds SQLite binds as they come
_CONVERT: dict[str, Callable[[Any], Any] | None] = {
    "date": _date_text, "datetime": _datetime_text, "bool": _flag, "int": _int, "json": _json_text, "other": None}


class RowEncoder:
    """One table's rows as the tuples SQLite stores, built straight from JSON values.

    The hot path of a merge: a township merge writes some 100,000 state rows, and a
    dict per row converted value by value cost more than the INSERT itself.
    """

    def __init__(self, table: str, kinds: dict[str, str], defaults: dict[str, Any]):
        self.table = table
        self.columns = list(kinds)
        self.index = {name: i for i, name in enumerate(self.columns)}
        self.defaults = {c: defaults[c] for c in self.columns}  # as the model has them: converted per row
        self._pick = operator.itemgetter(*self.columns)
        self._convert = [(i, fn) for i, c in enumerate(self.columns) if (fn := _CONVERT[kinds[c]]) is not None]
        self.sql = (f"INSERT OR REPLACE INTO {table} ({','.join(self.columns)})"
                    f" VALUES ({','.join('?' * len(self.columns))})")

    def row(self, values: dict[str, Any], *, complete: bool = False) -> list[Any]:
        """The defaults, overlaid with `values` (names that are not columns are ignored).

        `complete`: `values` already holds every column (the caller merged the defaults in).
        """
        out = list(self._pick(values if complete else {**self.defaults, **values}))  # the merge and the pick run in C
        i = -1
        try:
            for i, fn in self._convert:
                out[i] = fn(out[i])
        except (ValueError, TypeError, OverflowError) as exc:
            if sys.version_info >= (3, 11):  # (no notes on Python 3.10: the column below says the same)
                exc.add_note(f"column: {self.columns[i]}")  # which one, for the merge's message (schema.FoldError)
            exc.column = self.columns[i]  # type: ignore[union-attr]  # read by schema.FoldError
            raise
        return out

    def write(self, conn: Connection, rows: Sequence[list[Any]], fresh: set[str] | frozenset[str] = frozenset()) -> None:
        """Insert the rows, replacing those with the same id (on PostgreSQL: storage/core/pg_bulk.py).

        `fresh`: ids known to have no row yet (PostgreSQL then COPYs them without a DELETE first).
        """
        if not rows:
            return
        if conn.dialect.name == "postgresql":
            from storage.core.pg_bulk import replace_tuples

            replace_tuples(conn, self.table, self.columns, rows, fresh)
        else:
            conn.exec_driver_sql(self.sql, [tuple(r) for r in rows])


def delete_ids(conn: Connection, table: str, column: str, ids: Sequence[str], extra: str = "", params: tuple = ()) -> None:
    for i in range(0, len(ids), 900):
        chunk = tuple(ids[i : i + 900])
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE {column} IN ({','.join('?' * len(chunk))}){extra}", chunk + params)

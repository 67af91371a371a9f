"""PostgreSQL's twin of storage/core/sqlite_bulk.py: the same bulk statements, PostgreSQL's way.

A county merges some 1.5 million events a year from its townships: rows go in by COPY (psycopg's
`cursor.copy`), the fastest way into PostgreSQL, and "replace these rows" is a DELETE of their ids
followed by a COPY (what SQLite's INSERT OR REPLACE does). Id lists travel as one array parameter
(`= ANY(%s)`), not as chunks of placeholders. Writers hold the database's write lock (an advisory
lock, storage/core/db.py), so no other merge inserts the same rows between a check and a COPY.

The rows given here are those storage/core/sqlite_bulk.RowEncoder builds (dates as ISO text, flags
as 0/1, JSON as text): PostgreSQL's text COPY reads each of them into its column's type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from storage.core.json_text import dumps

EVENT_COLUMNS = ("id", "record_type", "record_id", "fields", "hlc", "device_id", "base_hlc", "author", "exported_seq")


def _cursor(conn: Connection):
    raw = conn.connection.driver_connection
    assert raw is not None  # a connection checked out of the pool, in a transaction
    return raw.cursor()


_SEP = "\x1f"  # the unit separator: no id holds it (ids are RECORD_ID-shaped; a village's name has no control characters)


def _id_list(ids: Sequence[str]) -> tuple[str, Any]:
    """An id list as one parameter and the SQL that reads it as an array: one text joined by _SEP (the driver
    spelled a list of 20,000 ids out as an array literal item by item, in Python: a twentieth of a county
    merge), or the list itself should an id hold the separator after all."""
    joined = _SEP.join(ids)
    if joined.count(_SEP) != len(ids) - 1 or "" in ids:  # ("" would vanish: string_to_array('') is empty)
        return "%s::varchar[]", list(ids)
    return "string_to_array(%s, chr(31))", joined


def _ids_in(conn: Connection, table: str, column: str, ids: Sequence[str], extra: str = "",
            params: tuple = ()) -> set[str]:
    if not ids:
        return set()
    with _cursor(conn) as cur:
        sql, param = _id_list(ids)
        cur.execute(f"SELECT {column} FROM {table} WHERE {column} = ANY({sql}){extra}", (param, *params))
        return {r[0] for r in cur}


def existing_event_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    return _ids_in(conn, "event", "id", ids)


def existing_state_ids(conn: Connection, table: str, ids: Sequence[str]) -> set[str]:
    return _ids_in(conn, table, "id", ids)


def column_by_id(conn: Connection, table: str, column: str, ids: Sequence[str]) -> dict[str, Any]:
    """{id: column} for the rows of `table` among `ids` (the merge's authorisation reads owners this way)."""
    if not ids:
        return {}
    with _cursor(conn) as cur:
        sql, param = _id_list(ids)
        cur.execute(f"SELECT id, {column} FROM {table} WHERE id = ANY({sql})", (param,))
        return dict(cur.fetchall())


def event_fields(conn: Connection, record_type: str, record_ids: Sequence[str]) -> list[tuple[str, Any]]:
    """(record id, fields) of every event of these records (fields as psycopg reads a json column: parsed)."""
    if not record_ids:
        return []
    with _cursor(conn) as cur:
        sql, param = _id_list(record_ids)
        cur.execute(f"SELECT record_id, fields FROM event WHERE record_type = %s AND record_id = ANY({sql})",
                    (record_type, param))
        return list(cur.fetchall())


def event_rows(conn: Connection, record_type: str, record_ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """(record id, id, fields, hlc, device id, base hlc, author) of every event of these records, for a fold."""
    if not record_ids:
        return []
    with _cursor(conn) as cur:
        sql, param = _id_list(record_ids)
        cur.execute("SELECT record_id, id, fields, hlc, device_id, base_hlc, author FROM event"
                    f" WHERE record_type = %s AND record_id = ANY({sql})", (record_type, param))
        return list(cur.fetchall())


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY the rows into the table (they must not be there yet); returns how many."""
    n = 0
    with _cursor(conn) as cur, cur.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def insert_events_ignore(conn: Connection, events: Iterable[dict[str, Any]], exported_seq: int | None = None,
                         *, checked: bool = False) -> int:
    """The events not in the table yet (by id; also once each if a list repeats one), by COPY.

    `checked`: the caller has just looked the ids up (existing_event_ids, under the write lock) and gives
    only absent ones: not looked up again (a county merge's chunk is 20,000 ids).
    """
    fresh: dict[str, dict[str, Any]] = {}
    for ev in events:
        fresh.setdefault(ev["id"], ev)
    if not fresh:
        return 0
    if not checked:
        for known in existing_event_ids(conn, list(fresh)):
            del fresh[known]
    rows = ((ev["id"], ev["record_type"], ev["record_id"], dumps(ev["fields"]), ev["hlc"], ev["device_id"],
             int(ev.get("base_hlc") or 0), str(ev.get("author") or ""), exported_seq) for ev in fresh.values())
    return copy_rows(conn, "event", EVENT_COLUMNS, rows)


def mark_exported(conn: Connection, device_id: str, seq: int, record_types: Sequence[str]) -> int:
    with _cursor(conn) as cur:
        cur.execute("UPDATE event SET exported_seq = %s WHERE device_id = %s AND exported_seq IS NULL "
                    "AND record_type = ANY(%s)", (seq, device_id, list(record_types)))
        return cur.rowcount


def delete_ids(conn: Connection, table: str, column: str, ids: Sequence[str], extra: str = "", params: tuple = ()) -> None:
    """DELETE the rows whose `column` is one of `ids`; `extra` is SQL with %s placeholders for `params`."""
    if ids:
        with _cursor(conn) as cur:
            sql, param = _id_list(ids)
            cur.execute(f"DELETE FROM {table} WHERE {column} = ANY({sql}){extra.replace('?', '%s')}", (param, *params))


def replace_tuples(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                   fresh: set[str] | frozenset[str] = frozenset()) -> None:
    """Rows keyed by their "id" column, replacing any with the same key: DELETE, then COPY.

    `fresh`: ids the caller knows have no row yet (a merge's new records): not looked for.
    """
    if not rows:
        return
    key = list(columns).index("id")
    unique: dict[Any, Sequence[Any]] = {}
    for row in rows:
        unique[row[key]] = row  # the last one wins, as with INSERT OR REPLACE
    delete_ids(conn, table, "id", [rid for rid in unique if rid not in fresh])
    copy_rows(conn, table, columns, unique.values())


def replace_rows(conn: Connection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """sqlite_bulk.replace_rows: dict rows keyed by "id"; JSON columns encoded, dates and flags as COPY reads them."""
    from storage.core.sqlite_bulk import _sql_value

    if not rows:
        return
    cols = list(rows[0])
    as_json = _json_columns(conn, table)
    replace_tuples(conn, table, cols, [tuple(dumps(r[c]) if c in as_json else _sql_value(r[c]) for c in cols)
                                       for r in rows])


_JSON_COLUMNS: dict[str, frozenset[str]] = {}


def _json_columns(conn: Connection, table: str) -> frozenset[str]:
    if table not in _JSON_COLUMNS:
        with _cursor(conn) as cur:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                        " AND table_schema = current_schema() AND data_type IN ('json', 'jsonb')", (table,))
            _JSON_COLUMNS[table] = frozenset(r[0] for r in cur)
    return _JSON_COLUMNS[table]


def refresh_risk(conn: Connection, resident_ids: Sequence[str]) -> None:
    """resident.risk_level = the latest assessment (by date, then clock), else 'low': storage.core.changes's
    rule in one statement for every resident given (its chunked correlated UPDATE cost seconds per bundle)."""
    if not resident_ids:
        return
    sql, param = _id_list(resident_ids)
    with _cursor(conn) as cur:
        cur.execute(
            "UPDATE resident r SET risk_level = coalesce(latest.level, 'low')"
            f" FROM unnest({sql}) AS ids(id)"
            " LEFT JOIN LATERAL (SELECT ra.level FROM risk_assessment ra WHERE ra.resident_id = ids.id AND NOT ra.deleted"
            "  ORDER BY ra.assessed_on DESC, ra.hlc DESC LIMIT 1) latest ON true"
            # a row whose level stays is not rewritten (PostgreSQL writes a new row version per update)
            " WHERE r.id = ids.id AND r.risk_level IS DISTINCT FROM coalesce(latest.level, 'low')",
            (param,))

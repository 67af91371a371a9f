"""Which row of a SQLite file holds a JSON value that is not JSON, asked once a read has met one.

A JSON column edited by hand into text that is not JSON stops every read of its row: the engine's reader raises
DamagedValue (storage/core/json_text.py), SQLite's json_extract 'malformed JSON'. Both are said as a damaged file in
one line; this names the row in that line (the record, or the audit log's entry), so that the clerk knows what a
backup must bring back. Only on that error's path: a scan of every JSON column (a township's 110,000 changes: tens
of milliseconds). A server's JSON columns hold nothing else: PostgreSQL checks JSON as it stores it.

JSON of the wrong shape (a resident's categories edited into text or a number, a visit's observations into a list)
is read on both engines, and refused as it is read (storage/core/models/columns.py CodeList, FlatObject): the row is
then found by its shape, in the file or on the server.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from storage.core.errors import UserError
from storage.core.i18n import _

log = logging.getLogger(__name__)


def is_unreadable_value(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps) is a JSON value that is not JSON: the engine's reader's, or SQLite's."""
    from storage.core.json_text import DamagedValue

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DamagedValue):
            return True
        if isinstance(current, sqlite3.OperationalError) and "malformed JSON" in str(current):
            return True
        if is_stored_date_unreadable(current):
            return True
        # (a refusal raised `from None` in its place has said it already: its context is not looked into)
        current = getattr(current, "orig", None) or current.__cause__ or (
            None if current.__suppress_context__ else current.__context__)
    return False


def is_stored_date_unreadable(exc: BaseException) -> bool:
    """Whether `exc` is SQLAlchemy's reader of a date column failing on what the column holds (text that is no date,
    a number: the file edited by hand, or a damaged page), not a date given to a form or an option."""
    import traceback

    if not isinstance(exc, ValueError | TypeError):
        return False
    frames = traceback.extract_tb(exc.__traceback__)  # raised in the reader itself (date.fromisoformat has no frame)
    return bool(frames) and "sqlalchemy" in frames[-1].filename and frames[-1].name.rsplit(".", 1)[-1] == "str_to_date"


def named_damage(exc: BaseException, target: Path | str | None) -> UserError | None:
    """The damaged database's line naming the first row whose JSON is not JSON, or not of its column's shape, when
    `exc` is such a read's error and `target` a SQLite file or a server's URL; None otherwise (or when no row of a
    file is found: the caller's own line is said; a server's unnamed line then)."""
    if target is None or not is_unreadable_value(exc):
        return None
    if not isinstance(target, Path):
        from storage.core.json_text import damaged

        # (not found: the server's own line still, not the file's restore that the caller's error may say)
        found = _misshapen_on_server(target)
        return said(*found, server=True) if found is not None else damaged(server=True)
    from storage.core.db import BUSY_TIMEOUT_MS, _read_only_uri

    try:
        conn = sqlite3.connect(_read_only_uri(target), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            found = first_unreadable(conn) or first_misshapen(conn) or first_undated(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc_read:
        log.info("unreadable value of %s not looked for: %s", target, exc_read)
        return None
    return said(*found) if found is not None else None


def _misshapen_on_server(url: str) -> tuple[str, str, str] | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    from storage.core.db_server import server_url

    try:
        engine = create_engine(server_url(url), hide_parameters=True)
        try:
            with engine.connect() as conn:
                return _first_misshapen(lambda sql: conn.execute(text(sql)), "postgresql")
        finally:
            engine.dispose()
    except (SQLAlchemyError, ImportError) as exc_read:
        log.info("misshapen value not looked for on the server: %s", exc_read)
        return None


# a value of a fixed shape that is not, in each engine's SQL ({c}: the column): a list of text, a flat object of
# text, integers and flags (what CodeList and FlatObject read), JSON null taken as empty
_WRONG_SHAPE = {
    ("sqlite", "list"): "CASE WHEN json_valid({c}) THEN json_type({c}) NOT IN ('array', 'null') OR EXISTS "
                        "(SELECT 1 FROM json_each({c}) WHERE type <> 'text') ELSE 0 END",
    ("sqlite", "object"): "CASE WHEN json_valid({c}) THEN json_type({c}) NOT IN ('object', 'null') OR EXISTS "
                          "(SELECT 1 FROM json_each({c}) WHERE type NOT IN ('text', 'integer', 'true', 'false', "
                          "'null')) ELSE 0 END",
    ("postgresql", "list"): "CASE WHEN json_typeof({c}) = 'array' THEN EXISTS (SELECT 1 FROM json_array_elements({c}) "
                            "e WHERE json_typeof(e) <> 'string') ELSE json_typeof({c}) <> 'null' END",
    ("postgresql", "object"): "CASE WHEN json_typeof({c}) = 'object' THEN EXISTS (SELECT 1 FROM json_each({c}) e "
                              "WHERE json_typeof(e.value) NOT IN ('string', 'number', 'boolean', 'null') OR "
                              "(json_typeof(e.value) = 'number' AND e.value::text ~ '[.eE]')) "
                              "ELSE json_typeof({c}) <> 'null' END",
}


def first_misshapen(conn: sqlite3.Connection) -> tuple[str, str, str] | None:
    """`first_unreadable`'s answer for JSON of the wrong shape in a SQLite file: only the columns the file has (a
    backup of an older schema version lacks some)."""

    def present(table: str) -> set[str]:
        return {name for (name,) in conn.execute("SELECT name FROM pragma_table_info(?)", (table,))}

    return _first_misshapen(conn.execute, "sqlite", present)


def _first_misshapen(execute, dialect: str, present=None) -> tuple[str, str, str] | None:
    """(table, "", row id) of the first row whose JSON of a fixed shape is not of it: a scan of those columns (on a
    read's error path, and of each backup checked: ~170 ms of the township demo's file)."""
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (the tables on SQLModel.metadata)
    from storage.core.models.columns import json_shape

    for table in SQLModel.metadata.sorted_tables:
        shaped = [(c.name, json_shape(c.type)) for c in table.columns if json_shape(c.type)]
        if shaped and present is not None:
            there = present(table.name)
            shaped = [(name, shape) for name, shape in shaped if name in there] if "id" in there else []
        if not shaped:
            continue
        bad = " OR ".join("(" + _WRONG_SHAPE[dialect, shape].format(c=f"{table.name}.{name}") + ")"
                          for name, shape in shaped)
        row = execute(f"SELECT id FROM {table.name} WHERE {bad} LIMIT 1").fetchone()
        if row is not None:
            return table.name, "", str(row[0])
    return None


def first_unreadable(conn: sqlite3.Connection) -> tuple[str, str, str] | None:
    """(table, record type or "", row id) of the first row holding text that is not JSON in a JSON column. Only the
    columns the file has: a backup of an older schema version (the restore upgrades it) lacks some."""
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (the tables on SQLModel.metadata)
    from storage.core.models.columns import is_json

    for table in SQLModel.metadata.sorted_tables:
        present = {name for (name,) in conn.execute("SELECT name FROM pragma_table_info(?)", (table.name,))}
        columns = [c.name for c in table.columns if is_json(c.type) and c.name in present]
        if not columns or not {c.name for c in table.primary_key} <= present:
            continue
        # a change or a conflict by its record's id, any other row by its key
        typed = "record_type" in table.columns and "record_id" in table.columns
        picked = "record_type, record_id" if typed else "'', " + " || ':' || ".join(c.name for c in table.primary_key)
        bad = " OR ".join(f"({c} IS NOT NULL AND NOT json_valid({c}))" for c in columns)
        row = conn.execute(f"SELECT {picked} FROM {table.name} WHERE {bad} LIMIT 1").fetchone()
        if row is not None:
            return table.name, str(row[0]), str(row[1])
    return None


def first_undated(conn: sqlite3.Connection) -> tuple[str, str, str] | None:
    """(table, "", row id) of the first row whose date column holds what is no date of SQLite's YYYY-MM-DD, the form
    gridcare writes: what SQLAlchemy's reader failed on (a server's DATE columns hold dates only)."""
    from sqlalchemy import Date
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (the tables on SQLModel.metadata)

    for table in SQLModel.metadata.sorted_tables:
        present = {name for (name,) in conn.execute("SELECT name FROM pragma_table_info(?)", (table.name,))}
        columns = [c.name for c in table.columns if isinstance(c.type, Date) and c.name in present]
        if not columns or "id" not in present:
            continue
        bad = " OR ".join(f"({c} IS NOT NULL AND date({c}) IS NOT {c})" for c in columns)
        row = conn.execute(f"SELECT id FROM {table.name} WHERE {bad} LIMIT 1").fetchone()
        if row is not None:
            return table.name, "", str(row[0])
    return None


def said(table: str, record_type: str, row_id: str, *, server: bool = False) -> UserError:
    """The damaged database's line naming the row. `server`: a PostgreSQL server's database, which has no backups of
    gridcare's to put back (its own tools back it up; the county's IT person restores it), so the line says so."""
    from storage.core.models import RECORD_TABLES
    from storage.core.schema import RECORD_LABELS
    from storage.core.text import printable

    shown = printable(row_id, limit=60)
    by_table = {model.__tablename__: rtype for rtype, model in RECORD_TABLES.items()}
    if table == "event" and record_type in RECORD_LABELS:
        what = _("a change to the {record} record {id}").format(record=_(RECORD_LABELS[record_type]), id=shown)
    elif table == "conflict" and record_type in RECORD_LABELS:
        what = _("a conflict of the {record} record {id}").format(record=_(RECORD_LABELS[record_type]), id=shown)
    elif table in by_table:
        what = _("the {record} record {id}").format(record=_(RECORD_LABELS[by_table[table]]), id=shown)
    elif table == "audit_log":
        what = _("entry {id} of the audit log").format(id=shown)
    else:
        what = f"{table} {shown}"
    if server:
        return UserError(_("The database on the server is damaged: {what} holds a value that cannot be read. Ask "
                           "whoever looks after the server to put back the server's own backup, then merge again the "
                           "bundles merged since. Nothing was changed.").format(what=what))
    return UserError(_("The database file is damaged: {what} holds a value that cannot be read. Put back a backup "
                       "(b on Home opens Backup and restore; or gridcare restore). Nothing was changed.").format(what=what))

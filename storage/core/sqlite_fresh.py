"""On SQLite, the state of records new to the database derived by SQLite (storage/core/fresh_state.py).

Each column is its event's field read with `json_extract` (a JSON column's as its own JSON text,
`json_quote`); a field the event does not set (`json_type` has no answer) takes the model's
default, converted as the Python fold converts it (storage/core/sqlite_bulk.py RowEncoder), bound
as a parameter; an explicit null is NULL ('null' in a JSON column), as the fold stores it. The
event's fields are parsed once per row (SQLite keeps the last few parses of a statement). Not the
`->>` operators: they came with SQLite 3.38, and a Python 3.10 may have an older one.
tests/test_fresh_state.py holds the two ways (this and the Python fold) to the same rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from storage.core.fields import row_template, storage_kinds
from storage.core.json_text import dumps
from storage.core.models import RECORD_TABLES
from storage.core.schema import REFUSED_ROW, refused_row
from storage.core.sqlite_bulk import RowEncoder

_EVENTS = "FROM event e WHERE e.id IN (SELECT value FROM json_each(:ids))"
_SQL: dict[str, tuple[str, dict[str, Any], list[str]]] = {}

# a visit's risk row (derive.visit_risk): the visit's own columns, read from the row just written; it
# replaces one of the same id, as the fold's does
_VISIT_RISK = (
    "INSERT OR REPLACE INTO risk_assessment (id, resident_id, level, assessed_on, assessor, source, reason, hlc, deleted)"
    " SELECT 'visit:' || v.id, v.resident_id, v.risk_after, v.visit_date, v.visitor, 'visit', '', e.hlc, 0"
    " FROM event e JOIN visit v ON v.id = e.record_id WHERE e.id IN (SELECT value FROM json_each(:ids))"
    " AND NOT v.deleted AND v.risk_after <> ''")


def _column(name: str, kind: str, default: Any, params: dict[str, Any]) -> str:
    """A state column read from the event's fields, over its default (a parameter named for the column)."""
    path = f"'$.{name}'"
    value = f"json_extract(e.fields, {path})"
    if kind == "json":  # the value's JSON text (a list or object as it is, a text quoted, null as 'null')
        value = f"json_quote({value})"
    elif default is None:  # absent or null: NULL either way
        return value
    params[name] = default
    if kind == "json":
        return f"CASE WHEN json_type(e.fields, {path}) IS NULL THEN :{name} ELSE {value} END"
    return f"coalesce({value}, CASE WHEN json_type(e.fields, {path}) IS NULL THEN :{name} END)"


def _statement(record_type: str) -> tuple[str, dict[str, Any], list[str]]:
    """(the INSERT writing the state rows from their events, its parameters but the ids, its columns)."""
    if record_type not in _SQL:
        model = RECORD_TABLES[record_type]
        table = str(model.__tablename__)
        kinds = storage_kinds(model)
        enc = RowEncoder(table, kinds, row_template(record_type))
        defaults = dict(zip(enc.columns, enc.row({}), strict=True))
        params: dict[str, Any] = {}
        exprs = {"id": "e.record_id", "deleted": "coalesce(json_extract(e.fields, '$.deleted'), 0)"}  # derive(): bool()
        exprs |= {c: _column(c, kinds[c], defaults[c], params) for c in enc.columns if c not in exprs}
        if record_type == "resident":  # derive.id_rev (registered as reverse_text): none for no number
            exprs["id_rev"] = f"reverse_text({exprs['id_number']})"
        if record_type == "risk":  # derive._risk: the clock of its newest event
            exprs["hlc"] = "e.hlc"
        sql = f"INSERT INTO {table} ({','.join(enc.columns)}) SELECT {','.join(exprs[c] for c in enc.columns)} {_EVENTS}"
        _SQL[record_type] = sql, params, enc.columns
    return _SQL[record_type]


def derive(conn: Connection, record_type: str, event_ids: list[str]) -> None:
    """State rows for new records of one type from their one event each (already in the event table)."""
    sql, params, columns = _statement(record_type)
    ids = {"ids": dumps(event_ids)}
    try:
        conn.exec_driver_sql(sql, {**params, **ids})
    except REFUSED_ROW as exc:  # a column no value reached (NOT NULL): the bundle is refused saying which
        raise refused_row(record_type, columns, exc) from exc
    if record_type == "visit":
        conn.exec_driver_sql(_VISIT_RISK, ids)

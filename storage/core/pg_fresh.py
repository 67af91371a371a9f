"""On PostgreSQL, the state of records new to the database, derived by the server from their one event.

Nearly every record a county merge meets is new to it and written once: its state row is its one
event's fields over the model's defaults, plus the columns storage/core/derive.py derives. Folding
those in Python and sending the rows back by COPY was the larger part of a county merge's Python
time; the server reads them out of the event rows the merge has just copied in, with
`json_populate_record` (absent keys keep the defaults' record; an explicit null is NULL).

Only what the server derives exactly as the Python fold does (storage/core/fold.py) goes this way
(`servable`); the rest is folded in Python as before: fields that `clean` rewrote, dates not spelled
YYYY-MM-DD (the fold reads their first ten characters as a day, ISO week dates too; PostgreSQL
the whole text, and no week dates), a visit without `contact_made` (derived in Python from
older fields), a risk record under a visit's derived id (written before the visit's own risk row),
and record types other than those below. tests/test_pg_fresh.py holds the two ways to the same rows.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Connection

from storage.core.derive import RISK_OWNER
from storage.core.fields import row_template, storage_kinds, to_json_value
from storage.core.json_text import dumps
from storage.core.models import RECORD_TABLES
from storage.core.pg_bulk import _cursor, _id_list

# the record types a county merge meets by the hundred thousand; the others are few and folded in Python
SERVED = ("assessment", "benefit", "referral", "resident", "risk", "visit")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SQL: dict[str, tuple[str, str]] = {}


def _dates(record_type: str) -> tuple[str, ...]:
    return tuple(c for c, k in storage_kinds(RECORD_TABLES[record_type]).items() if k == "date")


_DATES = {t: _dates(t) for t in SERVED}


def servable(record_type: str, record_id: str, fields: dict[str, Any]) -> bool:
    """Whether the server derives this record's state from its one event (`fields` as stored and folded)
    exactly as the Python fold does."""
    kinds = _DATES.get(record_type)
    if kinds is None:
        return False
    for name in kinds:
        value = fields.get(name)
        if value is not None and not (type(value) is str and _DAY.fullmatch(value)):
            return False
    if record_type == "visit":
        return fields.get("contact_made") is not None
    if record_type == "risk":
        return not record_id.startswith("visit:")
    return True


def _statement(record_type: str) -> tuple[str, str]:
    """(the statement writing the state rows from their events, the defaults' record as JSON).

    The events' fields are read once (`src`); a visit's risk row comes from the same reading.
    """
    if record_type not in _SQL:
        table = str(RECORD_TABLES[record_type].__tablename__)
        template = row_template(record_type)
        defaults = {c: to_json_value(v) for c, v in template.items() if c != "id"}
        exprs = []
        for c in template:
            if c == "id":
                exprs.append("src.record_id_")
            elif c == "deleted":
                exprs.append("coalesce(src.deleted, false)")
            elif record_type == "resident" and c == "id_rev":  # derive.id_rev: none for no number
                exprs.append("CASE WHEN src.id_number <> '' THEN reverse(src.id_number) END")
            elif record_type == "risk" and c == "hlc":  # derive._risk: the clock of its newest event
                exprs.append("src.hlc_")
            else:
                exprs.append(f'src."{c}"')
        owner = RISK_OWNER.get(record_type)
        columns = ",".join(f'"{c}"' for c in template)
        sql = (f"WITH src AS (SELECT e.record_id AS record_id_, e.hlc AS hlc_, r.*"
               f" FROM (SELECT json_populate_record(NULL::{table}, %s::json) AS b) AS base, event e,"
               f" LATERAL json_populate_record(base.b, e.fields) AS r WHERE e.id = ANY({{ids}})),"
               f" ins AS (INSERT INTO {table} ({columns}) SELECT {','.join(exprs)} FROM src"
               + (f' RETURNING "{owner}")' if owner else ")"))
        if record_type == "visit":
            sql += f", risk AS ({_VISIT_RISK})"
        sql += f' SELECT "{owner}" FROM ins' if owner else " SELECT 1"
        _SQL[record_type] = sql, dumps(defaults)
    return _SQL[record_type]


# a visit's risk row (derive.visit_risk): the visit's own columns; it replaces one of the same id, as the fold's does
_VISIT_RISK = (
    "INSERT INTO risk_assessment (id, resident_id, level, assessed_on, assessor, source, reason, hlc, deleted)"
    " SELECT 'visit:' || src.record_id_, src.resident_id, src.risk_after, src.visit_date, src.visitor, 'visit', '',"
    " src.hlc_, false FROM src WHERE NOT coalesce(src.deleted, false) AND src.risk_after <> ''"
    " ON CONFLICT (id) DO UPDATE SET resident_id = EXCLUDED.resident_id, level = EXCLUDED.level,"
    " assessed_on = EXCLUDED.assessed_on, assessor = EXCLUDED.assessor, source = EXCLUDED.source,"
    " reason = EXCLUDED.reason, hlc = EXCLUDED.hlc, deleted = EXCLUDED.deleted")


def served(fresh: dict[tuple[str, str], list[dict[str, Any]]], rewritten: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Of a merge's new records ((record type, id): their events in hand), those written once whose state the
    server derives: their event's id. `rewritten`: records whose event `clean` changed (stored otherwise)."""
    return {key: evs[0]["id"] for key, evs in fresh.items()
            if len(evs) == 1 and key not in rewritten and servable(key[0], key[1], evs[0]["fields"])}


def derive_on_server(conn: Connection, events: dict[tuple[str, str], str], residents: set[str]) -> None:
    """State rows for new records ((record type, id): the id of their one event, already in the event table).

    The residents whose risk level they may move are added to `residents` (the merge refreshes them once).
    """
    by_type: dict[str, list[str]] = {}
    for (record_type, _rid), event_id in events.items():
        by_type.setdefault(record_type, []).append(event_id)
    with _cursor(conn) as cur:
        for record_type in sorted(by_type):
            sql, defaults = _statement(record_type)
            id_sql, param = _id_list(by_type[record_type])
            cur.execute(sql.format(ids=id_sql), (defaults, param))
            if RISK_OWNER.get(record_type):
                residents.update(r[0] for r in cur.fetchall())

"""On PostgreSQL, the state of records new to the database derived by the server (storage/core/fresh_state.py).

With `json_populate_record` over the model's defaults: absent keys keep the defaults' record; an
explicit null is NULL. tests/test_fresh_state.py holds the two ways (this and the Python fold) to the
same rows.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from storage.core.fields import row_template, to_json_value
from storage.core.json_text import dumps
from storage.core.models import RECORD_TABLES
from storage.core.pg_bulk import _cursor, _id_list

_SQL: dict[str, tuple[str, str]] = {}


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
        columns = ",".join(f'"{c}"' for c in template)
        sql = (f"WITH src AS (SELECT e.record_id AS record_id_, e.hlc AS hlc_, r.*"
               f" FROM (SELECT json_populate_record(NULL::{table}, %s::json) AS b) AS base, event e,"
               f" LATERAL json_populate_record(base.b, e.fields) AS r WHERE e.id = ANY({{ids}})),"
               f" ins AS (INSERT INTO {table} ({columns}) SELECT {','.join(exprs)} FROM src)")
        if record_type == "visit":
            sql += f", risk AS ({_VISIT_RISK})"
        sql += " SELECT 1"  # (a statement in WITH runs to completion whether or not it is read)
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


def derive_on_server(conn: Connection, record_type: str, event_ids: list[str]) -> None:
    """State rows for new records of one type from their one event each (already in the event table)."""
    sql, defaults = _statement(record_type)
    id_sql, param = _id_list(event_ids)
    with _cursor(conn) as cur:
        cur.execute(sql.format(ids=id_sql), (defaults, param))

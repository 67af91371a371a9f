"""The state of records new to the database, derived in SQL from their one event, on either engine.

Nearly every record a merge meets is new to the database and written once: its state row is its one
event's fields over the model's defaults, plus the columns storage/core/derive.py derives. Folding
those in Python and handing the rows back to the database was a third of a township merge; the
database reads them out of the event rows the merge has just written (PostgreSQL:
storage/core/pg_fresh.py, SQLite: storage/core/sqlite_fresh.py).

Only what the database derives exactly as the Python fold does (storage/core/fold.py) goes this way
(`servable`); the rest is folded in Python as before: fields that `clean` rewrote, dates not spelled
YYYY-MM-DD (the fold reads their first ten characters as a day, ISO week dates too; PostgreSQL
the whole text, and no week dates), a visit without `contact_made` (derived in Python from
older fields), a risk record under a visit's derived id (written before the visit's own risk row),
and record types other than those below. tests/test_fresh_state.py holds the two ways to the same
rows, on both engines.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from sqlalchemy.engine import Connection

from storage.core.derive import RISK_OWNER
from storage.core.fields import row_template, storage_kinds
from storage.core.models import RECORD_TABLES

# the record types a merge meets by the thousand; the others are few and folded in Python
SERVED = ("assessment", "benefit", "referral", "resident", "risk", "visit")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _dates(record_type: str) -> tuple[str, ...]:
    return tuple(c for c, k in storage_kinds(RECORD_TABLES[record_type]).items() if k == "date")


_DATES = {t: _dates(t) for t in SERVED}


def servable(record_type: str, record_id: str, fields: dict[str, Any]) -> bool:
    """Whether the database derives this record's state from its one event (`fields` as stored and folded)
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


def served(fresh: dict[tuple[str, str], list[dict[str, Any]]],
           rewritten: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Of a merge's new records ((record type, id): their events in hand), those written once whose state the
    database derives: their one event. `rewritten`: records whose event `clean` changed (stored otherwise)."""
    return {key: evs[0] for key, evs in fresh.items()
            if len(evs) == 1 and key not in rewritten and servable(key[0], key[1], evs[0]["fields"])}


def derive_in_sql(conn: Connection, events: dict[tuple[str, str], dict[str, Any]], residents: set[str]) -> None:
    """State rows for new records ((record type, id): their one event, already in the event table), and a
    visit's risk row. The residents whose risk level they may move are added to `residents` (the merge
    refreshes them once): the fold's `row[owner]`, read from the event in hand rather than returned by the
    database (a tenth of the statement's time on SQLite)."""
    by_type: dict[str, list[str]] = {}
    for (record_type, record_id), ev in events.items():
        by_type.setdefault(record_type, []).append(ev["id"])
        owner = RISK_OWNER.get(record_type)
        if owner is not None:
            residents.add(record_id if owner == "id" else ev["fields"].get(owner, _owner_default(record_type)))
    if conn.dialect.name == "postgresql":
        from storage.core.pg_fresh import derive_on_server as derive
    else:
        from storage.core.sqlite_fresh import derive
    for record_type in sorted(by_type):
        derive(conn, record_type, by_type[record_type])


@cache
def _owner_default(record_type: str) -> Any:
    return row_template(record_type)[RISK_OWNER[record_type]]

"""The review queue: a field two people changed without seeing each other's change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from storage.changes import rebuild, writer
from storage.db import Database
from storage.errors import UserError
from storage.i18n import _
from storage.models import RECORD_TABLES, Conflict, Resident


@dataclass(frozen=True)
class ConflictView:
    conflict: Conflict
    record_label: str  # the resident's name, or the record id


def _label(session, conflict: Conflict) -> str:
    table = RECORD_TABLES.get(conflict.record_type)
    row = session.get(table, conflict.record_id) if table else None
    if isinstance(row, Resident):
        return row.name
    resident_id = getattr(row, "resident_id", None)
    if resident_id:
        resident = session.get(Resident, resident_id)
        if resident is not None:
            return resident.name
    return conflict.record_id


def open_conflicts(db: Database) -> list[ConflictView]:
    with db.session() as s:
        rows = s.exec(select(Conflict).order_by(Conflict.record_type, Conflict.record_id, Conflict.field)).all()
        return [ConflictView(c, _label(s, c)) for c in rows]


def resolve_conflict(db: Database, conflict_id: str, value: Any) -> None:
    """Write the chosen value as a new change; it has seen both sides, so it wins and travels on."""
    with db.write() as s:
        c = s.get(Conflict, conflict_id)
        if c is None:
            raise UserError(_("This conflict was already resolved."))
        record_type, record_id, field = c.record_type, c.record_id, c.field
        fields = {field: value}
        if record_type == "resident" and field == "name":
            from storage.names import name_pinyin, name_search_key

            fields.update(name_initials=name_search_key(value), name_pinyin=name_pinyin(value))
        writer(s).write(record_type, record_id, fields)
        rebuild(s, [(record_type, record_id)])

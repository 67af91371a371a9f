"""What the township's bundle changed in a worker's register, named by the merge: the clerk's corrections, the
conflict decisions, what a duplicate merge carried over (walk G, 7: the worker whose phone number the clerk
replaced was told "4 项新修改" and nothing else, and went on calling the old number in her head)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from storage.core.db import Database
from storage.core.i18n import day_text
from storage.core.models import Identity, Resident
from storage.core.text import printable
from storage.register.field_labels import record_field_label
from storage.register.idnumbers import mask_id
from storage.register.value_labels import value_text
from storage.sync.conflicts import ID_FIELDS

# the fields a worker reads on a person's page and acts on; derived ones (the risk level, the pinyin) follow these
WATCHED = ("name", "id_number", "sex", "birth_date", "phone", "address", "categories", "child_subtype",
           "guardian_name", "guardian_relation", "guardian_phone", "father_name", "father_status", "mother_name",
           "mother_status", "disability_card", "disability_category", "disability_grade", "visit_frequency_days",
           "status", "close_reason", "helper_name", "helper_phone", "helper_unit", "notes")

Snapshot = dict[str, tuple[Any, ...]]


@dataclass
class Changed:
    name: str
    fields: list[tuple[str, Any]]  # (field, its new value)

    def shown(self) -> list[tuple[str, str]]:
        """(the field's name, its new value) as the worker reads them, in the language of the moment."""
        return [(record_field_label("resident", f), _shown(f, v)) for f, v in self.fields]


def register_now(db: Database) -> Snapshot | None:
    """The worker's own residents' watched fields, by id; None on a township's or county's database (their
    clerks make the changes, and a merge of 40 bundles must not pay for the reading)."""
    with db.session() as s:
        identity = s.get(Identity, 1)
        if identity is None or identity.role != "worker":
            return None
        rows: list[Resident] = list(s.execute(select(Resident).where(
            col(Resident.grid_code) == (identity.grid_code or ""), col(Resident.merged_into).is_(None),
            col(Resident.deleted).is_(False))).scalars())
        return {r.id: (r.name, *(getattr(r, f) for f in WATCHED)) for r in rows}


def changed_since(db: Database, before: Snapshot) -> list[Changed]:
    """The residents in `before` whose watched fields the merge changed, with the new values. Those it merged away
    or moved to another grid are left out: the merge names them on lines of their own."""
    after = register_now(db) or {}
    out = []
    for rid, now in after.items():
        was = before.get(rid)
        if was is None or was == now:
            continue
        fields = [(f, new) for f, old, new in zip(WATCHED, was[1:], now[1:], strict=True) if old != new]
        out.append(Changed(printable(now[0], limit=20), fields))
    return sorted(out, key=lambda c: c.name)


def _shown(field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if ("resident", field) in ID_FIELDS and isinstance(value, str):
        value = mask_id(value)  # the Sync screen is a list, as the register is
    if isinstance(value, dt.date):
        return day_text(value)
    words = value_text("resident", field, value)
    return printable(words if words is not None else str(value), limit=30)

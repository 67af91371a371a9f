"""Finding one resident from what a clerk types on the command line: the ID number or the record id."""

from __future__ import annotations

from sqlmodel import col, select

from storage.core.db import Database
from storage.core.errors import UserError, ValidationError
from storage.core.i18n import _
from storage.core.models import Resident
from storage.core.text import storable
from storage.register import idnumbers


def resident_by_key(db: Database, key: str) -> Resident:
    """The live resident with this ID number (18 or 15 characters) or record id (the one a merged duplicate went into)."""
    key = "".join(storable(key or "").split())  # (an argument's undecodable byte is half a character: no key)
    with db.session() as s:
        row = s.get(Resident, key)
        if row is None and len(key) in (15, 18):
            try:
                number = idnumbers.parse_id_number(key, today=None).number  # looked up, not registered
            except ValidationError as e:
                raise UserError(e.message) from e
            row = s.exec(select(Resident).where(Resident.id_number == number, Resident.deleted == False)  # noqa: E712
                         .order_by(col(Resident.merged_into).is_not(None))).first()
        while row is not None and row.merged_into:
            row = s.get(Resident, row.merged_into)
        if row is None or row.deleted:
            raise UserError(_("No resident with the ID number or record id {key}.").format(key=key))
        return row

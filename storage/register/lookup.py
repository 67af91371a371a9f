"""Finding one resident from what a clerk types on the command line: the name, the ID number or the record id."""

from __future__ import annotations

from sqlmodel import col, select

from storage.core.db import Database
from storage.core.errors import UserError, ValidationError
from storage.core.i18n import _, join_list
from storage.core.models import Resident
from storage.core.text import storable
from storage.register import idnumbers

NAMESAKES_SHOWN = 5  # namesakes listed in the message that asks which one


def resident_by_key(db: Database, key: str) -> Resident:
    """The live resident with this record id (the one a merged duplicate went into), ID number (18 or 15
    characters) or name, when only one live resident has it (a name many share: which one is asked)."""
    typed = " ".join(storable(key or "").split())  # (an argument's undecodable byte is half a character: no key)
    key = typed.replace(" ", "")
    with db.session() as s:
        row = s.get(Resident, key)
        if row is None and len(key) in (15, 18) and key[:-1].isdigit():
            try:
                number = idnumbers.parse_id_number(key, today=None).number  # looked up, not registered
            except ValidationError as e:
                raise UserError(e.message) from e
            row = s.exec(select(Resident).where(Resident.id_number == number, Resident.deleted == False)  # noqa: E712
                         .order_by(col(Resident.merged_into).is_not(None))).first()
        elif row is None and typed:
            row = _named(s, typed)
        row = merged_end(s, row)
        if row is None or row.deleted or row.merged_into:
            raise UserError(_("No resident with the name, ID number or record id {key}.").format(key=typed))
        return row


def merged_end(s, row: Resident | None) -> Resident | None:
    """`row`, or the record its chain of merges ends in, followed while the next record is here and not deleted:
    where it is not (a worker's laptop holds only its own grid's records), or where the chain comes back on itself
    (two devices merging each into the other: no record of it is on the register), the record is still merged."""
    seen: set[str] = set()
    while row is not None and row.merged_into and row.id not in seen:
        seen.add(row.id)
        kept = s.get(Resident, row.merged_into)
        if kept is None or kept.deleted:
            break
        row = kept
    return row


def _named(s, name: str) -> Resident | None:
    """The one live resident of this name (a merged duplicate is the record it went into); several: which one."""
    named = s.exec(select(Resident).where(Resident.name == name, Resident.deleted == False,  # noqa: E712
                                          col(Resident.merged_into).is_(None))
                   .order_by(Resident.id_number, Resident.id)).all()
    if len(named) <= 1:
        return named[0] if named else None
    which = [_("{id_number}, record id {record}").format(id_number=idnumbers.mask_id(r.id_number) or _("no ID number"),
                                                          record=r.id) for r in named[:NAMESAKES_SHOWN]]
    raise UserError(_("{n} residents are named {name}: give the ID number or the record id of the one you mean "
                      "({which}).").format(n=len(named), name=name, which=join_list(which)
                                           + ("…" if len(named) > NAMESAKES_SHOWN else "")))

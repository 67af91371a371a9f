"""Which registered resident a roster row is: by ID number, or without one by name, grid and birth date."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import col

from storage.core.errors import ValidationError
from storage.core.models import Resident
from storage.register import idnumbers
from storage.register.lookup import merged_end

if TYPE_CHECKING:
    from storage.roster.importer import RowPlan


def match_existing(session: Any, plans: list[RowPlan], made: Collection[str] = frozenset()) -> None:
    """The resident each row is: the same ID number, or without one the same name, grid and birth date.

    `made`: residents this import registered already (an earlier batch of it), never matched: a row
    is matched against the register as it was before the import, as if the file were read at once.
    """
    numbers = {}
    for p in plans:
        number = p.fields.get("id_number")
        if number:
            try:
                numbers[idnumbers.parse_id_number(number, today=None).number] = p  # the number's shape only
            except ValidationError:
                continue
    found: dict[str, Resident] = {}
    keys = sorted(numbers)
    for i in range(0, len(keys), 500):
        query = select(Resident).where(col(Resident.id_number).in_(keys[i:i + 500]), col(Resident.deleted) == False)  # noqa: E712
        for r in session.execute(query).scalars():
            if r.id not in made and (r.merged_into is None or r.id_number not in found):
                found[r.id_number] = r
    for number, p in numbers.items():
        # a merged duplicate: the record it went into where this database has it; else itself, which check_row refuses
        p.existing = merged_end(session, found.get(number))
    without = [p for p in plans if not p.fields.get("id_number") and p.fields.get("name")]
    if without:
        names = sorted({p.fields["name"] for p in without})
        query = select(Resident).where(col(Resident.name).in_(names), col(Resident.id_number).is_(None),
                                       col(Resident.deleted) == False, col(Resident.merged_into).is_(None))  # noqa: E712
        by_key = {(r.name, r.grid_code, r.birth_date): r for r in session.execute(query).scalars() if r.id not in made}
        for p in without:
            p.existing = by_key.get((p.fields["name"], p.fields.get("grid_code"), p.fields.get("birth_date")))


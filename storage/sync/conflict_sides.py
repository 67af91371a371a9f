"""The two sides of a question about fields decided together (storage/core/conflict_groups.py), as they are
written and as the clerk reads them.

A resident's ID number gives the sex and birth date (resident_rules.id_number): a side is its ID number, and
its sex and birth date are the ones the number gives. The fold takes each field's winner on its own, so the
state itself can hold one event's ID number with the other's sex (a worker corrected the ID, sex and birth
date, the clerk only the ID): read as it stands, "keep" would keep a resident no one wrote.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.core.conflict_groups import sides, village_text
from storage.core.conflict_keys import ID_NUMBER, VILLAGE
from storage.core.errors import ValidationError
from storage.core.fields import column_kinds, to_json_value
from storage.core.i18n import _, day_text
from storage.core.models import RECORD_TABLES, Conflict
from storage.core.text import printable
from storage.register import idnumbers
from storage.register.field_labels import record_field_label
from storage.register.value_labels import value_text

# a date that reads as another beside it: 办理中；跟进期限：2026年12月9日, not a bare date read as a closing's
LABELLED = frozenset({("referral", "due_on")})


def whole_sides(session, conflicts: list[Conflict], row: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(kept, other) as conflict_groups.sides gives them, an ID number's side with the sex and birth date it gives."""
    kept, other = sides(session, conflicts, row)
    if tuple(kept) == ID_NUMBER:
        return by_id_number(kept), by_id_number(other)
    return kept, other


def by_id_number(values: dict[str, Any]) -> dict[str, Any]:
    """The sex and birth date the side's ID number gives; a side without a valid one as it is."""
    number = values.get("id_number")
    if not number:
        return values
    try:  # the app's own day does not matter here: only what the number says is read
        info = idnumbers.parse_id_number(str(number), today=None)
    except ValidationError:
        return values
    return {**values, "id_number": info.number, "sex": info.sex, "birth_date": to_json_value(info.birth_date)}


def side_text(record_type: str, values: dict[str, Any], names: dict[str, str], differ: set[str], *,
              full_ids: bool = False) -> str:
    """One side of a question about fields decided together, as the clerk reads it: a village as
    王家村（330521101201）, always name and code; a resident's ID number always, masked unless `full_ids`
    (3305**********0120；女；1946年4月4日); else the fields where the sides `differ`, a closing as
    已退出（销号）；迁出；2026年11月21日 against 在册."""
    if tuple(values) == VILLAGE:
        return village_text(values, names)
    kinds = column_kinds(RECORD_TABLES[record_type])
    parts = []
    for name, value in values.items():
        shown = name in differ or (tuple(values) == ID_NUMBER and name == "id_number")
        if not shown or value is None or value == "":
            continue
        if name == "id_number" and not full_ids:
            parts.append(idnumbers.mask_id(str(value)))
            continue
        words = value_text(record_type, name, value)
        if words is None and isinstance(value, (str, dt.date)) and kinds.get(name) == "date":
            try:  # the state's date, or the event's as its JSON holds it
                words = day_text(value if isinstance(value, dt.date) else dt.date.fromisoformat(value))
            except ValueError:
                words = None
        text = printable(words if words is not None else str(value), limit=60)
        if (record_type, name) in LABELLED:
            text = _("{field}: {value}").format(field=record_field_label(record_type, name), value=text)
        parts.append(text)
    return _("; ").join(parts) or "—"

"""The questions of fields written together, read and written through the session: the conflicts of one record
that one event lost on the fields of one group (storage/core/conflict_keys.py says which fields go together and
why) are one question, and deciding it writes every field of the group from the side chosen, in one event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from storage.core import places
from storage.core.conflict_keys import VILLAGE, group_of, question
from storage.core.fields import to_json_value
from storage.core.i18n import _
from storage.core.models import Conflict, Event, Grid, Village


def asked(session, conflict: Conflict) -> list[Conflict]:
    """The conflicts asking the same question as this one (itself included), by field."""
    group = group_of(conflict.record_type, conflict.field)
    if group is None:
        return [conflict]
    found = [session.get(Conflict, f"{conflict.record_type}:{conflict.record_id}:{f}:{conflict.loser_event}")
             for f in group]
    return [c for c in found if c is not None]


def sides(session, conflicts: list[Conflict], row: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(kept, other): every field of the group as each side has it. Kept is the state (each field's winner);
    the other side is what the losing event wrote. A field it did not write (a bundle of before the grid carried
    the name) is the state's when the rest of its side agrees with the state; a village name it did not give for
    another village is none, never the kept village's name."""
    first = conflicts[0]
    group = group_of(first.record_type, first.field) or (first.field,)
    kept = {f: to_json_value(getattr(row, f, None)) for f in group}  # as events hold them: a date as its ISO text
    lost = {c.field: c.loser_value for c in conflicts}
    event = session.get(Event, first.loser_event)
    written = dict(event.fields or {}) if event is not None else {}
    other = {}
    for f in group:
        if f in lost:
            other[f] = lost[f]
        elif f in written:
            other[f] = written[f]
        elif group is VILLAGE and f == "village_name" and other.get("village_code") != kept["village_code"]:
            other[f] = ""
        else:
            other[f] = kept[f]
    return kept, other


def village_text(values: dict[str, Any], names: dict[str, str]) -> str:
    """One side of a grid's village question as the clerk reads it: 王家村（330521101201）."""
    code = values.get("village_code") or ""
    if not code:
        return "—"
    name = values.get("village_name") or places.village_label(code, names)
    if places.VILLAGE_CODE.match(code) and name != code:
        return _("{name} ({code})").format(name=name, code=code)
    return name


def record_name(row: Any) -> str | None:
    """A grid or a village as people know it (G02（李家网格）, 李家村), not its record id; None for other records."""
    if isinstance(row, Grid):
        code = row.code or row.id.split("-", 1)[-1]
        return _("{code} ({name})").format(code=code, name=row.name) if row.name else _("Grid {code}").format(code=code)
    if isinstance(row, Village):
        return places.village_label(row.id, {row.id: row.name} if row.name else {})
    return None


_TYPED_VILLAGE = re.compile(r"^(?P<name>.*?)[\s(（]*(?P<code>\d{12})?[)）]?\s*$")


def typed_village(text: str) -> tuple[str, str | None]:
    """A village typed for the question as it is shown, 王家村（330521101201）, or a name, or a code: (name, code)."""
    m = _TYPED_VILLAGE.match(text.strip())
    if m is None:  # (the pattern takes any line)
        return text.strip(), None
    return m["name"].strip(), m["code"]


def grouped(conflicts: Iterable[Conflict]) -> list[list[Conflict]]:
    """The conflicts in questions, in the order of each question's first conflict; each question's conflicts
    in its group's field order."""
    questions: dict[tuple[str, str, str, str], list[Conflict]] = {}
    for c in conflicts:
        questions.setdefault(question(c.record_type, c.record_id, c.field, c.loser_event), []).append(c)
    out = []
    for found in questions.values():
        group = group_of(found[0].record_type, found[0].field)
        out.append(sorted(found, key=lambda c: group.index(c.field)) if group else found)
    return out

"""Fields written together that are one decision: a grid's village is its id and the name it carries (and a
case's closing, a referral's follow-up, a resident's ID number with the sex and birth date it gives, the paired
helper, a benefit's period).

set_grid_village writes a grid's `village_code` and `village_name` in one event, but the fold finds
conflicts field by field, so two people who both moved a grid give two conflicts. Decided apart (keep
one side's code, take the other's name) they stored a code and a name that do not belong together,
and every screen then named the wrong village. Here the conflicts of one record that one event lost
on the fields of one group are one question, and deciding it writes every field of the group from
the side chosen, in one event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from storage.core import places
from storage.core.fields import to_json_value
from storage.core.i18n import _
from storage.core.models import Conflict, Event, Grid, Village

VILLAGE = ("village_code", "village_name")
# a case's closing (close_case) or reopening (reopen_case): kept closed with the other side's empty reason and date,
# it was a closed case with no reason nor date
CLOSING = ("status", "close_reason", "closed_on", "close_note")
# a referral's follow-up (set_referral_status): an open referral with the other side's closing date, or closed without;
# 办理中 with the result the other side wrote on closing it (已批准), or the next follow-up date of another follow-up
REFERRAL_STATUS = ("status", "closed_on", "outcome", "due_on")
# a resident's ID number and what it gives (resident_rules.id_number): one side's number with the other's sex or birth
# date stored a resident whose ID contradicts them. A side is its ID number; sex and birth date follow from it
# (storage/sync/conflicts.py), a side without one keeps its own.
ID_NUMBER = ("id_number", "sex", "birth_date")
# the paired helper (pairing.set_paired_helper): one helper's name with another's phone sent calls to the wrong person
HELPER = ("helper_name", "helper_phone", "helper_unit", "helper_since")
# a benefit's period as its approval gives it (correct_benefit): one side's start with the other's end was a period
# no one wrote, and could end before it starts
BENEFIT_PERIOD = ("start_on", "end_on")
# (record type, field) -> the fields decided with it (the first keys the question; the order is how sides read)
GROUPS: dict[tuple[str, str], tuple[str, ...]] = {
    **{("grid", f): VILLAGE for f in VILLAGE},
    **{("resident", f): CLOSING for f in CLOSING},
    **{("referral", f): REFERRAL_STATUS for f in REFERRAL_STATUS},
    **{("resident", f): ID_NUMBER for f in ID_NUMBER},
    **{("resident", f): HELPER for f in HELPER},
    **{("benefit", f): BENEFIT_PERIOD for f in BENEFIT_PERIOD},
}


# Fields with no one answer, never a question: a grid is kept by its worker and its children's director (DESIGN §1),
# each on a laptop whose set-up wrote its own name as the grid's `worker_name` (older versions; set-up writes it no
# more), and two of them clashed. The grid's people are the authors of its set-up events
# (storage/register/grid_people.py): the fold keeps a value without a conflict, and one an older merge stored is
# not asked.
UNASKED: frozenset[tuple[str, str]] = frozenset({("grid", "worker_name")})


# Columns written alongside another one and derived from it: their clashes are
# decided with the field they follow, so the clerk never sees them.
FOLLOWERS: dict[tuple[str, str], str] = {
    ("resident", "name_initials"): "name",
    ("resident", "name_pinyin"): "name",
}


def reviewed(conflicts: Iterable[tuple[str, str, str]]) -> set[str]:
    """Of (id, record type, field), the questions the clerk reviews (not columns that follow another; the fields
    of a group that one event lost, one question), each by a key of its own: as many as the Conflicts screen has rows."""
    out = set()
    for cid, rtype, fld in conflicts:
        if (rtype, fld) in FOLLOWERS or (rtype, fld) in UNASKED:
            continue
        group = group_of(rtype, fld)
        if group is not None:  # the id is type:record:field:event; the record's id may hold a colon
            event = loser_event_of(cid)
            cid = f"{cid[:-len(event) - len(fld) - 2]}:{group[0]}:{event}"
        out.add(cid)
    return out


def group_of(record_type: str, field: str) -> tuple[str, ...] | None:
    return GROUPS.get((record_type, field))


def question(record_type: str, record_id: str, field: str, loser_event: str) -> tuple[str, str, str, str]:
    """What a conflict asks: the same for the conflicts of one record that one event lost on one group's fields."""
    group = group_of(record_type, field)
    return record_type, record_id, group[0] if group else field, loser_event


def loser_event_of(conflict_id: str) -> str:
    """The losing event's id, the last part of a conflict's id (storage/core/fold.py: type:record:field:event)."""
    return conflict_id.rsplit(":", 1)[-1]


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

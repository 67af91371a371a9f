"""Fields written together that are one decision: a grid's village is its id and the name it carries (and a
case's closing, a referral's follow-up, a resident's ID number with the sex and birth date it gives, the paired
helper, a benefit's period).

set_grid_village writes a grid's `village_code` and `village_name` in one event, but the fold finds
conflicts field by field, so two people who both moved a grid give two conflicts. Decided apart (keep
one side's code, take the other's name) they stored a code and a name that do not belong together,
and every screen then named the wrong village. Here the conflicts of one record that one event lost
on the fields of one group are one question, and deciding it writes every field of the group from
the side chosen, in one event.

This module holds which fields go together and how conflicts count as questions, and imports nothing
heavy: Home counts a township's questions with `reviewed` in its quick read, before SQLAlchemy is loaded
(tests/test_startup_imports.py). The questions read and written through the session are in
storage/core/conflict_groups.py.
"""

from __future__ import annotations

from collections.abc import Iterable

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

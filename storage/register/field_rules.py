"""What each field of each record may hold: the code lists, ranges and lengths of issue #19.

storage/core/schema.py reads every field's kind off the tables and gives it the limits of
its kind (text at most TEXT_MAX characters, dates between fixed bounds, integers SQLite
can hold, references shaped like a record id), so a field added to a model is checked
from its first day. This module narrows them, field by field, with the register's own
lists and limits — the code lists of storage/register/categories.py, the lengths the
forms allow, the ID number's check character — never a copy of them.

A merge refuses a bundle holding any event that `event_refusal` finds fault with, before
anything of it is written (storage/sync/merge.py). Everything here is a pure function of
the event: the same bundle is refused on every township, whatever its clock or contents.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from storage.core.identity import GRID_CODE, TOWNSHIP_CODE
from storage.core.places import MAX_NAME as MAX_VILLAGE_NAME
from storage.core.places import VILLAGE_REF, is_village_name
from storage.core.schema import (
    DATE_HIGH,
    DATE_LOW,
    NAME_MAX,
    RECORD_ID,
    FieldSpec,
    FoldError,
    clean,
    event_problem,
    fields_problem,
    is_no_value,
    record_spec,
)
from storage.core.text import UNSTORABLE_RULE
from storage.register import (
    assessments,
    benefits,
    emergencies,
    idnumbers,
    pairing,
    policy,
    referrals,
    risk,
    visit_delete,
    visits,
)
from storage.register import categories as codes
from storage.register import resident_rules as residents

_PHONE = re.compile(r"[0-9+()\- ]{1,32}")  # as normalize_phone leaves it, leniently: older releases' too


def _codes(table: Any) -> frozenset[Any]:
    return frozenset(table)


def _instant(value: Any) -> bool:
    """An ISO 8601 instant (as the township's acknowledgement writes it) of a day within the dates' bounds:
    the readers subtract and compare instants, and one of the year 9999 with an offset overflows."""
    try:
        when = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return DATE_LOW <= when.date() <= DATE_HIGH


def _texts(value: Any) -> bool:
    """An object whose values are all text (an assessment's note per dimension, shown as written)."""
    return all(type(item) is str for item in value.values())


# why a visit was deleted, and the referral and assessment with it (storage/register/visit_delete.py)
_DELETE_REASON = {"max_len": visit_delete.MAX_DELETE_REASON, "rule": residents.one_line}
_GRADE = {"choices": _codes(assessments.GRADES)}
# an acknowledgement is of a finding, by its key (storage/register/emergencies.py parse_key)
_FINDING_KEY = re.compile(r"(visit|risk):" + RECORD_ID.pattern)


# record type -> field -> the slots of FieldSpec that narrow the kind's defaults
RULES: dict[str, dict[str, dict[str, Any]]] = {
    "resident": {
        "name": {"max_len": residents.MAX_TEXT},
        "id_number": {"rule": idnumbers.is_id_number},
        "sex": {"choices": _codes(codes.SEXES)},
        "birth_date": {"low": idnumbers.EARLIEST_BIRTH, "high": idnumbers.LATEST_BIRTH},
        "phone": {"pattern": _PHONE},
        "guardian_phone": {"pattern": _PHONE},
        "address": {"max_len": residents.MAX_TEXT},
        "township_code": {"pattern": TOWNSHIP_CODE},
        "village_code": {"pattern": VILLAGE_REF},
        "grid_code": {"pattern": RECORD_ID},
        "categories": {"choices": _codes(codes.CATEGORIES)},
        "flags": {"choices": _codes(codes.FLAGS)},
        "child_subtype": {"choices": _codes(codes.CHILD_SUBTYPES)},
        "guardian_name": {"max_len": residents.MAX_TEXT},
        "guardian_relation": {"max_len": residents.MAX_TEXT},
        "father_name": {"max_len": residents.MAX_TEXT},
        "father_status": {"choices": _codes(codes.PARENT_STATUSES)},
        "mother_name": {"max_len": residents.MAX_TEXT},
        "mother_status": {"choices": _codes(codes.PARENT_STATUSES)},
        "disability_card": {"rule": idnumbers.is_disability_card},
        "disability_category": {"choices": _codes(idnumbers.DISABILITY_CATEGORIES)},
        "disability_grade": {"choices": _codes(idnumbers.DISABILITY_GRADES)},
        "registered_on": {"low": residents.EARLIEST_REGISTRATION},  # the high bound: the dates' (never "today")
        "visit_frequency_days": {"low": 1, "high": policy.MAX_DAYS},
        "status": {"choices": _codes(codes.RESIDENT_STATUSES)},
        "close_reason": {"choices": _codes(codes.CLOSE_REASONS)},
        "close_note": {"max_len": residents.MAX_CLOSE_NOTE, "rule": residents.one_line},
        "notes": {"max_len": residents.MAX_NOTES},
        "merged_into": {"pattern": RECORD_ID},
        "helper_name": {"max_len": pairing.MAX_TEXT},
        "helper_phone": {"pattern": _PHONE},
        "helper_unit": {"max_len": pairing.MAX_TEXT},
    },
    "benefit": {
        "kind": {"choices": _codes(codes.BENEFIT_KINDS)},
        "note": {"max_len": benefits.MAX_NOTE},
    },
    "visit": {
        "grid_code": {"pattern": RECORD_ID},
        "method": {"choices": _codes(codes.VISIT_METHODS)},
        "visitor": {"max_len": visits.MAX_SHORT},
        "met_with": {"max_len": visits.MAX_SHORT},
        # a note per dimension, as text: the form writes nothing else (storage/register/visits.py); a number, a
        # flag or null merged was shown to the clerk as Python spells it (健康：None)
        "observations": {"choices": _codes(codes.OBSERVATION_DIMENSIONS), "item_len": visits.MAX_NOTES,
                         "rule": _texts},
        "hazards": {"choices": _codes(codes.HAZARDS)},
        "needs": {"choices": _codes(codes.NEEDS)},
        "services": {"choices": _codes(codes.SERVICES)},
        "risk_after": {"choices": _codes(codes.RISK_LEVELS)},
        "notes": {"max_len": visits.MAX_NOTES},
        "delete_reason": _DELETE_REASON,
    },
    "referral": {
        "agency": {"choices": _codes(codes.REFERRAL_AGENCIES)},
        "reason": {"max_len": referrals.MAX_REASON},
        "status": {"choices": _codes(codes.REFERRAL_STATUSES)},
        "outcome": {"max_len": referrals.MAX_REASON},
        "level": {"choices": _codes(referrals.REFERRAL_LEVELS)},
        "department": {"max_len": referrals.MAX_DEPARTMENT},
        "delete_reason": _DELETE_REASON,
    },
    "assessment": {
        **{dim: _GRADE for dim in assessments.DIMENSIONS},
        "notes": {"choices": _codes(assessments.DIMENSIONS), "item_len": assessments.MAX_NOTE,
                  "rule": _texts},
        "assessor": {"max_len": NAME_MAX},
        "delete_reason": _DELETE_REASON,
    },
    "emergency_ack": {
        "acknowledged_at": {"max_len": 40, "rule": _instant},
        "acknowledged_by": {"max_len": NAME_MAX},
        "note": {"max_len": emergencies.MAX_NOTE},
    },
    "risk": {
        "level": {"choices": _codes(codes.RISK_LEVELS)},
        "reason": {"max_len": risk.MAX_REASON},
        "assessor": {"max_len": NAME_MAX},
    },
    "grid": {
        "code": {"pattern": GRID_CODE},
        "name": {"max_len": NAME_MAX},
        "township_code": {"pattern": TOWNSHIP_CODE},
        "village_code": {"pattern": VILLAGE_REF},
        # the name its worker gave the village (shown wherever the township has no record of it): as typed
        "village_name": {"max_len": MAX_VILLAGE_NAME, "rule": is_village_name},
        "worker_name": {"max_len": NAME_MAX},
    },
    "township": {"name": {"max_len": NAME_MAX}},
    "village": {"name": {"max_len": NAME_MAX}, "township_code": {"pattern": TOWNSHIP_CODE}},
}


def _policy_ok(value: Any) -> bool:
    try:
        policy.policy_from_value(value)
    except (ValueError, TypeError, RecursionError):  # PolicyError is a ValueError
        return False
    return True


# what a record's first event always gives (a visit: storage/register/visits.py log_visit, since the first release;
# a resident: its name, asked by every form and the roster) and the reports, the register and the resident's page
# rely on: a new record without one, or any event emptying one, is refused. A later event (a correction, a
# deletion) gives only what it changes. (A resident's first event is known by its base alone: a line that forges
# a base passes as a correction, and a record with no name can still come of it, as of an edit arriving alone.)
REQUIRED: dict[str, tuple[str, ...]] = {"visit": ("resident_id", "visit_date", "method"), "resident": ("name",)}


def _creates(ev: dict[str, Any]) -> bool:
    """Whether the event is its record's first: written where no event of the record was (base 0), or, for a
    visit, one naming its resident, which only its first event does (a correction never moves a visit)."""
    return not ev.get("base_hlc") or "resident_id" in ev["fields"]


def _missing(ev: dict[str, Any], record_type: str) -> FoldError | None:
    fields = ev["fields"]  # as the event gives them: `clean` turns a method of None into the default "home"
    for name in REQUIRED[record_type]:
        if is_no_value(fields[name]) if name in fields else _creates(ev):
            return FoldError(record_type, name, "no_value")
    return None


# settings are known by their record id: each has a rule for its value (the policy: as it is read)
SETTINGS: dict[str, Callable[[Any], bool]] = {policy.POLICY_ID: _policy_ok}


@cache
def checked_spec(record_type: str) -> dict[str, FieldSpec]:
    """The record type's fields, each with its rules (storage/core/schema.py's defaults where none)."""
    rules = RULES.get(record_type, {})
    unknown = set(rules) - set(record_spec(record_type))
    if unknown:
        raise TypeError(f"rules for fields {record_type} does not have: {sorted(unknown)}")
    return {name: dataclasses.replace(spec, **rules.get(name, {})) for name, spec in record_spec(record_type).items()}


def event_refusal(ev: dict[str, Any]) -> FoldError | None:
    """Why a merge must refuse this event (a FoldError naming the record type and field), or None."""
    return judged(ev)[0]


def judged(ev: dict[str, Any]) -> tuple[FoldError | None, dict[str, Any]]:
    """(`event_refusal(ev)`, the event's fields `clean`ed): the merge folds what it judged, cleaned once."""
    fields = ev["fields"]
    problem = event_problem(ev)
    if problem is not None:
        return problem, fields
    record_type = ev["record_type"]
    fields = clean(record_type, fields)
    return _refusal(ev, record_type, fields), fields


def _refusal(ev: dict[str, Any], record_type: str, fields: dict[str, Any]) -> FoldError | None:
    problem = fields_problem(record_type, fields, checked_spec(record_type), cleaned=True)
    if problem is not None:
        return problem
    if record_type in REQUIRED:
        problem = _missing(ev, record_type)
        if problem is not None:
            return problem
    if record_type == "emergency_ack" and not _FINDING_KEY.fullmatch(ev["record_id"]):
        return FoldError(record_type, "id", "bad_id")
    if record_type == "setting":
        rule = SETTINGS.get(ev["record_id"])
        if rule is None:
            return FoldError(record_type, "id", "bad_id")
        value = ev["fields"].get("value")  # as the event gives it, before `clean`
        if value is not None and not rule(value):
            return FoldError(record_type, "value", "invalid")
    return None


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """A digest of every check above and of the code lists they read: a bundle refused under other
    rules (an older or newer release, a code list that grew) is read again, not refused from memory."""
    import hashlib

    from storage.core.models import RECORD_TABLES

    def text(value: Any) -> str:
        if isinstance(value, frozenset):
            return repr(sorted(map(repr, value)))
        if callable(value):
            return f"{value.__module__}.{value.__qualname__}"
        if isinstance(value, re.Pattern):
            return value.pattern
        return repr(value)

    parts = [f"{rtype}.{spec.name}:" + ",".join(text(getattr(spec, f.name)) for f in dataclasses.fields(spec))
             for rtype in sorted(RECORD_TABLES) for spec in checked_spec(rtype).values()]
    parts += sorted(SETTINGS)
    parts += [f"{rtype} requires {','.join(names)}" for rtype, names in sorted(REQUIRED.items())]
    parts.append(UNSTORABLE_RULE)  # judged in every text (storage/core/schema.py), not a slot of a spec
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]

"""What a stored code is called on screen: 'deceased' is 去世, ['dibao'] is 低保对象, True is 是.

Conflicts (the screen and `gridcare conflicts`) and the audit log show values that came from
records; a clerk reading `close_reason："deceased"` learns nothing. Every field whose value is a
code (or a list of codes) is named here with the table that labels it, per record type where
two record types use one field name differently (a resident's `status` and a referral's).
"""

from __future__ import annotations

from typing import Any

from storage.core.i18n import N_, _, join_list
from storage.register.categories import (
    ALL_FLAGS,
    BENEFIT_KINDS,
    CHILD_SUBTYPES,
    CLOSE_REASONS,
    HAZARDS,
    NEEDS,
    OBSERVATION_DIMENSIONS,
    PARENT_STATUSES,
    REFERRAL_AGENCIES,
    REFERRAL_STATUSES,
    RISK_LEVELS,
    SERVICES,
    SHOWN_CATEGORIES,
    VISIT_METHODS,
    label,
)

SEXES = {"M": N_("Male"), "F": N_("Female")}
CASE_STATUSES = {"active": N_("Active"), "closed": N_("Off the register")}
YES_NO = {True: N_("Yes"), False: N_("No")}


def _tables() -> dict[tuple[str | None, str], dict]:
    # deferred: these modules import the register's writers, which import this module's neighbours
    from storage.register.assessments import GRADES
    from storage.register.idnumbers import DISABILITY_CATEGORIES, DISABILITY_GRADES
    from storage.register.referrals import REFERRAL_LEVELS

    grades: dict[tuple[str | None, str], dict] = {(None, dim): GRADES for dim in OBSERVATION_DIMENSIONS}
    return {
        (None, "categories"): SHOWN_CATEGORIES,
        (None, "flags"): ALL_FLAGS,
        (None, "sex"): SEXES,
        (None, "close_reason"): CLOSE_REASONS,
        (None, "child_subtype"): CHILD_SUBTYPES,
        (None, "father_status"): PARENT_STATUSES,
        (None, "mother_status"): PARENT_STATUSES,
        (None, "risk_level"): RISK_LEVELS,
        (None, "risk_after"): RISK_LEVELS,
        ("risk", "level"): RISK_LEVELS,
        (None, "method"): VISIT_METHODS,
        (None, "hazards"): HAZARDS,
        (None, "needs"): NEEDS,
        (None, "services"): SERVICES,
        (None, "agency"): REFERRAL_AGENCIES,
        ("referral", "status"): REFERRAL_STATUSES,
        ("referral", "level"): REFERRAL_LEVELS,
        ("resident", "status"): CASE_STATUSES,
        (None, "kind"): BENEFIT_KINDS,
        (None, "disability_category"): DISABILITY_CATEGORIES,
        (None, "disability_grade"): DISABILITY_GRADES,
        **grades,
    }


def value_text(record_type: str | None, field: str, value: Any) -> str | None:
    """The value as a person reads it, or None when the field holds no code (show it as it is).

    A list of codes is joined as the language joins lists; a code no table knows is shown as
    it came (a newer release's code), never dropped.
    """
    if isinstance(value, bool):
        return _(YES_NO[value])
    if field == "observations" and isinstance(value, dict):  # a visit's notes by dimension
        return _("; ").join(_("{dimension}: {note}").format(dimension=_code(OBSERVATION_DIMENSIONS, k), note=v)
                            for k, v in value.items())
    tables = _tables()
    table = tables.get((record_type, field)) or tables.get((None, field))
    if table is None:
        return None
    if isinstance(value, list):
        return join_list(_code(table, v) for v in value)
    return _code(table, value)


def _code(table: dict, code: Any) -> str:
    if code in table:
        return label(table, code)
    if isinstance(code, str) and code.isdigit() and int(code) in table:  # a disability grade stored as text
        return label(table, int(code))
    return str(code)

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


# what separates the codes of a list typed by hand; a label may hold 、 itself (三、四级智力/精神残疾人), so
# labels are matched whole first and only what is left between them is split
LIST_SEPARATORS = ",，、;；\n\t "


def value_from_text(record_type: str | None, field: str, text: str, *, as_list: bool) -> Any:
    """What a person typed for a field whose value is a code (or a list of codes), as the code(s).

    Each item may be the label as shown (去世, 低保对象) or the code itself (deceased, dibao). A field
    without a code table, or an item no label matches, is left as typed: the field's own check (a
    form's, storage.sync.conflicts._typed) then says what is wrong with it.
    """
    tables = _tables()
    table = tables.get((record_type, field)) or tables.get((None, field))
    text = text.strip()
    if table is None:
        return [part for part in _split(text) if part] if as_list else text
    names = {_code(table, code): code for code in table}
    names.update({str(code): code for code in table})
    if not as_list:
        return names.get(text, text)
    codes: list[Any] = []
    rest = text
    by_length = sorted(names, key=len, reverse=True)
    while rest:
        rest = rest.lstrip(LIST_SEPARATORS)
        name = next((n for n in by_length if rest.startswith(n) and
                     (len(rest) == len(n) or rest[len(n)] in LIST_SEPARATORS)), None)
        if name is None:  # not a label: up to the next separator, as typed
            item = _split(rest)[0] if rest else ""
            if item:
                codes.append(item)
            rest = rest[len(item):]
            continue
        codes.append(names[name])
        rest = rest[len(name):]
    return codes


def _split(text: str) -> list[str]:
    import re

    return re.split(f"[{re.escape(LIST_SEPARATORS)}]+", text)

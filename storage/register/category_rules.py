"""The definitions of the newer categories that the register can check (docs/design.md §1).

Two strengths, as the design says ("the app validates what it can and warns on the rest"):

* `category_errors`: a definition the data plainly contradicts (a man as 农村留守妇女, a
  grade-1 card under the grade 3-4 category) is refused, like a child category past its age;
* `category_questions`: a definition the data puts in doubt without disproving it (a
  left-behind child whose parents are both at home) is a question: the form asks before
  saving, the roster report warns on the row. Local rules differ (how long away, how far),
  so these are never refusals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from storage.core.errors import ValidationError
from storage.core.i18n import _, day_text
from storage.register.categories import CATEGORIES, CHILD_CATEGORIES, CHILD_SUBTYPES, label
from storage.register.eligibility import INTELLECTUAL, MENTAL

ADULT_FROM = 18
# a child's situation and family: the resident form asks them of a child only (asks_child_fields)
CHILD_FIELDS = ("child_subtype", "guardian_name", "guardian_relation", "guardian_phone", "father_name",
                "father_status", "mother_name", "mother_status")


def category_errors(new_categories: Iterable[str], resident: Mapping[str, Any], age: int | None) -> list[ValidationError]:
    """Errors for categories being added to `resident` (its fields after the change)."""
    errors: list[ValidationError] = []
    for cat in new_categories:
        if cat == "left_behind_woman":
            if resident.get("sex") == "M":
                errors.append(ValidationError("categories", _("{category} applies to women only.").format(
                    category=label(CATEGORIES, cat))))
            if age is not None and age < ADULT_FROM:
                errors.append(ValidationError("categories", _("{category} applies from age {limit}; this resident is {age}.").format(
                    category=label(CATEGORIES, cat), limit=ADULT_FROM, age=age)))
        elif cat == "disabled_3_4_intellectual_mental":
            grade, kind = resident.get("disability_grade"), resident.get("disability_category")
            if grade is not None and int(grade) not in (3, 4):
                errors.append(ValidationError("categories", _("{category} means grade 3 or 4; the card says grade {grade}.").format(
                    category=label(CATEGORIES, cat), grade=grade)))
            if kind is not None and int(kind) not in (INTELLECTUAL, MENTAL):
                errors.append(ValidationError("categories", _("{category} means an intellectual or mental disability; the card says another kind.").format(
                    category=label(CATEGORIES, cat))))
    return errors


_LIVING = {"home", "away", "ill"}  # a parent's statuses that say the parent is alive
_GUARDS = {"away", "ill", "deceased"}  # a parent who is not at home able to look after the child


OLDEST_LIKELY = 120  # an age above it is far more often a mistyped year (1880 for 1980) than a person


def _birth_date(resident: Mapping[str, Any], today: dt.date) -> dt.date | None:
    """The birth date the fields give (typed, or inside the ID number), None when neither says."""
    from storage.core.dates import DateProblem, parse_field_date
    from storage.register.idnumbers import parse_id_number

    born = resident.get("birth_date")
    if isinstance(born, str):
        try:
            born = parse_field_date("birth_date", born, today)
        except DateProblem:
            born = None
    if isinstance(born, dt.date):
        return born
    number = resident.get("id_number")
    if isinstance(number, str) and number.strip():
        try:
            return parse_id_number(number, today=today).birth_date
        except ValidationError:
            return None
    return None


def asks_child_fields(resident: Mapping[str, Any], today: dt.date) -> bool:
    """Whether the form asks `resident`'s CHILD_FIELDS (its fields as typed): a child by category, or under
    ADULT_FROM by the birth date or the ID number; or anyone with one of them filled in, so that a value
    already recorded (an adult's guardian) stays in sight and is kept."""
    from storage.register.policy import age_on

    if set(resident.get("categories") or []) & set(CHILD_CATEGORIES):
        return True
    if any(str(resident.get(name) or "").strip() for name in CHILD_FIELDS):
        return True
    age = age_on(_birth_date(resident, today), today)
    return age is not None and age < ADULT_FROM


def age_question(resident: Mapping[str, Any], today: dt.date) -> str | None:
    """A question when the birth date (typed, or in the ID number) makes the person over OLDEST_LIKELY."""
    from storage.register.policy import age_on

    born = _birth_date(resident, today)
    age = age_on(born, today) if born is not None else None
    if born is None or age is None or age <= OLDEST_LIKELY:
        return None
    return _("The birth date ({date}) makes this person {age} years old: check the year (and the ID number).").format(
        date=day_text(born), age=age)


def category_questions(resident: Mapping[str, Any], today: dt.date | None = None) -> list[str]:
    """Doubts about the resident's fields and categories, as questions to confirm (empty: nothing to ask).

    With `today`, an age over OLDEST_LIKELY is asked about too (the README's own example
    number, 440524188001010014, is 146 years old).
    """
    questions: list[str] = []
    too_old = age_question(resident, today) if today is not None else None
    if too_old:
        questions.append(too_old)
    cats = resident.get("categories") or []
    if "left_behind_child" in cats:
        father, mother = resident.get("father_status") or "", resident.get("mother_status") or ""
        known = [s for s in (father, mother) if s and s != "unknown"]
        at_home = "home" in known
        none_away = len(known) == 2 and "away" not in known
        if at_home or none_away:
            # 农村留守儿童: both parents away, or one away and the other unable to guard (重病/重残)
            questions.append(_("{category}: a parent is at home, or neither works away; left-behind means both "
                               "parents away, or one away and the other unable to look after the child.").format(
                category=label(CATEGORIES, "left_behind_child")))
    if "child_in_difficulty" in cats and not resident.get("child_subtype"):
        # the plans count children in difficulty by their situation (困境类型); left blank, the child is counted
        # under none of them (walk F)
        questions.append(_("{category}: no {field} is chosen; children in difficulty are counted by it.").format(
            category=label(CATEGORIES, "child_in_difficulty"), field=_("Child's situation")))
    if resident.get("child_subtype") == "orphan":
        # 孤儿: both parents dead (or declared dead, or missing); a parent at home, away or ill says otherwise, and a
        # child counted as an orphan wrongly is counted under the orphans' allowance too
        living = [s for s in (resident.get("father_status"), resident.get("mother_status")) if s in _LIVING]
        if living:
            questions.append(_("{situation}: a parent is said to be at home, away or ill; an orphan's parents have "
                               "both died or cannot be found.").format(situation=label(CHILD_SUBTYPES, "orphan")))
    if "solitary_elder" in cats and "empty_nest_elder" in cats:
        # the design's definitions (docs/design.md §1): one lives alone, the other with a spouse; a roster that
        # writes both ("空巢老人、独居老人") counts the person under each, so ask which one it is
        questions.append(_("{alone} and {empty_nest}: living alone means by oneself, empty-nest means an elderly "
                           "couple whose children live away; usually only one applies.").format(
            alone=label(CATEGORIES, "solitary_elder"), empty_nest=label(CATEGORIES, "empty_nest_elder")))
    return questions

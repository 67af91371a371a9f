"""The rules a resident's fields must meet: one small function each, run in order by `validate_resident`.

A rule reads the fields being saved (`fields`, as the rules before it left them) and the resident
as it stands (`ctx`, for an edit); it returns what it normalised or derived and the problems it
found, and changes nothing it is given. Each problem names its field, so a form shows it there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from storage.core.dates import DateProblem, parse_field_date
from storage.core.errors import ValidationError
from storage.core.i18n import _, day_text
from storage.core.models import Resident
from storage.core.text import printable, typed_text
from storage.register import idnumbers
from storage.register.categories import (
    ADVANCED_AGE_FROM,
    ALL_FLAGS,
    CATEGORIES,
    CHILD_CATEGORIES,
    CHILD_SUBTYPES,
    ELDER_CATEGORIES,
    PARENT_STATUSES,
    SEXES,
)
from storage.register.category_rules import category_errors
from storage.register.names import clean_name
from storage.register.policy import age_on

MAX_TEXT = 200
MAX_NOTES = 4000
MAX_CLOSE_NOTE = 200  # a remark on one line; the notes (MAX_NOTES) hold a longer story
TEXT_FIELDS = (
    "name", "address", "guardian_name", "guardian_relation", "father_name", "mother_name", "close_reason",
)
# the earliest day a resident can have been registered as a key person: older than any care register,
# late enough that a mistyped year (1800, 1026) is refused, from a form, a roster or a bundle alike
EARLIEST_REGISTRATION = dt.date(1950, 1, 1)
NAME_FIELDS = frozenset({"name", "guardian_name", "father_name", "mother_name"})  # people's names: names.clean_name


@dataclass(frozen=True)
class Context:
    today: dt.date
    existing: Resident | None

    def after(self, fields: Mapping[str, Any], name: str) -> Any:
        """The field's value once saved: the one given, else the resident's own."""
        if name in fields:
            return fields[name]
        return getattr(self.existing, name, None) if self.existing is not None else None


@dataclass
class Checked:
    """What a rule normalised or derived, and the problems it found."""

    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[ValidationError] = field(default_factory=list)


Rule = Callable[[Mapping[str, Any], Context], Checked]


def texts(fields: Mapping[str, Any], ctx: Context) -> Checked:
    """Spaces tidied (names as names.clean_name tidies them), lengths within bounds."""
    out = Checked()
    for name in TEXT_FIELDS:
        if fields.get(name) is not None:
            value = clean_name(fields[name]) if name in NAME_FIELDS else typed_text(fields[name])
            out.fields[name] = value
            if len(value) > MAX_TEXT:
                out.errors.append(ValidationError(name, _("Too long: at most {n} characters.").format(n=MAX_TEXT)))
    if fields.get("notes") and len(fields["notes"]) > MAX_NOTES:
        out.errors.append(ValidationError("notes", _("Too long: at most {n} characters.").format(n=MAX_NOTES)))
    return out


def one_line(value: str) -> bool:
    """Text without control characters, line breaks included: what a closing remark may be, from a form or a bundle."""
    return printable(value) == value


def close_note(text: str) -> str:
    """The remark made when closing a case, as stored: spaces tidied to one line, at most MAX_CLOSE_NOTE
    characters, no control characters (a remark is drawn on the resident page and in the report)."""
    value = " ".join(str(text).split())  # a pasted line break or tab is a space, as in the other short texts
    if len(value) > MAX_CLOSE_NOTE:
        raise ValidationError("close_note", _("Too long: at most {n} characters.").format(n=MAX_CLOSE_NOTE))
    if not one_line(value):
        raise ValidationError("close_note", _("The text holds control characters: type it again."))
    return value


def birth_date_text(fields: Mapping[str, Any], ctx: Context) -> Checked:
    """A typed birth date becomes a date, so that it compares with the one the ID number gives."""
    if not isinstance(fields.get("birth_date"), str):
        return Checked()
    try:  # as typed: 2015/6/1, 2015年6月1日 ... (storage/core/dates.py)
        return Checked({"birth_date": parse_field_date("birth_date", fields["birth_date"], ctx.today)})
    except DateProblem as problem:
        return Checked(errors=[ValidationError("birth_date", problem.message)])


def name_given(fields: Mapping[str, Any], ctx: Context) -> Checked:
    if "name" in fields and not fields["name"]:
        return Checked(errors=[ValidationError("name", _("Give the resident's name."))])
    return Checked()


def id_number(fields: Mapping[str, Any], ctx: Context) -> Checked:
    """A valid number, normalised; it decides the birth date and sex the form left empty, and must agree with the rest."""
    if "id_number" not in fields:
        return Checked()
    raw = (fields["id_number"] or "").strip()
    if not raw:
        return Checked({"id_number": None})
    try:
        info = idnumbers.parse_id_number(raw, today=ctx.today)
    except ValidationError as e:
        return Checked(errors=[e])
    out = Checked({"id_number": info.number})
    birth = fields.get("birth_date")
    if birth is None:
        out.fields["birth_date"] = info.birth_date
    elif birth and birth != info.birth_date:
        out.errors.append(ValidationError("birth_date", _("The birth date does not match the ID number ({date}).").format(
            date=info.birth_date.isoformat())))
    sex = fields.get("sex")
    if sex is None:
        out.fields["sex"] = info.sex
    elif sex and sex != info.sex:
        out.errors.append(ValidationError("sex", _("The sex does not match the ID number.")))
    return out


def phones(fields: Mapping[str, Any], ctx: Context) -> Checked:
    out = Checked()
    for name in ("phone", "guardian_phone"):
        if name in fields:
            try:
                out.fields[name] = idnumbers.normalize_phone(fields[name] or "")
            except ValidationError as e:
                out.errors.append(ValidationError(name, e.message))
    return out


def disability_card(fields: Mapping[str, Any], ctx: Context) -> Checked:
    """A valid card number (of this resident's ID number), from which the category and grade come."""
    if "disability_card" not in fields:
        return Checked()
    raw = (fields["disability_card"] or "").strip()
    if not raw:
        return Checked({"disability_card": None, "disability_category": None, "disability_grade": None})
    try:
        card = idnumbers.parse_disability_card(raw, ctx.after(fields, "id_number"), today=ctx.today)
    except ValidationError as e:
        return Checked(errors=[e])
    return Checked({"disability_card": card.number, "disability_category": card.category,
                    "disability_grade": card.grade})


def birth_and_sex(fields: Mapping[str, Any], ctx: Context) -> Checked:
    out = Checked()
    birth = fields.get("birth_date")
    if isinstance(birth, dt.date) and birth > ctx.today:
        out.errors.append(ValidationError("birth_date", _("The birth date is in the future.")))
    if "sex" in fields and fields["sex"] not in (None, "", *SEXES):
        out.errors.append(ValidationError("sex", _("Sex is M (male) or F (female).")))
    return out


def closed_before(ctx: Context, day: dt.date) -> dt.date | None:
    """The day a closed case was closed, when that is before `day`."""
    r = ctx.existing
    closed_on = r.closed_on if r is not None and r.status == "closed" else None
    return closed_on if isinstance(closed_on, dt.date) and closed_on < day else None


def registration_date(fields: Mapping[str, Any], ctx: Context) -> Checked:
    """The day the resident became a key person (登记日期): typed as every date field is, in the past, not
    before the birth date; the month reports count the resident from that day (storage/register/due.py)."""
    if "registered_on" not in fields:
        return Checked()
    day = fields["registered_on"]
    if day is None:  # a new resident is registered today (register_resident); an edit keeps a date
        return Checked(errors=[ValidationError("registered_on", _("Give the registration date."))]) \
            if ctx.existing is not None else Checked()
    if isinstance(day, str):
        try:
            day = parse_field_date("registered_on", day, ctx.today)
        except DateProblem as problem:
            return Checked(errors=[ValidationError("registered_on", problem.message)])
    if not isinstance(day, dt.date):
        return Checked(errors=[ValidationError("registered_on", _("Not a date: {value}.").format(value=day))])
    birth = ctx.after(fields, "birth_date")
    if day > ctx.today:
        error = _("The registration date is in the future.")
    elif day < EARLIEST_REGISTRATION:
        error = _("The year {year} cannot be right.").format(year=day.year)
    elif isinstance(birth, dt.date) and day < birth:
        error = _("The registration date is before the birth date.")
    elif (closed_on := closed_before(ctx, day)) is not None:  # close_case's rule, from the other side
        error = _("The case was closed on {date}: the registration date cannot be later.").format(
            date=day_text(closed_on))
    else:
        return Checked({"registered_on": day})
    return Checked({"registered_on": day}, [ValidationError("registered_on", error)])


def codes(fields: Mapping[str, Any], ctx: Context) -> Checked:
    """Categories and flags known (kept in the table's order, once each); subtype and parents' situations known."""
    out = Checked()
    # flags: the ones offered and those older releases offered (高龄, 低保, 特困), which old records keep
    for name, table in (("categories", CATEGORIES), ("flags", ALL_FLAGS)):
        if name in fields:
            given = list(dict.fromkeys(fields[name] or []))
            unknown = [c for c in given if c not in table]
            if unknown:
                out.errors.append(ValidationError(name, _("Unknown code: {codes}.").format(codes=", ".join(unknown))))
            out.fields[name] = [c for c in table if c in given]
    for name, table in (("child_subtype", CHILD_SUBTYPES), ("father_status", PARENT_STATUSES),
                        ("mother_status", PARENT_STATUSES)):
        if fields.get(name) and fields[name] not in table:
            out.errors.append(ValidationError(name, _("Unknown code: {codes}.").format(codes=fields[name])))
    return out


def visit_frequency(fields: Mapping[str, Any], ctx: Context) -> Checked:
    if "visit_frequency_days" not in fields:
        return Checked()
    if fields["visit_frequency_days"] in (None, ""):
        return Checked({"visit_frequency_days": None})
    try:
        days = int(fields["visit_frequency_days"])
    except (TypeError, ValueError):
        days = 0
    errors = [] if 1 <= days <= 366 else [ValidationError("visit_frequency_days", _("Visit every 1 to 366 days."))]
    return Checked({"visit_frequency_days": days}, errors)


def categories_fit(fields: Mapping[str, Any], ctx: Context) -> Checked:
    """The category rules (docs/design.md §1): hard errors when a category is given, notices later."""
    if "categories" not in fields and "birth_date" not in fields:
        return Checked()
    out = Checked()
    cats = ctx.after(fields, "categories") or []
    birth = ctx.after(fields, "birth_date")
    age = age_on(birth, ctx.today) if isinstance(birth, dt.date) else None
    if "categories" in fields and not cats and (age is None or age < ADVANCED_AGE_FROM):
        # 高龄老年人 is derived from the birth date: an elder of 80+ needs no box ticked
        out.errors.append(ValidationError("categories", _("Choose at least one category.")))
    grade = ctx.after(fields, "disability_grade")
    added = set(fields.get("categories") or []) - set(ctx.existing.categories if ctx.existing else [])
    for cat in added:
        if cat in CHILD_CATEGORIES and age is not None and age >= CHILD_CATEGORIES[cat]:
            out.errors.append(ValidationError("categories", _("{category} applies under age {limit}; this resident is {age}.").format(
                category=_(CATEGORIES[cat]), limit=CHILD_CATEGORIES[cat], age=age)))
        if cat in ELDER_CATEGORIES and age is not None and age < 60:
            out.errors.append(ValidationError("categories", _("{category} applies from age 60; this resident is {age}.").format(
                category=_(CATEGORIES[cat]), age=age)))
        if cat == "severely_disabled" and grade not in (None, 1, 2):
            out.errors.append(ValidationError("categories", _("Severe disability means grade 1 or 2; the card says grade {grade}.").format(
                grade=grade)))
    # the newer categories' definitions (storage/register/category_rules.py)
    out.errors += category_errors(added, {k: ctx.after(fields, k) for k in ("sex", "disability_grade",
                                                                            "disability_category")}, age)
    if cats and set(cats) & set(CHILD_CATEGORIES) and not birth:
        out.errors.append(ValidationError("birth_date", _("A child's birth date is needed (or an ID number).")))
    return out


def paired_helper(fields: Mapping[str, Any], ctx: Context) -> Checked:
    """The paired helper's name, phone, unit and since when (storage/register/pairing.py)."""
    from storage.register.pairing import HELPER_FIELDS, check_helper

    given = {k: fields[k] for k in HELPER_FIELDS if k in fields}
    if not given:
        return Checked()
    errors = check_helper(given, {k: ctx.after(fields, k) for k in HELPER_FIELDS}, ctx.today)
    return Checked(given, errors)


# in this order: a later rule sees what the earlier ones normalised (the ID number's birth date, the card's grade)
RULES: tuple[Rule, ...] = (texts, birth_date_text, name_given, id_number, phones, disability_card, birth_and_sex,
                           registration_date, codes, visit_frequency, categories_fit, paired_helper)


def check(fields: dict[str, Any], ctx: Context) -> tuple[dict[str, Any], list[ValidationError]]:
    """Every rule in turn: (the fields as normalised, every problem found)."""
    errors: list[ValidationError] = []
    for rule in RULES:
        checked = rule(fields, ctx)
        fields = {**fields, **checked.fields}
        errors += checked.errors
    return fields, errors

"""Registering and updating residents (the register of key persons)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import select

from storage.core.changes import live_row, new_id, writer
from storage.core.db import Database
from storage.core.errors import ValidationError, ValidationErrors
from storage.core.i18n import _
from storage.core.models import Resident
from storage.core.schema import clean
from storage.register import idnumbers
from storage.register.categories import (
    CATEGORIES,
    CHILD_CATEGORIES,
    CHILD_SUBTYPES,
    CLOSE_REASONS,
    ELDER_CATEGORIES,
    FLAGS,
    PARENT_STATUSES,
    RISK_LEVELS,
)
from storage.register.policy import age_on

MAX_TEXT = 200
MAX_NOTES = 4000
TEXT_FIELDS = (
    "name", "address", "guardian_name", "guardian_relation", "father_name", "mother_name", "close_reason",
)
NAME_FIELDS = frozenset({"name", "guardian_name", "father_name", "mother_name"})  # people's names: names.clean_name
EDITABLE = {
    "name", "id_number", "sex", "birth_date", "phone", "address", "village_code", "grid_code", "township_code",
    "categories", "flags", "child_subtype", "guardian_name", "guardian_phone", "guardian_relation",
    "father_name", "father_status", "mother_name", "mother_status", "disability_card",
    "visit_frequency_days", "notes", "registered_on",
}


def _clean_text(data: dict[str, Any], errors: list[ValidationError]) -> None:
    from storage.register.names import clean_name

    for name in TEXT_FIELDS:
        if name in data and data[name] is not None:
            data[name] = clean_name(data[name]) if name in NAME_FIELDS else " ".join(str(data[name]).split())
            if len(data[name]) > MAX_TEXT:
                errors.append(ValidationError(name, _("Too long: at most {n} characters.").format(n=MAX_TEXT)))
    if data.get("notes") and len(data["notes"]) > MAX_NOTES:
        errors.append(ValidationError("notes", _("Too long: at most {n} characters.").format(n=MAX_NOTES)))


def validate_resident(data: dict[str, Any], today: dt.date | None = None, *, existing: Resident | None = None) -> dict[str, Any]:
    """Check and normalise resident fields; derive birth date, sex, disability.

    Raises ValidationErrors listing every problem, each naming its field.
    Returns the normalised fields (only those given, plus derived ones).
    """
    today = today or dt.date.today()
    # "no value" in whatever form a form or the CLI gives it (None, "", spaces) is one value from here on
    data = clean("resident", dict(data))
    errors: list[ValidationError] = []
    _clean_text(data, errors)
    if isinstance(data.get("birth_date"), str):  # a date, so that it compares with the one the ID number gives
        try:
            data["birth_date"] = dt.date.fromisoformat(data["birth_date"].strip())
        except ValueError:
            errors.append(ValidationError("birth_date", _("Write the date as YYYY-MM-DD, e.g. 2015-06-01.")))
    merged = {**(existing.model_dump() if existing else {}), **data}

    if "name" in data and not data["name"]:
        errors.append(ValidationError("name", _("Give the resident's name.")))

    if "id_number" in data:
        raw = (data["id_number"] or "").strip()
        if raw:
            try:
                info = idnumbers.parse_id_number(raw)
            except ValidationError as e:
                errors.append(e)
            else:
                data["id_number"] = info.number
                # the number decides what the form left empty (setdefault kept a None the form sent)
                if data.get("birth_date") is None:
                    data["birth_date"] = info.birth_date
                if data.get("sex") is None:
                    data["sex"] = info.sex
                if data.get("birth_date") and data["birth_date"] != info.birth_date:
                    errors.append(ValidationError("birth_date", _("The birth date does not match the ID number ({date}).").format(date=info.birth_date.isoformat())))
                if data.get("sex") and data["sex"] != info.sex:
                    errors.append(ValidationError("sex", _("The sex does not match the ID number.")))
        else:
            data["id_number"] = None
        merged.update({k: data[k] for k in ("id_number", "birth_date", "sex") if k in data})

    for field in ("phone", "guardian_phone"):
        if field in data:
            try:
                data[field] = idnumbers.normalize_phone(data[field] or "")
            except ValidationError as e:
                errors.append(ValidationError(field, e.message))

    if "disability_card" in data:
        raw = (data["disability_card"] or "").strip()
        if raw:
            try:
                card = idnumbers.parse_disability_card(raw, merged.get("id_number"))
            except ValidationError as e:
                errors.append(e)
            else:
                data["disability_card"] = card.number
                data["disability_category"] = card.category
                data["disability_grade"] = card.grade
                merged.update(disability_grade=card.grade)
        else:
            data.update(disability_card=None, disability_category=None, disability_grade=None)
            merged.update(disability_grade=None)

    if isinstance(data.get("birth_date"), dt.date) and data["birth_date"] > today:
        errors.append(ValidationError("birth_date", _("The birth date is in the future.")))
    if "sex" in data and data["sex"] not in (None, "", "M", "F"):
        errors.append(ValidationError("sex", _("Sex is M (male) or F (female).")))

    for field, table in (("categories", CATEGORIES), ("flags", FLAGS)):
        if field in data:
            codes = list(dict.fromkeys(data[field] or []))
            unknown = [c for c in codes if c not in table]
            if unknown:
                errors.append(ValidationError(field, _("Unknown code: {codes}.").format(codes=", ".join(unknown))))
            data[field] = [c for c in table if c in codes]  # canonical order
    for field, table in (("child_subtype", CHILD_SUBTYPES), ("father_status", PARENT_STATUSES), ("mother_status", PARENT_STATUSES)):
        if data.get(field) and data[field] not in table:
            errors.append(ValidationError(field, _("Unknown code: {codes}.").format(codes=data[field])))
    if "visit_frequency_days" in data and data["visit_frequency_days"] not in (None, ""):
        try:
            days = int(data["visit_frequency_days"])
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= 366:
            errors.append(ValidationError("visit_frequency_days", _("Visit every 1 to 366 days.")))
        data["visit_frequency_days"] = days
    elif "visit_frequency_days" in data:
        data["visit_frequency_days"] = None

    # category rules (docs/design.md §1): hard errors on entry, notices later
    if "categories" in data or "birth_date" in data:
        merged.update({k: data[k] for k in ("categories", "birth_date") if k in data})
        cats = merged.get("categories") or []
        birth = merged.get("birth_date")
        age = age_on(birth, today) if isinstance(birth, dt.date) else None
        if "categories" in data and not cats:
            errors.append(ValidationError("categories", _("Choose at least one category.")))
        new_cats = set(data.get("categories") or []) - set(existing.categories if existing else [])
        for cat in new_cats:
            if cat in CHILD_CATEGORIES and age is not None and age >= CHILD_CATEGORIES[cat]:
                errors.append(ValidationError("categories", _("{category} applies under age {limit}; this resident is {age}.").format(
                    category=_(CATEGORIES[cat]), limit=CHILD_CATEGORIES[cat], age=age)))
            if cat in ELDER_CATEGORIES and age is not None and age < 60:
                errors.append(ValidationError("categories", _("{category} applies from age 60; this resident is {age}.").format(
                    category=_(CATEGORIES[cat]), age=age)))
            if cat == "severely_disabled" and merged.get("disability_grade") not in (None, 1, 2):
                errors.append(ValidationError("categories", _("Severe disability means grade 1 or 2; the card says grade {grade}.").format(
                    grade=merged.get("disability_grade"))))
        if cats and set(cats) & set(CHILD_CATEGORIES) and not birth:
            errors.append(ValidationError("birth_date", _("A child's birth date is needed (or an ID number).")))
    if errors:
        raise ValidationErrors(errors)
    return clean("resident", data)


def register_resident(db: Database, fields: dict[str, Any], *, risk_level: str = "low", today: dt.date | None = None) -> Resident:
    from storage.register.names import name_pinyin, name_search_key

    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"not resident fields: {sorted(unknown)}")
    if risk_level not in RISK_LEVELS:
        raise ValidationError("risk_level", _("Unknown risk level."))
    data = validate_resident({**fields, "name": fields.get("name", "")}, today)
    if data.get("registered_on") is None:
        data["registered_on"] = today or dt.date.today()
    data["status"] = "active"
    data["name_initials"] = name_search_key(data["name"])
    data["name_pinyin"] = name_pinyin(data["name"])
    rid = new_id()
    with db.write() as s:
        w = writer(s)
        if not data.get("grid_code") and w.identity.grid_code:
            data["grid_code"] = w.identity.grid_code
        data.setdefault("township_code", w.identity.township_code)
        if data.get("id_number"):
            clash = s.exec(select(Resident).where(
                Resident.id_number == data["id_number"], Resident.deleted == False)).first()  # noqa: E712
            if clash is not None:
                raise ValidationError("id_number", _("{name} is already registered with this ID number.").format(name=clash.name))
        w.write("resident", rid, data)
        if risk_level != "low":
            w.write("risk", new_id(), {"resident_id": rid, "level": risk_level, "assessed_on": data["registered_on"],
                                        "assessor": w.identity.worker_name, "reason": _("At registration")})
        s.flush()
        return s.get(Resident, rid)


def get_resident(db: Database, resident_id: str) -> Resident:
    with db.session() as s:
        r = live_row(s, "resident", resident_id)
        return r


def update_resident(db: Database, resident_id: str, changes: dict[str, Any], *, today: dt.date | None = None) -> Resident:
    """Write only the fields that really change (so concurrent edits of other fields combine)."""
    from storage.register.names import name_pinyin, name_search_key

    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not resident fields: {sorted(unknown)}")
    with db.write() as s:
        current = live_row(s, "resident", resident_id)
        data = validate_resident(changes, today, existing=current)
        if "name" in data:
            data["name_initials"] = name_search_key(data["name"])
            data["name_pinyin"] = name_pinyin(data["name"])
        diff = {k: v for k, v in data.items() if getattr(current, k) != v}
        if diff:
            writer(s).write("resident", resident_id, diff)
        s.flush()
        return s.get(Resident, resident_id)


def close_case(db: Database, resident_id: str, reason: str, closed_on: dt.date | None = None, note: str = "", *,
               today: dt.date | None = None) -> Resident:
    if reason not in CLOSE_REASONS:
        raise ValidationError("close_reason", _("Choose why the case is closed."))
    today = today or dt.date.today()
    closed_on = closed_on or today
    if closed_on > today:
        raise ValidationError("closed_on", _("The date is in the future."))
    with db.write() as s:
        current = live_row(s, "resident", resident_id)
        fields = {"status": "closed", "close_reason": reason, "closed_on": closed_on}
        if note:
            fields["notes"] = (current.notes + "\n" + note).strip()
        writer(s).write("resident", resident_id, fields)
        s.flush()
        return s.get(Resident, resident_id)


def reopen_case(db: Database, resident_id: str) -> Resident:
    with db.write() as s:
        writer(s).write("resident", resident_id, {"status": "active", "close_reason": "", "closed_on": None})
        s.flush()
        return s.get(Resident, resident_id)

"""Registering and updating residents (the register of key persons)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, select

from storage.core.audit import add_entry
from storage.core.changes import live_row, new_id, writer
from storage.core.china_day import china_today
from storage.core.db import Database
from storage.core.errors import ValidationError, ValidationErrors
from storage.core.i18n import _, day_text
from storage.core.models import Grid, Resident
from storage.core.schema import clean
from storage.register.assessments import check_assessment, write_assessment
from storage.register.categories import (
    CLOSE_REASONS,
    RISK_LEVELS,
    may_age_out,
)
from storage.register.due import month_end
from storage.register.grid_choice import check_grid
from storage.register.names import name_pinyin, name_search_key
from storage.register.policy import age_out_date
from storage.register.resident_rules import Context, check, close_note

EDITABLE = {
    "name", "id_number", "sex", "birth_date", "phone", "address", "village_code", "grid_code", "township_code",
    "categories", "flags", "child_subtype", "guardian_name", "guardian_phone", "guardian_relation",
    "father_name", "father_status", "mother_name", "mother_status", "disability_card",
    "visit_frequency_days", "notes", "registered_on",
    "helper_name", "helper_phone", "helper_unit", "helper_since",  # the paired helper (storage/register/pairing.py)
}


def validate_resident(data: dict[str, Any], today: dt.date | None = None, *, existing: Resident | None = None) -> dict[str, Any]:
    """Check and normalise resident fields; derive birth date, sex, disability (storage/register/resident_rules.py).

    Raises ValidationErrors listing every problem, each naming its field.
    Returns the normalised fields (only those given, plus derived ones).
    """
    # "no value" in whatever form a form or the CLI gives it (None, "", spaces) is one value from here on
    fields, errors = check(clean("resident", dict(data)), Context(today or china_today(), existing))
    if errors:
        raise ValidationErrors(errors)
    return clean("resident", fields)


def register_resident(db: Database, fields: dict[str, Any], *, risk_level: str = "low", today: dt.date | None = None,
                      assessment: tuple[dict[str, Any], dict[str, Any]] | None = None) -> Resident:
    """Register a resident; `assessment` (grades, notes by dimension): the six-dimension assessment
    made at registration, written in the same transaction. It and a risk level other than low are dated the day
    they are entered (`today`), not the registration date, which may lie months back (a person cared for
    before the register had them): a high risk dated then made the person weeks overdue at once."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"not resident fields: {sorted(unknown)}")
    if risk_level not in RISK_LEVELS:
        raise ValidationError("risk_level", _("Unknown risk level."))
    errors: list[ValidationError] = []
    data: dict[str, Any] = {}
    try:
        data = validate_resident({**fields, "name": fields.get("name", "")}, today)
    except ValidationErrors as e:
        errors += e.errors
    if data.get("registered_on") is None:  # a "no value" one too (storage/core/schema.py)
        data["registered_on"] = fields.get("registered_on") or today or china_today()
    assessed = None
    entered = today or china_today()
    if assessment is not None:
        try:
            assessed = check_assessment(assessment[0], assessment[1], entered, entered)
        except ValidationErrors as e:
            errors += [x for x in e.errors if x.field != "assessed_on"]  # the registration date's own check says it
    if errors:
        raise ValidationErrors(errors)
    data["status"] = "active"
    data["name_initials"] = name_search_key(data["name"])
    data["name_pinyin"] = name_pinyin(data["name"])
    rid = new_id()
    with db.write() as s:
        w = writer(s)
        if not data.get("grid_code") and w.identity.grid_code:
            data["grid_code"] = w.identity.grid_code
        check_grid(data.get("grid_code"), w.identity.township_code, w.identity.role)
        data.setdefault("township_code", w.identity.township_code)
        if data.get("id_number"):
            _refuse_clash(s, data["id_number"])
        w.write("resident", rid, data)
        if risk_level != "low":
            w.write("risk", new_id(), {"resident_id": rid, "level": risk_level, "assessed_on": entered,
                                        "assessor": w.identity.worker_name, "reason": _("At registration")})
        if assessed is not None:
            write_assessment(w, rid, assessed)
        s.flush()
        return s.get(Resident, rid)


def get_resident(db: Database, resident_id: str) -> Resident:
    with db.session() as s:
        r = live_row(s, "resident", resident_id)
        return r


def changed_fields(current: Resident | None, data: dict[str, Any]) -> dict[str, Any]:
    """What a save writes: the checked fields that differ from the resident as it stands (all, for a new one),
    so that concurrent edits of other fields combine; and the name's search keys when the name changes."""
    diff = dict(data) if current is None else {k: v for k, v in data.items() if not _same(k, getattr(current, k), v)}
    if "name" in diff:
        diff["name_initials"] = name_search_key(diff["name"])
        diff["name_pinyin"] = name_pinyin(diff["name"])
    return diff


# a landline keeps the dash it was typed with (idnumbers.normalize_phone): the same number with and without it
# is no change (a roster's 0572-8012345 reported as a new phone of a resident saved as 05728012345)
PHONE_FIELDS = frozenset({"phone", "guardian_phone", "helper_phone"})


def _short(grid_id: str | None) -> str:
    """A grid as the audit log names it elsewhere ("G02", storage/sync/devices.py short_grid)."""
    return (grid_id or "").split("-", 1)[-1]


def _same(field: str, old: Any, new: Any) -> bool:
    if old == new:
        return True
    return field in PHONE_FIELDS and isinstance(old, str) and isinstance(new, str) and bool(old) \
        and old.replace("-", "") == new.replace("-", "")


def _refuse_clash(s: Session, id_number: str, resident_id: str | None = None) -> None:
    """ValidationError when another resident of this database has `id_number` (one registered twice in two
    databases is found at the township: storage/register/duplicates.py)."""
    query = select(Resident).where(Resident.id_number == id_number, Resident.deleted == False)  # noqa: E712
    if resident_id is not None:
        query = query.where(Resident.id != resident_id)
    clash = s.exec(query).first()
    if clash is not None:
        raise ValidationError("id_number", _("{name} is already registered with this ID number.").format(name=clash.name))


def update_resident(db: Database, resident_id: str, changes: dict[str, Any], *, today: dt.date | None = None,
                    shown: dict[str, Any] | None = None) -> Resident:
    """Write only the fields that really change (so concurrent edits of other fields combine).

    `shown`: the values a form showed when it opened, in the shape of `changes`. A field still as shown was not
    edited, and stays as the record has it now: a bundle merged while the form was open may have changed it (walk
    h-walk: the worker saved an address, and the form's old phone went over the clerk's correction)."""
    if shown is not None:
        changes = {name: value for name, value in changes.items() if name not in shown or shown[name] != value}
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not resident fields: {sorted(unknown)}")
    with db.write() as s:
        current = live_row(s, "resident", resident_id)
        diff = changed_fields(current, validate_resident(changes, today, existing=current))
        if diff:
            if diff.get("id_number"):  # a correction to a number another resident here has, as registering it is
                _refuse_clash(s, diff["id_number"], resident_id)  # (walk h-walk: saved, two residents, one number)
            w = writer(s)
            if "grid_code" in diff:  # the clerk moves a resident to another of the township's grids
                check_grid(diff["grid_code"], w.identity.township_code, w.identity.role)
                # into its village, when the township has put that grid in one: the person moved stayed counted
                # in the old grid's village in every report (walk G, 4)
                grid = s.get(Grid, diff["grid_code"])
                if "village_code" not in changes and grid is not None and grid.village_code \
                        and grid.village_code != current.village_code:
                    diff["village_code"] = grid.village_code
            moved_from = current.grid_code
            w.write("resident", resident_id, diff)
            if "grid_code" in diff:  # the person leaves one worker's list for another's: who moved them, and when
                add_entry(s, "move resident", counts={"record_id": resident_id, "from_grid": _short(moved_from),
                                                      "to_grid": _short(diff["grid_code"])})
        s.flush()
        return s.get(Resident, resident_id)


def close_case(db: Database, resident_id: str, reason: str, closed_on: dt.date | None = None, note: str = "", *,
               today: dt.date | None = None) -> Resident:
    """Take a case off the register (退出（销号）): why, from when, and the remark made (close_note), which
    is the closing's own field; the notes (备注) stay as the worker wrote them."""
    if reason not in CLOSE_REASONS:
        raise ValidationError("close_reason", _("Choose why the case is closed."))
    today = today or china_today()
    closed_on = closed_on or today
    if closed_on > today:
        raise ValidationError("closed_on", _("The date is in the future."))
    fields = {"status": "closed", "close_reason": reason, "closed_on": closed_on, "close_note": close_note(note)}
    with db.write() as s:
        current = live_row(s, "resident", resident_id)
        if reason == "aged_out" and not may_age_out(current.categories):
            # an adult "aged out" would leave the register under a reason the report's lists give for children
            raise ValidationError("close_reason", _("Only a left-behind child or a child in difficulty ages out: "
                                                    "choose another reason."))
        out_on = ages_out_later(current.categories, current.birth_date, closed_on) if reason == "aged_out" else None
        if out_on is not None:  # a 12-year-old closed as 超龄退出 (walked in tmux)
            raise ValidationError("close_reason", _("{name} ages out on {date}, not before: choose another reason, or "
                                                    "correct the birth date.").format(name=current.name,
                                                                                      date=day_text(out_on)))
        if current.registered_on is not None and closed_on < current.registered_on:
            raise ValidationError("closed_on", closed_before_registered(current.name, current.registered_on))
        writer(s).write("resident", resident_id, fields)
        s.flush()
        return s.get(Resident, resident_id)


def closed_before_registered(name: str, registered_on: dt.date) -> str:
    """Why a closing dated before the registration is refused: the reports would count such a case in no month,
    and the date is most often a slip (a year typed wrong); a person who left before being registered has the
    registration date to correct first."""
    return _("{name} was registered on {date}: the case cannot be closed before that. If the date is right, correct "
             "the registration date first.").format(name=name, date=day_text(registered_on))


def ages_out_later(categories: list[str], birth: dt.date | None, day: dt.date) -> dt.date | None:
    """The day a child ages out, when that is after `day`'s month: too early to be closed as aged out on `day` (the
    reports' aged-out list counts a child from the month its first child category stops applying). None when it
    may be, or when nothing tells (no child category, no birth date)."""
    out_on = age_out_date(categories, birth)
    return out_on if out_on is not None and out_on > month_end(day) else None


def reopen_case(db: Database, resident_id: str) -> Resident:
    """Put a case back on the register (恢复在册): the closing's reason, date and remark are cleared with it,
    as they describe a closing that no longer stands (the event log keeps them, and a later closing says its own)."""
    with db.write() as s:
        writer(s).write("resident", resident_id,
                        {"status": "active", "close_reason": "", "closed_on": None, "close_note": ""})
        s.flush()
        return s.get(Resident, resident_id)

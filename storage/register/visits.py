"""Logging and correcting visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.core.changes import live_row, new_id, writer, writing_identity
from storage.core.china_day import china_today
from storage.core.dates import DateProblem, parse_field_date
from storage.core.db import Database
from storage.core.errors import UserError, ValidationError, ValidationErrors
from storage.core.i18n import _
from storage.core.models import Resident, Visit
from storage.core.schema import clean
from storage.register.assessments import check_assessment, write_assessment
from storage.register.categories import HAZARDS, NEEDS, OBSERVATION_DIMENSIONS, RISK_LEVELS, SERVICES, VISIT_METHODS
from storage.register.due import DueFacts, next_visit_proposal
from storage.register.policy import load_policy
from storage.register.referrals import check_referral, write_referral
from storage.register.visit_delete import WithVisit, delete_reason, with_visit

MAX_NOTES = 4000
MAX_SHORT = 200
VISIT_FIELDS = {
    "visit_date", "method", "visitor", "met_with", "resident_seen", "contact_made", "observations", "hazards", "needs",
    "services", "risk_after", "mandatory_report", "next_visit_on", "notes",
}


def validate_visit(data: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    today = today or china_today()
    data = clean("visit", dict(data))  # one form of "no value" from here on (storage/core/schema.py)
    errors: list[ValidationError] = []
    unreadable = set()
    for name in ("visit_date", "next_visit_on"):
        if isinstance(data.get(name), str):  # as typed: 2026/11/30, 11-30, 30 ... (storage/core/dates.py)
            try:
                data[name] = parse_field_date(name, data[name], today)
            except DateProblem as problem:
                errors.append(ValidationError(name, problem.message))
                unreadable.add(name)
                data[name] = None
    if "visit_date" in data and "visit_date" not in unreadable:
        when = data["visit_date"]
        if when is None:
            errors.append(ValidationError("visit_date", _("Give the date of the visit.")))
        elif when > today:
            errors.append(ValidationError("visit_date", _("The visit date is in the future: check the date (and the computer's clock).")))
        elif when < today - dt.timedelta(days=366):
            errors.append(ValidationError("visit_date", _("The visit date is more than a year ago: check the year.")))
    if data.get("next_visit_on") and data.get("visit_date") and data["next_visit_on"] < data["visit_date"]:
        errors.append(ValidationError("next_visit_on", _("The next visit must come after this one.")))
    if "method" in data and data["method"] not in VISIT_METHODS:
        errors.append(ValidationError("method", _("Choose how the visit was made.")))
    _contact(data)
    if data.get("risk_after") and data["risk_after"] not in RISK_LEVELS:
        errors.append(ValidationError("risk_after", _("Unknown risk level.")))
    for name, table in (("hazards", HAZARDS), ("needs", NEEDS), ("services", SERVICES)):
        if name in data:
            codes = list(dict.fromkeys(data[name] or []))
            bad = [c for c in codes if c not in table]
            if bad:
                errors.append(ValidationError(name, _("Unknown code: {codes}.").format(codes=", ".join(bad))))
            data[name] = codes
    if "observations" in data:
        obs = {k: " ".join(str(v).split()) for k, v in (data["observations"] or {}).items() if v and str(v).strip()}
        bad = [k for k in obs if k not in OBSERVATION_DIMENSIONS]
        if bad:
            errors.append(ValidationError("observations", _("Unknown code: {codes}.").format(codes=", ".join(bad))))
        if any(len(v) > MAX_NOTES for v in obs.values()):
            errors.append(ValidationError("observations", _("Too long: at most {n} characters.").format(n=MAX_NOTES)))
        data["observations"] = obs
    for name in ("visitor", "met_with"):
        if name in data and data[name] is not None:
            data[name] = " ".join(str(data[name]).split())
            if len(data[name]) > MAX_SHORT:
                errors.append(ValidationError(name, _("Too long: at most {n} characters.").format(n=MAX_SHORT)))
    if data.get("notes") and len(data["notes"]) > MAX_NOTES:
        errors.append(ValidationError("notes", _("Too long: at most {n} characters.").format(n=MAX_NOTES)))
    if errors:
        raise ValidationErrors(errors)
    return clean("visit", data)


def _contact(data: dict[str, Any]) -> None:
    """Whether the person was reached (contact_made) and seen in person (resident_seen), kept consistent.

    The form asks one question, by method: 见到本人 on a home visit, 联系到本人 on a phone or
    video call, none for a visit through someone else (never a contact). A caller that sets
    only `resident_seen` (older drafts and scripts) means the same question.
    """
    method = data.get("method")
    if method is None:
        return  # a correction that leaves the method: correct_visit completes it
    if "contact_made" not in data and "resident_seen" in data:
        data["contact_made"] = data["resident_seen"]
    contact = bool(data.get("contact_made", True)) and method != "proxy"
    data["contact_made"] = contact
    data["resident_seen"] = contact and method == "home"


def propose_next_visit(db: Database, resident_id: str, visit_date: dt.date, risk_after: str | None) -> dt.date:
    """The next visit the form proposes: the same day next month, or sooner when the policy wants it sooner."""
    with db.session() as s:
        r = s.get(Resident, resident_id)
        policy = load_policy(s)
    if r is None:
        raise UserError(_("No such resident."))
    facts = DueFacts(visit_date, r.registered_on, risk_after or r.risk_level, visit_date, r.categories,
                     r.birth_date, r.visit_frequency_days)
    return next_visit_proposal(policy, facts, visit_date)


def registration_moved_to(r: Resident, visit_date: dt.date | None) -> dt.date | None:
    """The registration date a visit of `visit_date` moves the resident's back to, or None.

    A visit before the registration date would count in no month's report (storage/register/due.py
    month_standing counts a resident from the day registered): the worker who logs it was caring for a
    key person then, the register had them late (a worker starting in December with November's visits).
    A visit before the birth date moves nothing: that is a mistyped date, not a late registration.
    """
    if visit_date is None or r.registered_on is None or visit_date >= r.registered_on:
        return None
    if r.birth_date is not None and visit_date < r.birth_date:
        return None
    return visit_date


# a referral's fields as the visit form names them (its errors are shown beside these)
REFERRAL_FIELD_NAMES = {"agency": "referral_agency", "reason": "referral_reason", "level": "referral_level",
                        "department": "referral_department", "due_on": "referral_due"}


def log_visit(db: Database, resident_id: str, fields: dict[str, Any], *, referral: tuple | None = None,
              assessment: tuple[dict[str, Any], dict[str, Any]] | None = None, today: dt.date | None = None) -> Visit:
    """Write a visit with what it makes, in one transaction: the referral, if `referral` is given
    (agency, reason[, level, department, follow-up deadline]), and the six-dimension assessment, if
    `assessment` (grades, notes by dimension) is given, dated like the visit.

    Everything is checked before anything is written, so a refused referral or assessment leaves no
    visit behind to be saved twice. Errors of the referral name `referral_agency`, `referral_reason`,
    `referral_level`, `referral_department`, `referral_due`; those of the assessment `assess_<dimension>`.
    The risk the visit re-assesses is derived from the visit itself, in the same transaction.
    A visit dated before the resident's registration date moves that date back to the visit's
    (`registration_moved_to`): the forms say so before saving and after.
    """
    unknown = set(fields) - VISIT_FIELDS
    if unknown:
        raise ValueError(f"not visit fields: {sorted(unknown)}")
    today = today or china_today()
    errors: list[ValidationError] = []
    data: dict[str, Any] = {}
    try:
        data = validate_visit({"visit_date": today, "method": "home", **fields}, today)
    except ValidationErrors as e:
        errors += e.errors
    day = data.get("visit_date") or today
    referral_fields = None
    if referral is not None:
        agency, reason, *follow_up = referral
        level, department, due = (list(follow_up) + [None, "", None])[:3]
        try:
            referral_fields = check_referral(agency, reason, day, today, level=level, department=department,
                                             due_on=due)
        except ValidationError as e:
            errors.append(ValidationError(REFERRAL_FIELD_NAMES.get(e.field, e.field), e.message))
    assessed = None
    if assessment is not None:
        try:
            assessed = check_assessment(assessment[0], assessment[1], day, today)
        except ValidationErrors as e:
            errors += [x for x in e.errors if x.field != "assessed_on"]  # the visit date's own error says it
    if errors:
        raise ValidationErrors(errors)
    vid = new_id()
    with db.write() as s:
        r = live_row(s, "resident", resident_id)
        w = writer(s)
        if not data.get("visitor"):  # missing, None or "": the person logging it
            data["visitor"] = w.identity.worker_name
        data["resident_id"] = resident_id
        data["grid_code"] = r.grid_code
        w.write("visit", vid, data)
        moved = registration_moved_to(r, data.get("visit_date"))
        if moved is not None:  # in the same transaction: the visit counts in its month's report at once
            w.write("resident", resident_id, {"registered_on": moved})
        if referral_fields is not None:
            write_referral(w, resident_id, referral_fields, visit_id=vid)
        if assessed is not None:
            write_assessment(w, resident_id, assessed, visit_id=vid)
        s.flush()
        return s.get(Visit, vid)


def _own_visit(s: Any, visit_id: str) -> Visit:
    """The visit, if this database may change it: a worker only their own grid's (the township's merge would
    refuse the bundle otherwise, storage/sync/authorise.py), the clerk any of the township's, a county none."""
    v = live_row(s, "visit", visit_id)
    ident = writing_identity(s)
    if ident.role == "worker" and v.grid_code != ident.grid_code:
        raise UserError(_("A grid worker corrects or deletes only the visits of their own grid."))
    return v


def correct_visit(db: Database, visit_id: str, changes: dict[str, Any], *, today: dt.date | None = None) -> Visit:
    """Write the fields of `changes` that differ from the visit (one event), checked as a new visit's are."""
    unknown = set(changes) - VISIT_FIELDS
    if unknown:
        raise ValueError(f"not visit fields: {sorted(unknown)}")
    with db.write() as s:
        v = _own_visit(s, visit_id)
        if {"method", "contact_made", "resident_seen"} & set(changes):
            # the contact is checked whole whenever any part of it changes (see _contact)
            keep = {} if {"contact_made", "resident_seen"} & set(changes) else {"contact_made": v.contact_made}
            changes = {"method": v.method, **keep, **changes}
        data = validate_visit(changes, today)
        diff = {k: val for k, val in data.items() if getattr(v, k) != val}
        if diff:
            # stated in every correction: a visit recorded before schema 4 has it only derived from
            # its other fields (storage/core/visit_contact.py), which this correction may change
            diff.setdefault("contact_made", data.get("contact_made", v.contact_made))
            w = writer(s)
            w.write("visit", visit_id, diff)
            moved = registration_moved_to(live_row(s, "resident", v.resident_id), diff.get("visit_date"))
            if moved is not None:  # a date corrected to before the registration: as a visit logged then would
                w.write("resident", v.resident_id, {"registered_on": moved})
        s.flush()
        return s.get(Visit, visit_id)


def visit_deletion(db: Database, visit_id: str) -> WithVisit:
    """What deleting the visit would take with it and what it would keep (the confirmation names both)."""
    with db.session() as s:
        live_row(s, "visit", visit_id)
        found = with_visit(s, visit_id)
        s.expunge_all()
        return found


def delete_visit(db: Database, visit_id: str, reason: str = "") -> WithVisit:
    """Delete a visit logged by mistake, with the referral and assessment recorded with it, in one transaction
    (storage/register/visit_delete.py: a referral that has moved on since stays). The reason is each deletion's
    own field, so it travels in the events to the township (the event log keeps the records)."""
    why = delete_reason(reason)
    with db.write() as s:
        _own_visit(s, visit_id)
        found = with_visit(s, visit_id)
        w = writer(s)
        w.write("visit", visit_id, {"deleted": True, "delete_reason": why})
        for record_type, rows in (("referral", found.referrals), ("assessment", found.assessments)):
            for row in rows:
                w.write(record_type, row.id, {"deleted": True, "delete_reason": why})
        s.flush()
        s.expunge_all()
        return found

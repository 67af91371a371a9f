"""Referrals (转介) and their follow-up until closed."""

from __future__ import annotations

import datetime as dt

from storage.register.categories import REFERRAL_AGENCIES, REFERRAL_STATUSES
from storage.core.changes import live_row, new_id, writer
from storage.core.db import Database
from storage.core.errors import ValidationError
from storage.core.i18n import N_, _
from storage.core.models import Referral


# the level of the chain a referral goes to (村 / 乡镇 / 县), and the office there in the worker's words
REFERRAL_LEVELS: dict[str, str] = {"village": N_("Village level"), "township": N_("Township level"),
                                   "county": N_("County level")}
FOLLOW_UP_DAYS = 7  # the deadline proposed when none is given: a week (the plans' follow-up until closed)
MAX_DEPARTMENT = 100


def check_follow_up(level: str | None, department: str | None, due_on: dt.date | str | None,
                    opened_on: dt.date) -> dict:
    """The level, department and deadline fields of a referral, or ValidationError naming one of them."""
    if level not in (None, "") and level not in REFERRAL_LEVELS:
        raise ValidationError("level", _("Unknown code: {codes}.").format(codes=level))
    department = " ".join((department or "").split())
    if len(department) > MAX_DEPARTMENT:
        raise ValidationError("department", _("Too long: at most {n} characters.").format(n=MAX_DEPARTMENT))
    if isinstance(due_on, str):
        try:
            due_on = dt.date.fromisoformat(due_on.strip()) if due_on.strip() else None
        except ValueError:
            raise ValidationError("due_on", _("Write the date as YYYY-MM-DD, e.g. 2015-06-01.")) from None
    due_on = due_on or opened_on + dt.timedelta(days=FOLLOW_UP_DAYS)
    if due_on < opened_on:
        raise ValidationError("due_on", _("The follow-up date must come after the referral is opened."))
    return {"level": level or None, "department": department, "due_on": due_on}


def open_referral(db: Database, resident_id: str, agency: str, reason: str, *, visit_id: str | None = None,
                  opened_on: dt.date | None = None, level: str | None = None, department: str = "",
                  due_on: dt.date | None = None) -> Referral:
    if agency not in REFERRAL_AGENCIES:
        raise ValidationError("agency", _("Choose where the referral goes."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("reason", _("Say why the resident is referred."))
    if len(reason) > 1000:
        raise ValidationError("reason", _("Too long: at most {n} characters.").format(n=1000))
    opened_on = opened_on or dt.date.today()
    if opened_on > dt.date.today():
        raise ValidationError("opened_on", _("The date is in the future."))
    follow_up = check_follow_up(level, department, due_on, opened_on)
    rid = new_id()
    with db.write() as s:
        live_row(s, "resident", resident_id)
        writer(s).write("referral", rid, {"resident_id": resident_id, "visit_id": visit_id, "agency": agency,
                                          "reason": reason, "status": "open", "opened_on": opened_on, **follow_up})
        s.flush()
        return s.get(Referral, rid)


def set_referral_status(db: Database, referral_id: str, status: str, outcome: str = "",
                        closed_on: dt.date | None = None) -> Referral:
    if status not in REFERRAL_STATUSES:
        raise ValidationError("status", _("Unknown status."))
    with db.write() as s:
        live_row(s, "referral", referral_id)
        fields: dict = {"status": status}
        if outcome:
            fields["outcome"] = " ".join(outcome.split())
        if status == "closed":
            fields["closed_on"] = closed_on or dt.date.today()
            if fields["closed_on"] > dt.date.today():
                raise ValidationError("closed_on", _("The date is in the future."))
        else:
            fields["closed_on"] = None
        writer(s).write("referral", referral_id, fields)
        s.flush()
        return s.get(Referral, referral_id)


def close_referral(db: Database, referral_id: str, outcome: str = "", closed_on: dt.date | None = None) -> Referral:
    return set_referral_status(db, referral_id, "closed", outcome, closed_on)

"""Referrals (转介) and their follow-up until closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.core.changes import Writer, live_row, new_id, writer
from storage.core.china_day import china_today
from storage.core.dates import DateProblem, parse_field_date
from storage.core.db import Database
from storage.core.errors import ValidationError
from storage.core.i18n import N_, _, count_text, join_list, ngettext
from storage.core.models import Referral
from storage.register.categories import REFERRAL_AGENCIES, REFERRAL_STATUSES, label

MAX_REASON = 1000
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
    if isinstance(due_on, str):  # as typed: the one parser every date field uses, looking ahead from the opening
        try:
            due_on = parse_field_date("due_on", due_on, opened_on)
        except DateProblem as problem:
            raise ValidationError("due_on", problem.message) from None
    due_on = due_on or opened_on + dt.timedelta(days=FOLLOW_UP_DAYS)
    if due_on < opened_on:
        raise ValidationError("due_on", _("The follow-up date must come after the referral is opened."))
    return {"level": level or None, "department": department, "due_on": due_on}


def check_referral(agency: str | None, reason: str | None, opened_on: dt.date, today: dt.date, *,
                   level: str | None = None, department: str | None = "",
                   due_on: dt.date | str | None = None) -> dict[str, Any]:
    """The fields of a new referral, or ValidationError naming `agency`, `reason`, `opened_on`, `level`,
    `department` or `due_on`.

    Apart from the write so that a visit can check its referral before anything is written.
    """
    if agency not in REFERRAL_AGENCIES:
        raise ValidationError("agency", _("Choose where the referral goes."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("reason", _("Say why the resident is referred."))
    if len(reason) > MAX_REASON:
        raise ValidationError("reason", _("Too long: at most {n} characters.").format(n=MAX_REASON))
    if opened_on > today:
        raise ValidationError("opened_on", _("The date is in the future."))
    return {"agency": agency, "reason": reason, "status": "open", "opened_on": opened_on,
            **check_follow_up(level, department, due_on, opened_on)}


def write_referral(w: Writer, resident_id: str, fields: dict[str, Any], visit_id: str | None = None) -> str:
    """A checked referral (`check_referral`) written inside the caller's transaction; returns its id."""
    rid = new_id()
    w.write("referral", rid, {"resident_id": resident_id, "visit_id": visit_id, **fields})
    return rid


def open_referral(db: Database, resident_id: str, agency: str, reason: str, *, visit_id: str | None = None,
                  opened_on: dt.date | None = None, today: dt.date | None = None, level: str | None = None,
                  department: str = "", due_on: dt.date | str | None = None) -> Referral:
    today = today or china_today()
    fields = check_referral(agency, reason, opened_on or today, today, level=level, department=department,
                            due_on=due_on)
    with db.write() as s:
        live_row(s, "resident", resident_id)
        rid = write_referral(writer(s), resident_id, fields, visit_id)
        s.flush()
        return s.get(Referral, rid)


def next_follow_up(follow_up_by: dt.date | str, today: dt.date) -> dt.date:
    """The next follow-up date of a referral still open, as typed or as a date; not before today."""
    day: dt.date | None
    if isinstance(follow_up_by, str):
        try:
            day = parse_field_date("due_on", follow_up_by, today)
        except DateProblem as problem:
            raise ValidationError("due_on", problem.message) from None
    else:
        day = follow_up_by
    if day is None:
        raise ValidationError("due_on", _("Give the date of the next follow-up."))
    if day < today:
        raise ValidationError("due_on", _("The next follow-up cannot be before today."))
    return day


def set_referral_status(db: Database, referral_id: str, status: str, outcome: str = "",
                        closed_on: dt.date | None = None, *, today: dt.date | None = None,
                        follow_up_by: dt.date | str | None = None) -> Referral:
    """A follow-up: the status, what came of it, and (while still open) when it is followed up next.

    Without a new date an open referral keeps its old one, and stays on the overdue list once that has passed.
    """
    if status not in REFERRAL_STATUSES:
        raise ValidationError("status", _("Unknown status."))
    today = today or china_today()
    due_on = next_follow_up(follow_up_by, today) if follow_up_by is not None and status != "closed" else None
    with db.write() as s:
        live_row(s, "referral", referral_id)
        fields: dict = {"status": status}
        if outcome:
            fields["outcome"] = " ".join(outcome.split())
            if len(fields["outcome"]) > MAX_REASON:
                raise ValidationError("outcome", _("Too long: at most {n} characters.").format(n=MAX_REASON))
        if status == "closed":
            fields["closed_on"] = closed_on or today
            if fields["closed_on"] > today:
                raise ValidationError("closed_on", _("The date is in the future."))
        else:
            fields["closed_on"] = None
            if due_on is not None:
                fields["due_on"] = due_on
        writer(s).write("referral", referral_id, fields)
        s.flush()
        return s.get(Referral, referral_id)


def close_referral(db: Database, referral_id: str, outcome: str = "", closed_on: dt.date | None = None, *,
                   today: dt.date | None = None) -> Referral:
    return set_referral_status(db, referral_id, "closed", outcome, closed_on, today=today)


def open_referrals_of(db: Database, resident_id: str) -> list[Referral]:
    """The referrals of a resident (and the duplicates merged into it) not yet closed, oldest first."""
    from sqlmodel import col, select

    from storage.register.duplicates import resident_ids_for

    ids = resident_ids_for(db, resident_id)
    with db.session() as s:
        return list(s.exec(select(Referral).where(col(Referral.resident_id).in_(ids), col(Referral.deleted) == False,  # noqa: E712
                                                  Referral.status != "closed").order_by(Referral.opened_on, Referral.id)))


def still_open_text(referrals: list[Any]) -> str:
    """The referrals among these not yet closed, in a sentence ("" when none): what a case's closing says. Closing
    the case leaves them open: each is followed up until closed (DESIGN §1), and only the worker knows how it ended."""
    still = sorted((f for f in referrals if f.status != "closed"), key=lambda f: f.opened_on or dt.date.min)
    if not still:
        return ""
    agencies = join_list(dict.fromkeys(label(REFERRAL_AGENCIES, f.agency) for f in still))
    return ngettext("{n} referral is still open ({agencies}).", "{n} referrals are still open ({agencies}).",
                    len(still)).format(n=count_text(len(still)), agencies=agencies)

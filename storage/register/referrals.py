"""Referrals (转介) and their follow-up until closed."""

from __future__ import annotations

import datetime as dt

from storage.core.changes import live_row, new_id, writer
from storage.core.db import Database
from storage.core.errors import ValidationError
from storage.core.i18n import _
from storage.core.models import Referral
from storage.register.categories import REFERRAL_AGENCIES, REFERRAL_STATUSES


def open_referral(db: Database, resident_id: str, agency: str, reason: str, *, visit_id: str | None = None,
                  opened_on: dt.date | None = None) -> Referral:
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
    rid = new_id()
    with db.write() as s:
        live_row(s, "resident", resident_id)
        writer(s).write("referral", rid, {"resident_id": resident_id, "visit_id": visit_id, "agency": agency,
                                          "reason": reason, "status": "open", "opened_on": opened_on})
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

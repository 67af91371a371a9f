"""Changing a resident's risk level; the history is kept."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from storage.core.changes import live_row, new_id, writer
from storage.core.china_day import china_today
from storage.core.db import Database
from storage.core.errors import ValidationError
from storage.core.i18n import _
from storage.core.models import Resident, RiskAssessment
from storage.register.categories import RISK_LEVELS

MAX_REASON = 1000


def change_risk(db: Database, resident_id: str, level: str, reason: str, *, assessed_on: dt.date | None = None,
                today: dt.date | None = None) -> Resident:
    if level not in RISK_LEVELS:
        raise ValidationError("level", _("Unknown risk level."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("reason", _("Say why the risk level changes."))
    if len(reason) > MAX_REASON:
        raise ValidationError("reason", _("Too long: at most {n} characters.").format(n=MAX_REASON))
    today = today or china_today()
    assessed_on = assessed_on or today
    if assessed_on > today:
        raise ValidationError("assessed_on", _("The date is in the future."))
    with db.write() as s:
        r = live_row(s, "resident", resident_id)
        w = writer(s)
        w.write("risk", new_id(), {"resident_id": resident_id, "level": level, "reason": reason,
                                   "assessed_on": assessed_on, "assessor": w.identity.worker_name})
        s.flush()
        s.refresh(r)
        return r


def risk_history(db: Database, resident_id: str) -> list[RiskAssessment]:
    with db.session() as s:
        return list(s.exec(
            select(RiskAssessment)
            .where(RiskAssessment.resident_id == resident_id, RiskAssessment.deleted == False)  # noqa: E712
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.hlc.desc())
        ).all())

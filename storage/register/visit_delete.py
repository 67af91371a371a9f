"""What goes with a visit deleted: the referral and the assessment recorded with it, unless a referral has moved on.

A visit entered by mistake took its referral (转介) and six-dimension assessment with it into the reports and
lists, orphaned, once the visit alone was deleted. They were entered on the visit form in the same transaction
(storage/register/visits.py log_visit), so they go the way they came. A referral that has moved on since — its
status past 待办理, or any change written after it was recorded (a follow-up date, someone else's outcome) — is
somebody's work in progress: it stays, and the dialog and the CLI say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.core.errors import ValidationError
from storage.core.i18n import _, join_list
from storage.core.models import Assessment, Event, Referral
from storage.core.text import printable
from storage.register.categories import REFERRAL_AGENCIES, REFERRAL_STATUSES, label

MAX_DELETE_REASON = 200


@dataclass
class WithVisit:
    """The records entered with one visit: those deleted with it, and the referrals kept."""

    referrals: list[Referral] = field(default_factory=list)  # deleted with the visit
    assessments: list[Assessment] = field(default_factory=list)  # deleted with the visit
    kept: list[Referral] = field(default_factory=list)  # moved on since: not deleted

    def gone_text(self) -> str:
        """"the referral (to 民政部门), the six-dimension assessment", in the interface language; "" if none."""
        parts = [_("the referral ({agency})").format(agency=_referral_name(r)) for r in self.referrals]
        parts += [_("the six-dimension assessment")] * len(self.assessments)
        return join_list(parts)

    def kept_text(self) -> str:
        parts = [_("the referral ({agency}, {status})").format(agency=_referral_name(r),
                                                                status=label(REFERRAL_STATUSES, r.status))
                 for r in self.kept]
        return join_list(parts)

    def lines(self) -> list[str]:
        """What the confirmation says beside the visit: what goes with it, what stays and why."""
        out = []
        if self.referrals or self.assessments:
            out.append(_("Recorded with it and deleted with it: {records}.").format(records=self.gone_text()))
        if self.kept:
            out.append(_("Kept: {records}: followed up since, not deleted with the visit.").format(
                records=self.kept_text()))
        return out


def _referral_name(r: Referral) -> str:
    return label(REFERRAL_AGENCIES, r.agency)


def _moved_on(s: Session, r: Referral) -> bool:
    """Past its first status, or changed by any event after the one that recorded it."""
    if r.status != "open":
        return True
    events = s.execute(select(func.count()).select_from(Event).where(
        col(Event.record_type) == "referral", col(Event.record_id) == r.id)).scalar() or 0
    return events > 1


def with_visit(s: Session, visit_id: str) -> WithVisit:
    """The live referrals and assessments recorded with the visit, sorted into deleted with it and kept."""
    out = WithVisit()
    referrals: list[Referral] = list(s.execute(select(Referral).where(
        col(Referral.visit_id) == visit_id, col(Referral.deleted) == False)).scalars())  # noqa: E712
    for r in sorted(referrals, key=lambda r: r.id):
        (out.kept if _moved_on(s, r) else out.referrals).append(r)
    out.assessments = sorted(s.execute(select(Assessment).where(
        col(Assessment.visit_id) == visit_id, col(Assessment.deleted) == False)).scalars(),  # noqa: E712
        key=lambda a: a.id)
    return out


def delete_reason(text: Any) -> str:
    """The reason given for a deletion, as stored: one line, at most MAX_DELETE_REASON characters."""
    value = " ".join(str(text or "").split())
    if len(value) > MAX_DELETE_REASON:
        raise ValidationError("delete_reason", _("Too long: at most {n} characters.").format(n=MAX_DELETE_REASON))
    if printable(value) != value:
        raise ValidationError("delete_reason", _("The text holds control characters: type it again."))
    return value

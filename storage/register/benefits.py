"""A resident's assistance statuses and subsidies: one `benefit` record per period.

低保对象 from March to next February is one record; renewed, it is another. A subsidy
received (两项补贴) is a record with a start and, once it stops, an end. Records are
change events like every other record, so they merge order-free and a field two people
edited unseen is a conflict for the clerk.

Who *should* receive what is not stored: storage/register/eligibility.py computes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from storage.core.changes import live_row, new_id, writer
from storage.core.china_day import china_today
from storage.core.dates import DateProblem, parse_field_date
from storage.core.db import Database
from storage.core.errors import ValidationError, ValidationErrors
from storage.core.i18n import _, day_text
from storage.core.models import Benefit
from storage.register.categories import BENEFIT_KINDS, label
from storage.register.eligibility import Hint
from storage.register.periods import ENDING_DAYS, Period, period_text

__all__ = ["ENDING_DAYS", "Period", "period_text", "record_benefit", "end_benefit", "correct_benefit",
           "delete_benefit", "benefits_of", "resident_benefits", "validate_benefit", "benefit_summary", "BenefitSummary"]

MAX_NOTE = 200
MAX_AHEAD_DAYS = 366


def period(b: Any) -> Period:
    return Period(b.kind, b.start_on, b.end_on)


def _date(name: str, value: Any, errors: list[ValidationError], today: dt.date) -> dt.date | None:
    """A typed date through the one parser of every date field (2024/3/1, 2024年3月1日, 3-1...)."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return parse_field_date(name, str(value), today)
    except DateProblem as problem:
        errors.append(ValidationError(name, problem.message))
        return None


def validate_benefit(fields: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Checked, normalised fields of a benefit period (kind, start_on, end_on, note)."""
    errors: list[ValidationError] = []
    kind = fields.get("kind")
    if kind not in BENEFIT_KINDS:
        errors.append(ValidationError("kind", _("Choose which assistance or subsidy.")))
    start = _date("start_on", fields.get("start_on"), errors, today)
    end = _date("end_on", fields.get("end_on"), errors, today)
    # a renewal approved ahead of time starts in the future; more than a year ahead is a typing slip
    if start is not None and start > today + dt.timedelta(days=MAX_AHEAD_DAYS):
        errors.append(ValidationError("start_on", _("The start is more than a year ahead.")))
    if start is not None and end is not None and end < start:
        errors.append(ValidationError("end_on", _("The end is before the start.")))
    note = " ".join(str(fields.get("note") or "").split())
    if len(note) > MAX_NOTE:
        errors.append(ValidationError("note", _("Too long: at most {n} characters.").format(n=MAX_NOTE)))
    if errors:
        raise ValidationErrors(errors)
    return {"kind": kind, "start_on": start, "end_on": end, "note": note}


def _overlapping(s: Session, resident_id: str, data: dict[str, Any], except_id: str | None = None) -> Benefit | None:
    """A live record of the same kind whose period meets this one (a period is one record)."""
    lo, hi = data["start_on"] or dt.date.min, data["end_on"] or dt.date.max
    for b in s.exec(select(Benefit).where(Benefit.resident_id == resident_id, Benefit.kind == data["kind"],
                                          Benefit.deleted == False)):  # noqa: E712
        if b.id != except_id and (b.start_on or dt.date.min) <= hi and lo <= (b.end_on or dt.date.max):
            return b
    return None


def _overlap_error(b: Benefit) -> ValidationError:
    return ValidationError("start_on", _("{kind} is already recorded ({period}): end or correct that record first.")
                           .format(kind=label(BENEFIT_KINDS, b.kind), period=period_text(b.start_on, b.end_on)))


def record_benefit(db: Database, resident_id: str, kind: str, *, start_on: dt.date | str | None = None,
                   end_on: dt.date | str | None = None, note: str = "", today: dt.date | None = None) -> Benefit:
    """A new period of an assistance status or subsidy for a resident."""
    today = today or china_today()
    data = validate_benefit({"kind": kind, "start_on": start_on, "end_on": end_on, "note": note}, today)
    bid = new_id()
    with db.write() as s:
        live_row(s, "resident", resident_id)
        clash = _overlapping(s, resident_id, data)
        if clash is not None:
            raise _overlap_error(clash)
        writer(s).write("benefit", bid, {"resident_id": resident_id, **data})
        s.flush()
        return _reread(s, bid)


_UNSEEN: Any = object()  # `end_benefit` called without the end a dialog read (the CLI's end is the record's now)


def end_benefit(db: Database, benefit_id: str, end_on: dt.date | str | None = None, *,
                today: dt.date | None = None, shown_end: dt.date | None = _UNSEEN) -> Benefit:
    """The period stops on `end_on` (default today); only the end is written.

    `shown_end`: the period's end as the dialog read it (None: running). An end merged since (the township's return
    bundle) is not written over by the dialog's proposal, which was made without it: refused, naming it."""
    today = today or china_today()
    errors: list[ValidationError] = []
    end = _date("end_on", end_on, errors, today) or today
    if errors:
        raise ValidationErrors(errors)
    with db.write() as s:
        b = live_row(s, "benefit", benefit_id)
        if shown_end is not _UNSEEN and b.end_on != shown_end:
            raise ValidationError("end_on", _("Changed since this opened: the period now ends on {date}. Close this "
                                              "and look again.").format(date=day_text(b.end_on))
                                  if b.end_on else _("Changed since this opened: the period runs again. Close this "
                                                     "and look again."))
        if b.start_on is not None and end < b.start_on:
            raise ValidationError("end_on", _("The end is before the start."))
        if b.end_on != end:
            writer(s).write("benefit", benefit_id, {"end_on": end})
        s.flush()
        return _reread(s, benefit_id)


def correct_benefit(db: Database, benefit_id: str, changes: dict[str, Any], *, today: dt.date | None = None) -> Benefit:
    """Change a record's kind, dates or note; only the fields that change are written."""
    today = today or china_today()
    unknown = set(changes) - {"kind", "start_on", "end_on", "note"}
    if unknown:
        raise ValueError(f"not benefit fields: {sorted(unknown)}")
    with db.write() as s:
        b = live_row(s, "benefit", benefit_id)
        data = validate_benefit({"kind": b.kind, "start_on": b.start_on, "end_on": b.end_on, "note": b.note, **changes},
                                today)
        clash = _overlapping(s, b.resident_id, data, except_id=b.id)
        if clash is not None:
            raise _overlap_error(clash)
        diff = {k: v for k, v in data.items() if getattr(b, k) != v}
        if diff:
            writer(s).write("benefit", benefit_id, diff)
        s.flush()
        return _reread(s, benefit_id)


def _reread(s: Session, benefit_id: str) -> Benefit:
    """The record as just written (the writer has folded the event into its state row)."""
    row = s.get(Benefit, benefit_id)
    if row is None:  # a bug, never a user's doing
        raise RuntimeError(f"benefit {benefit_id} was written but has no state row")
    return row


def delete_benefit(db: Database, benefit_id: str) -> None:
    """A record entered by mistake (a period that really ended is ended, not deleted)."""
    with db.write() as s:
        live_row(s, "benefit", benefit_id)
        writer(s).delete("benefit", benefit_id)


def benefits_of(s: Session, resident_ids: list[str]) -> list[Benefit]:
    """Live benefit records of these residents (a resident and the duplicates merged into it), newest first."""
    if not resident_ids:
        return []
    rows = list(s.exec(select(Benefit).where(col(Benefit.resident_id).in_(resident_ids), col(Benefit.deleted) == False)))  # noqa: E712
    rows.sort(key=lambda b: (b.start_on or dt.date.min, b.id), reverse=True)
    return rows


def resident_benefits(db: Database, resident_id: str) -> list[Benefit]:
    from storage.register.duplicates import resident_ids_for

    ids = resident_ids_for(db, resident_id)
    with db.session() as s:
        live_row(s, "resident", resident_id)
        return benefits_of(s, ids)


@dataclass
class BenefitSummary:
    """What the resident page and the benefits screen show: the records, and what the rules say."""

    benefits: list[Benefit] = field(default_factory=list)  # newest first
    hints: list[Hint] = field(default_factory=list)  # every subsidy the rules point to
    unclaimed: list[Hint] = field(default_factory=list)  # of those, not recorded as receiving today
    legacy_flags: list[str] = field(default_factory=list)  # 低保/特困 flags of an older release, without dates


def benefit_summary(db: Database, resident_id: str, today: dt.date) -> BenefitSummary:
    from storage.register import eligibility
    from storage.register.duplicates import resident_ids_for
    from storage.register.policy import age_on

    ids = resident_ids_for(db, resident_id)
    with db.session() as s:
        r = live_row(s, "resident", resident_id)
        records = benefits_of(s, ids)
    periods = [period(b) for b in records]
    f = eligibility.facts(age_on(r.birth_date, today), r.categories, r.disability_category, r.disability_grade,
                          r.flags, periods, today)
    return BenefitSummary(records, eligibility.hints(f), eligibility.unclaimed(f, periods, today),
                          [flag for flag in r.flags if flag in ("dibao", "tekun")])

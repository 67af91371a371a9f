"""The six-dimension assessment (六个维度综合评估): codes, checks, writing, and reading the history.

Seed 000 of the plans: 对照经济、健康、教育、居住、就业、社会参与六个维度…科学调查和综合评估. Every
assessment grades all six dimensions on one four-step scale, or says 不适用 explicitly (an elder's
schooling); a grade left out is an error, never "no difficulty". An assessment is its own record
(`assessment`), written with the visit it belongs to in one transaction, or at registration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from storage.core.changes import Writer, live_row, new_id, writer
from storage.core.china_day import china_today
from storage.core.db import Database
from storage.core.errors import ValidationError, ValidationErrors
from storage.core.i18n import N_, _
from storage.core.models import Assessment, Event
from storage.register.categories import DIMENSIONS

GRADES: dict[str, str] = {
    "none": N_("No difficulty"),
    "mild": N_("Mild"),
    "moderate": N_("Moderate"),
    "severe": N_("Severe"),
    "na": N_("Not applicable"),
}
STEP = {"none": 0, "mild": 1, "moderate": 2, "severe": 3}  # "na" has no step: it is left out of trends
MAX_NOTE = 200
TREND_LENGTH = 6  # assessments a trend shows


def error_field(dim: str) -> str:
    """The field name a dimension's error is reported under (the forms show it beside that row)."""
    return f"assess_{dim}"


def is_blank(grades: dict[str, Any] | None, notes: dict[str, Any] | None) -> bool:
    """Nothing graded and nothing noted: no assessment was made (the forms' section is optional)."""
    return not any(v for v in (grades or {}).values()) and not any(str(v or "").strip() for v in (notes or {}).values())


def check_assessment(grades: dict[str, Any], notes: dict[str, Any] | None, assessed_on: dt.date,
                     today: dt.date) -> dict[str, Any]:
    """The fields of an assessment record (without resident and visit), or ValidationErrors per dimension."""
    notes = notes or {}
    errors: list[ValidationError] = []
    fields: dict[str, Any] = {}
    unknown = (set(grades) | set(notes)) - set(DIMENSIONS)
    if unknown:
        errors.append(ValidationError("assessment", _("Unknown code: {codes}.").format(codes=", ".join(sorted(unknown)))))
    clean_notes: dict[str, str] = {}
    for dim in DIMENSIONS:
        grade = grades.get(dim)
        note = " ".join(str(notes.get(dim) or "").split())
        if not grade:
            errors.append(ValidationError(error_field(dim), _(
                "Grade {dimension} too (choose Not applicable if it does not apply).").format(
                dimension=_(DIMENSIONS[dim]))))
        elif grade not in GRADES:
            errors.append(ValidationError(error_field(dim), _("Unknown code: {codes}.").format(codes=grade)))
        elif len(note) > MAX_NOTE:
            errors.append(ValidationError(error_field(dim), _("Too long: at most {n} characters.").format(n=MAX_NOTE)))
        fields[dim] = grade
        if note:
            clean_notes[dim] = note
    if assessed_on > today:
        errors.append(ValidationError("assessed_on", _("The date is in the future.")))
    if errors:
        raise ValidationErrors(errors)
    return {**fields, "notes": clean_notes, "assessed_on": assessed_on}


def write_assessment(w: Writer, resident_id: str, fields: dict[str, Any], visit_id: str | None = None) -> str:
    """A checked assessment (`check_assessment`) written in the caller's transaction; returns its id."""
    aid = new_id()
    w.write("assessment", aid, {"resident_id": resident_id, "visit_id": visit_id, "assessor": w.identity.worker_name,
                                **fields})
    return aid


def assess_resident(db: Database, resident_id: str, grades: dict[str, Any], notes: dict[str, Any] | None = None, *,
                    assessed_on: dt.date | None = None, today: dt.date | None = None) -> Assessment:
    """An assessment on its own (not at a visit)."""
    today = today or china_today()
    fields = check_assessment(grades, notes, assessed_on or today, today)
    with db.write() as s:
        live_row(s, "resident", resident_id)
        aid = write_assessment(writer(s), resident_id, fields)
        s.flush()
        saved = s.get(Assessment, aid)
        if saved is None:  # a bug, never a user's doing: the writer folds every event into its state row
            raise RuntimeError(f"assessment {aid} was written but has no state row")
        return saved


# --- reading: trend and the risk-review suggestion ------------------------------------------------------


@dataclass(frozen=True)
class Worsening:
    dimension: str
    before: str | None  # the grade of the previous assessment (None: there is none)
    after: str


def ordered_history(session: Any, resident_ids: list[str], limit: int | None = TREND_LENGTH) -> list[Assessment]:
    """A resident's assessments (with merged duplicates' ones), newest first.

    Ordered by date, then by when they were written (the first event of each: two on one day,
    at registration and at a first visit, keep the order they were made in).
    """
    first = (select(func.min(Event.hlc)).where(col(Event.record_type) == "assessment", col(Event.record_id) == Assessment.id)
             .scalar_subquery())
    query = (select(Assessment).where(col(Assessment.resident_id).in_(resident_ids), col(Assessment.deleted) == False)  # noqa: E712
             .order_by(col(Assessment.assessed_on).desc(), first.desc(), col(Assessment.id).desc()))
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def grade_of(a: Assessment | dict[str, Any], dim: str) -> str | None:
    return a.get(dim) if isinstance(a, dict) else getattr(a, dim)


def worsened(after: Assessment | dict[str, Any], before: Assessment | dict[str, Any] | None) -> list[Worsening]:
    """Dimensions graded worse than in the previous assessment (不适用 on either side compares with nothing)."""
    out = []
    for dim in DIMENSIONS:
        new, old = grade_of(after, dim), grade_of(before, dim) if before is not None else None
        if new in STEP and old in STEP and STEP[new] > STEP[old]:
            out.append(Worsening(dim, old, new))
    return out


REVIEWED_LEVELS = ("high", "emergency")  # a risk already this high needs no suggestion to raise it


def review_reasons(history: list[Assessment], risk_level: str) -> list[Worsening]:
    """Why the risk level should be reviewed, from the latest assessment (history newest first).

    The rule of the plans' follow-up: a dimension that worsened by two steps or more since the
    previous assessment, or that reached 重度 (severe, and was not before). Nothing when there is
    no assessment, or when the risk is already high or emergency.
    """
    if not history or risk_level in REVIEWED_LEVELS:
        return []
    latest, previous = history[0], history[1] if len(history) > 1 else None
    out = []
    for dim in DIMENSIONS:
        new, old = grade_of(latest, dim), grade_of(previous, dim) if previous is not None else None
        if new not in STEP:
            continue
        if (new == "severe" and old != "severe") or (old in STEP and STEP[new] - STEP[old] >= 2):
            out.append(Worsening(dim, old, new))
    return out


def trend(history: list[Assessment], dim: str) -> list[str | None]:
    """The grades of one dimension, oldest first (history newest first); None where not graded."""
    return [grade_of(a, dim) for a in reversed(history)]


def latest_grades(db: Database, resident_id: str) -> dict[str, str]:
    """The grades of a resident's latest assessment ({} if never assessed): a reassessment's starting point."""
    from storage.register.duplicates import resident_ids_for

    with db.session() as s:
        history = ordered_history(s, resident_ids_for(db, resident_id), limit=1)
    return {dim: grade for dim in DIMENSIONS if history and (grade := grade_of(history[0], dim))}


def review_for(db: Database, resident_id: str) -> list[Worsening]:
    """`review_reasons` for a resident as the database holds it now (after a visit is saved)."""
    from storage.core.models import Resident
    from storage.register.duplicates import resident_ids_for

    ids = resident_ids_for(db, resident_id)
    with db.session() as s:
        r = s.get(Resident, resident_id)
        history = ordered_history(s, ids, limit=2)
    return review_reasons(history, r.risk_level if r is not None else "low")

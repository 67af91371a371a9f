"""The visit form's values and a visit's fields, both ways: what the form hands to `log_visit` / `correct_visit`,
and a saved visit as the form shows it for a correction. Pure functions of the values (bar the saved visit's read),
so the tests can feed them what the form gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.core.glyphs import narrow
from storage.core.i18n import _, join_list
from storage.core.offices import name_text
from storage.register.assessments import is_blank
from storage.register.categories import RISK_LEVELS, SHOWN_CATEGORIES, label, with_derived
from storage.register.policy import age_on
from storage.register.visits import propose_next_visit

VISIT_FIELDS_FROM_FORM = ("visit_date", "method", "visitor", "met_with", "contact_made", "observations", "hazards",
                          "needs", "services", "risk_after", "mandatory_report", "next_visit_on", "notes")


def visit_fields(values: dict[str, Any]) -> tuple[dict[str, Any], tuple | None]:
    """What the form hands to `log_visit`: the visit's fields and the referral (agency, reason, level,
    department, follow-up deadline as typed), if any.

    A pure function of `VisitFormScreen.values()`, so the tests can feed it what the form gives.
    """
    fields = {k: values[k] for k in VISIT_FIELDS_FROM_FORM}
    agency, reason = values.get("referral_agency"), values.get("referral_reason") or ""
    if not (agency or reason.strip()):
        return fields, None
    return fields, (agency, reason, values.get("referral_level"), values.get("referral_department") or "",
                    values.get("referral_due") or "")


def visit_values(db, resident_id: str, visit_id: str, today: dt.date) -> tuple[dict[str, Any], dt.date]:
    """A saved visit as the form's values, and the next visit proposed for its date (the form proposes it again
    when the date is corrected, unless the saved next visit was set by hand).

    A visit the form saved has its date; one a bundle brought may have none (tests/test_value_laws.py): its date
    box is then empty, for the worker to give, and the proposal is today's (its correction crashed on None)."""
    from storage.core.changes import live_row

    with db.session() as s:
        v = live_row(s, "visit", visit_id)
    proposed = propose_next_visit(db, resident_id, v.visit_date or today, v.risk_after)
    values = {"visit_date": v.visit_date.isoformat() if v.visit_date else "", "method": v.method,
              "visitor": v.visitor or "",
              "met_with": v.met_with or "", "contact_made": bool(v.contact_made), "observations": dict(v.observations),
              "hazards": list(v.hazards), "needs": list(v.needs), "services": list(v.services),
              "risk_after": v.risk_after, "mandatory_report": bool(v.mandatory_report),
              "next_visit_on": v.next_visit_on.isoformat() if v.next_visit_on else "",
              "notes": v.notes or "", "next_touched": bool(v.next_visit_on) and v.next_visit_on != proposed}
    return values, proposed


def with_unshown(changes: dict[str, Any], saved: dict[str, Any], shown: dict[str, set[str]]) -> dict[str, Any]:
    """A correction's changes with what the saved visit holds that the form did not show, put back.

    The form offers the observations, hazards and needs of the resident's categories as they are now: a visit
    recorded before they changed (a child-only dimension, a hazard of an elder living alone) held more. Changed
    on the form, the field was written as the form had it, and what it never showed was lost. `shown`: for each of
    these fields, the dimensions or codes the form offered.
    """
    out = dict(changes)
    if "observations" in out:
        hidden = {k: v for k, v in (saved.get("observations") or {}).items() if k not in shown["observations"]}
        out["observations"] = {**hidden, **out["observations"]}
    for name in ("hazards", "needs", "services"):
        if name in out:
            hidden_codes = [c for c in saved.get(name) or [] if c not in shown[name]]
            out[name] = list(out[name]) + [c for c in hidden_codes if c not in out[name]]
    return out


def assessment_of(values: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]] | None:
    """The six-dimension assessment the form hands to `log_visit` (grades, notes), or None if left blank."""
    grades, notes = values.get("assessment_grades") or {}, values.get("assessment_notes") or {}
    return None if is_blank(grades, notes) else (grades, notes)


def who_text(r: Any, today: dt.date) -> str:
    """The form's first line: whom the visit is for, what they are (高龄 too, derived from the age, as the register
    shows it: walk F) and their risk in words (a bare 低 said nothing: walk F)."""
    risk = _("Risk: {level}").format(level=label(RISK_LEVELS, r.risk_level))
    cats = join_list(label(SHOWN_CATEGORIES, c) for c in with_derived(r.categories, age_on(r.birth_date, today)))
    return narrow("{name} · {cats} · {risk}").format(name=r.name, cats=cats, risk=risk)


def proposed_visitor(identity: Any) -> str:
    """Who a new visit proposes as its visitor: the person logging it; an office set up without a person's name
    ("Township clerk", stored in the language of the set-up) in the reader's words."""
    return name_text(identity.worker_name) if identity is not None else ""

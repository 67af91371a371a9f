"""Everything the resident screen shows about one resident, read in one go."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import select

from storage.core.changes import live_row
from storage.core.db import Database
from storage.core.models import Assessment, Referral, Resident, RiskAssessment, Visit
from storage.register.assessments import ordered_history
from storage.register.due import DueFacts, due_on, risk_from_sql
from storage.register.duplicates import resident_ids_for
from storage.register.policy import FINDING_LEVELS, Policy, age_on, ageing_out, load_policy
from storage.register.report_query import as_date


@dataclass
class Profile:
    resident: Resident
    policy: Policy
    visits: list[Visit] = field(default_factory=list)  # newest first
    referrals: list[Referral] = field(default_factory=list)  # open first, then newest
    risk: list[RiskAssessment] = field(default_factory=list)  # newest first
    assessments: list[Assessment] = field(default_factory=list)  # the last few six-dimension ones, newest first
    age: int | None = None
    age_out_on: dt.date | None = None  # a child category stops applying soon (or has)
    last_visit: dt.date | None = None
    due_on: dt.date | None = None


def resident_profile(db: Database, resident_id: str, today: dt.date) -> Profile:
    # a duplicate merged into this resident brings its visits, referrals and risk history along
    ids = resident_ids_for(db, resident_id)
    with db.session() as s:
        r = live_row(s, "resident", resident_id)
        policy = load_policy(s)
        visits = list(s.exec(
            select(Visit).where(Visit.resident_id.in_(ids), Visit.deleted == False)  # noqa: E712
            .order_by(Visit.visit_date.desc(), Visit.id)
        ).all())
        referrals = list(s.exec(
            select(Referral).where(Referral.resident_id.in_(ids), Referral.deleted == False)  # noqa: E712
            .order_by(Referral.opened_on.desc(), Referral.id)
        ).all())
        risk = list(s.exec(
            select(RiskAssessment)
            .where(RiskAssessment.resident_id.in_(ids), RiskAssessment.deleted == False)  # noqa: E712
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.hlc.desc())
        ).all())
        assessments = ordered_history(s, ids)
        began = None
        if r.risk_level in FINDING_LEVELS:

            began = s.execute(text(f"SELECT {risk_from_sql(':rid', ':level')}"),
                              {"rid": resident_id, "level": r.risk_level}).scalar()
    referrals.sort(key=lambda ref: ref.status == "closed")  # stable: open ones first, each newest first
    # the one rule of a visit that counts, and of when the next is due (storage/register/due.py), as Home's
    last = next((v.visit_date for v in visits if v.visit_date and v.visit_date <= today
                 and policy.counts_visit(v.method, bool(v.contact_made))), None)
    facts = DueFacts(last, r.registered_on, r.risk_level, as_date(began), r.categories, r.birth_date,
                     r.visit_frequency_days)
    return Profile(
        resident=r, policy=policy, visits=visits, referrals=referrals, risk=risk, assessments=assessments,
        age=age_on(r.birth_date, today),
        age_out_on=ageing_out(r.categories, r.birth_date, today, policy.age_out_warning_days),
        last_visit=last, due_on=due_on(policy, facts, today),
    )

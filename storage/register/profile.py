"""Everything the resident screen shows about one resident, read in one go."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, text
from sqlmodel import select

from storage.core.changes import live_row
from storage.core.db import Database, driver_connection
from storage.core.models import Assessment, Referral, Resident, RiskAssessment, Visit
from storage.core.places import village_label
from storage.register.assessments import ordered_history
from storage.register.due import DueFacts, due_on
from storage.register.duplicates import resident_ids_for
from storage.register.entered import entered_dates
from storage.register.grid_people import grid_people, people_text
from storage.register.moved_here import Arrival, arrival
from storage.register.policy import FINDING_LEVELS, Policy, age_on, ageing_out, load_policy
from storage.register.report_query import as_date, place_names
from storage.register.search_merged import families, family_began


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
    planned_on: dt.date | None = None  # the next visit typed on its latest visit (Home's 本周 lists by it)
    village: str = ""  # by name: the resident's own village, else its grid's
    grid: str = ""  # the grid's name
    worker: str = ""  # the grid's worker, whom a township clerk calls about this resident
    township: str = ""  # the township's name (a county names the township first: grid names repeat across them)
    merged_from: list[str] = field(default_factory=list)  # the grids of the duplicates merged into this record
    arrived: Arrival | None = None  # moved from another grid, or registered by the township (storage/register/moved_here.py)


@dataclass(frozen=True)
class Contact:
    """The number to call about a resident."""

    phone: str  # "" when none is recorded
    guardian: str | None = None  # the phone is the guardian's: their name and relation ("" when neither is recorded)


def contact_phone(r: Resident) -> Contact:
    """The resident's own phone, else the guardian's: a child has no phone of its own, and the page said
    联系电话：— a line above the guardian's number, as if there were no way to reach the family."""
    if r.phone or not r.guardian_phone:
        return Contact(r.phone)
    return Contact(r.guardian_phone, " ".join(x for x in (r.guardian_name, r.guardian_relation) if x))


def _places(s, r: Resident, ids: list[str]) -> tuple[str, str, str, list[str]]:
    """(village, grid, worker, grids of the merged duplicates), by name."""
    villages, grids = place_names(s.connection())
    row = s.connection().execute(text("SELECT village_code FROM grid WHERE id = :g AND NOT deleted"),
                                 {"g": r.grid_code}).first()
    village = village_label(r.village_code or (row[0] if row else None), villages)
    merged = [] if len(ids) < 2 else [
        grids.get(g, g.split("-", 1)[-1]) for (g,) in s.connection().execute(
            text("SELECT grid_code FROM resident WHERE id IN :ids ORDER BY name, id")
            .bindparams(bindparam("ids", expanding=True)), {"ids": ids[1:]})]
    worker = people_text(grid_people(s.connection(), r.grid_code), r.grid_code)
    return village, grids.get(r.grid_code, r.grid_code.split("-", 1)[-1]), worker, merged


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
        village, grid, worker, merged_from = _places(s, r, ids)
        township = s.connection().execute(text("SELECT name FROM township WHERE id = :t AND NOT deleted"),
                                          {"t": r.township_code}).scalar() or ""
        began = None
        if r.risk_level in FINDING_LEVELS:
            # with duplicates merged into it, its level is the newest of theirs (storage/core/merged_risk.py)
            raw = driver_connection(s)
            began = family_began(raw, {resident_id: families(raw).get(resident_id, [])},
                                 {resident_id: r.risk_level}).get(resident_id)
        # the one rule of a visit that counts, and of when the next is due (storage/register/due.py), as Home's
        last = next((v.visit_date for v in visits if v.visit_date and v.visit_date <= today
                     and policy.counts_visit(v.method, bool(v.contact_made))), None)
        # never visited: due from the day the record entered gridcare, if later than its registration
        entered = None if last else entered_dates(driver_connection(s), [resident_id]).get(resident_id)
    # as Home's PLANNED_SQL: the resident's own latest visit (not a merged duplicate's), whatever it planned; one
    # without a date (a bundle may carry one) is the oldest, as SQLite orders NULL (it raised TypeError here)
    own = max((v for v in visits if v.resident_id == resident_id),
              key=lambda v: (v.visit_date or dt.date.min, v.id), default=None)
    referrals.sort(key=lambda ref: ref.status == "closed")  # stable: open ones first, each newest first
    facts = DueFacts(last, r.registered_on, r.risk_level, as_date(began), r.categories, r.birth_date,
                     r.visit_frequency_days, entered)
    return Profile(
        resident=r, policy=policy, visits=visits, referrals=referrals, risk=risk, assessments=assessments,
        # one who has died is as old as on the day the case was closed for it, not a year older on the page each year
        age=age_on(r.birth_date, r.closed_on if r.status == "closed" and r.close_reason == "deceased" and r.closed_on
                   else today),
        age_out_on=ageing_out(r.categories, r.birth_date, today, policy.age_out_warning_days),
        last_visit=last, due_on=due_on(policy, facts, today), planned_on=own.next_visit_on if own else None,
        village=village, grid=grid, worker=worker, merged_from=merged_from, township=township,
        arrived=arrival(db, resident_id),
    )

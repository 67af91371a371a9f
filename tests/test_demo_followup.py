"""The demo's assessments, emergencies and referral deadlines: in believable proportions, by the product's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from storage.core.db import open_database
from storage.core.identity import get_identity
from storage.core.models import Assessment, EmergencyAck, Event, Referral, Resident
from storage.demo.build import generate
from storage.register.assessments import DIMENSIONS, GRADES
from storage.register.emergencies import find_emergencies, open_emergencies
from storage.reports.monthly import monthly_report

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("demo") / "g.db")
    generate(db, seed=3, today=TODAY, residents=600)
    return db


def _all(db, model):
    with db.session() as s:
        return list(s.exec(select(model)).all())


def test_most_are_assessed_at_registration_some_reassessed_every_grade_given(demo):
    residents, assessments = _all(demo, Resident), _all(demo, Assessment)
    at_registration = [a for a in assessments if a.visit_id is None]
    registered = {r.id: r.registered_on for r in residents}
    assert all(a.assessed_on == registered[a.resident_id] for a in at_registration)
    assert 0.85 <= len(at_registration) / len(residents) <= 0.95
    assert len({a.resident_id for a in assessments}) / len(residents) >= 0.98
    assert len(assessments) - len({a.resident_id for a in assessments}) >= len(residents) // 4  # reassessed
    assert all(getattr(a, d) in GRADES for a in assessments for d in DIMENSIONS)
    elders = {r.id for r in residents if set(r.categories) <= {"solitary_elder", "empty_nest_elder", "left_behind_elder"}}
    na = [a.education == "na" for a in assessments if a.resident_id in elders]
    assert sum(na) / len(na) > 0.8  # an elder's schooling does not apply


def test_a_few_worsened_this_month(demo):
    report = monthly_report(demo, 2026, 11, today=TODAY)
    assert 1 <= report.followup.worsened_residents <= len(report.people) // 20


def test_emergencies_are_acknowledged_by_the_township_except_a_few_of_yesterdays(demo):
    ident = get_identity(demo)
    with demo.session() as s:
        year = find_emergencies(s, TODAY - dt.timedelta(days=365), TODAY)
        waiting = open_emergencies(s, TODAY)
        acks = list(s.exec(select(Event).where(Event.record_type == "emergency_ack")).all())
    assert len(year) >= 3 and all(e.acknowledged_at is not None for e in year if e.found_on < TODAY - dt.timedelta(days=1))
    assert all(e.found_on == TODAY - dt.timedelta(days=1) for e in waiting)
    assert acks and {a.device_id for a in acks} != {ident.device_id}  # the township's device, not the worker's
    assert {a.author for a in acks} == {"乡镇民政助理员"}
    hours = [e.hours_to_acknowledge() for e in year if e.acknowledged_at is not None]
    assert all(0 <= h < 48 for h in hours) and sorted(hours)[len(hours) // 2] < 12
    assert len(_all(demo, EmergencyAck)) >= len([e for e in year if e.acknowledged_at])


def test_referrals_name_their_level_office_and_deadline(demo):
    referrals = _all(demo, Referral)
    assert referrals and all(f.level in ("village", "township", "county") and f.department and f.due_on
                             and f.due_on > f.opened_on for f in referrals)

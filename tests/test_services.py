"""Service functions: validation, one transaction per write, derived fields."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from storage.core.china_day import china_today
from storage.core.errors import ValidationError, ValidationErrors
from storage.core.models import Event, Referral, Resident
from storage.register.due import DueFacts, due_on
from storage.register.policy import Policy, age_out_date, ageing_out
from storage.register.referrals import close_referral, open_referral
from storage.register.residents import close_case, register_resident, update_resident
from storage.register.risk import change_risk, risk_history
from storage.register.visits import log_visit, propose_next_visit
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "w.db")


def _events(db, record_id):
    with db.session() as s:
        return s.exec(select(Event).where(Event.record_id == record_id).order_by(Event.hlc)).all()


def test_register_derives_birth_date_sex_initials_and_grid(db):
    r = register_resident(db, {"name": "单小明", "id_number": "11010519491231002x", "categories": ["solitary_elder"]},
                          today=TODAY)
    assert r.id_number == "11010519491231002X"
    assert (r.birth_date, r.sex) == (dt.date(1949, 12, 31), "F")
    assert "sxm" in r.name_initials.split() and "dxm" in r.name_initials.split()
    assert r.grid_code == "330521101-G01" and r.status == "active"
    assert len(_events(db, r.id)) == 1


def test_register_reports_every_bad_field(db):
    with pytest.raises(ValidationErrors) as info:
        register_resident(db, {"name": "", "id_number": "110105194912310021", "categories": []}, today=TODAY)
    fields = info.value.by_field()
    assert set(fields) >= {"name", "id_number", "categories"}
    assert "X" in fields["id_number"]  # says which check character it should be


def test_a_left_behind_child_over_16_is_refused_on_entry(db):
    with pytest.raises(ValidationErrors) as info:
        register_resident(db, {"name": "李娃", "birth_date": dt.date(2009, 1, 1), "categories": ["left_behind_child"]},
                          today=TODAY)
    assert "16" in info.value.by_field()["categories"]


def test_ageing_out_is_derived_from_the_birth_date(db):
    r = register_resident(db, {"name": "李娃", "birth_date": dt.date(2011, 1, 10), "categories": ["left_behind_child"]},
                          today=TODAY)
    assert age_out_date(r.categories, r.birth_date) == dt.date(2027, 1, 10)
    assert ageing_out(r.categories, r.birth_date, TODAY, 90) == dt.date(2027, 1, 10)
    assert ageing_out(r.categories, r.birth_date, TODAY, 30) is None


def test_update_writes_only_the_fields_that_change(db):
    r = register_resident(db, {"name": "张三", "categories": ["solitary_elder"], "birth_date": dt.date(1950, 3, 1)},
                          today=TODAY)
    update_resident(db, r.id, {"name": "张三", "phone": "138 0013 8000"}, today=TODAY)
    events = _events(db, r.id)
    assert len(events) == 2 and events[1].fields == {"phone": "13800138000"}
    update_resident(db, r.id, {"name": "张三"}, today=TODAY)
    assert len(_events(db, r.id)) == 2


def test_visit_defaults_future_date_refused_and_next_visit_from_policy(db):
    r = register_resident(db, {"name": "王五", "categories": ["empty_nest_elder"], "birth_date": dt.date(1940, 5, 5)},
                          today=TODAY)
    v = log_visit(db, r.id, {"hazards": ["falls"]}, today=TODAY)
    assert (v.visit_date, v.method, v.visitor, v.grid_code) == (TODAY, "home", "王网格", r.grid_code)
    with pytest.raises(ValidationErrors) as info:
        log_visit(db, r.id, {"visit_date": TODAY + dt.timedelta(days=1)}, today=TODAY)
    assert "future" in info.value.by_field()["visit_date"]
    assert propose_next_visit(db, r.id, TODAY, None) == TODAY + dt.timedelta(days=30)
    assert propose_next_visit(db, r.id, TODAY, "high") == TODAY + dt.timedelta(days=7)


def test_risk_changes_keep_a_history_and_visits_reassess(db):
    today = china_today()
    r = register_resident(db, {"name": "赵六", "categories": ["solitary_elder"], "birth_date": dt.date(1944, 2, 2)},
                          risk_level="medium")
    assert r.risk_level == "medium"
    r = change_risk(db, r.id, "high", "独自住危房")
    assert r.risk_level == "high"  # same day, later: wins
    log_visit(db, r.id, {"risk_after": "low", "visit_date": today})
    with db.session() as s:
        assert s.get(Resident, r.id).risk_level == "low"
    # a back-dated assessment goes into the history but does not override a newer one
    r = change_risk(db, r.id, "emergency", "补录", assessed_on=today - dt.timedelta(days=3))
    assert r.risk_level == "low"
    assert [a.level for a in risk_history(db, r.id)] == ["low", "high", "medium", "emergency"]
    with pytest.raises(ValidationError):
        change_risk(db, r.id, "high", "   ")


def test_referrals_open_and_close(db):
    r = register_resident(db, {"name": "钱七", "categories": ["severely_disabled"], "birth_date": dt.date(1980, 2, 2)},
                          today=TODAY)
    ref = open_referral(db, r.id, "disabled_fed", "需要轮椅")
    assert ref.status == "open"
    ref = close_referral(db, ref.id, "已配发")
    with db.session() as s:
        got = s.get(Referral, ref.id)
        assert (got.status, got.outcome, got.closed_on) == ("closed", "已配发", china_today())


def test_close_case_needs_a_known_reason(db):
    r = register_resident(db, {"name": "孙八", "categories": ["solitary_elder"], "birth_date": dt.date(1930, 2, 2)},
                          today=TODAY)
    with pytest.raises(ValidationError):
        close_case(db, r.id, "bored")
    r = close_case(db, r.id, "deceased")
    assert (r.status, r.close_reason) == ("closed", "deceased")


def test_policy_due_dates_by_calendar_month_week_and_day():
    p = Policy()
    seen_on = dt.date(2026, 11, 1)
    assert due_on(p, DueFacts(seen_on, None), TODAY) == dt.date(2026, 12, 31)  # by the end of next month
    assert due_on(p, DueFacts(seen_on, None, "high"), TODAY) == dt.date(2026, 11, 8)
    assert due_on(p, DueFacts(seen_on, None, "emergency"), TODAY) == dt.date(2026, 11, 2)
    assert due_on(p, DueFacts(seen_on, None, override=14), TODAY) == dt.date(2026, 11, 15)
    assert due_on(p, DueFacts(seen_on, None, "high", override=14), TODAY) == dt.date(2026, 11, 8)
    # never visited: by the end of the month of registration
    assert due_on(p, DueFacts(None, dt.date(2026, 11, 20)), TODAY) == dt.date(2026, 11, 30)



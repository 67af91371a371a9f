"""Benefit records (one per status period), the paired helper, and the lists built on them:
应享未享, benefits ending within 30 days, residents who should be paired and are not."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from storage.core.errors import UserError, ValidationError, ValidationErrors
from storage.core.models import Event
from storage.register.benefit_lists import benefit_watch
from storage.register.benefits import correct_benefit, delete_benefit, end_benefit, record_benefit, resident_benefits
from storage.register.home import home_data
from storage.register.pairing import end_pairing, set_paired_helper
from storage.register.residents import register_resident, update_resident
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)
CARD_ID = "11010519491231002X"


@pytest.fixture
def db(tmp_path):
    d = make_db(tmp_path / "w.db")
    yield d
    d.dispose()


def _disabled(db, suffix="41", cats=("severely_disabled",), **extra):
    return register_resident(db, {"name": "赵淑珍", "id_number": CARD_ID, "disability_card": CARD_ID + suffix,
                                  "categories": list(cats), **extra}, today=TODAY)


def _watch(db, day=TODAY):
    with db.engine.connect() as conn:
        return benefit_watch(conn.connection.driver_connection, day)


def test_a_benefit_period_is_a_record_written_as_one_event(db):
    r = _disabled(db)
    b = record_benefit(db, r.id, "dibao", start_on="2026-03-01", end_on="2027-02-28", note=" A类 ", today=TODAY)
    assert (b.resident_id, b.kind, b.start_on, b.end_on, b.note) == (r.id, "dibao", dt.date(2026, 3, 1),
                                                                      dt.date(2027, 2, 28), "A类")
    with db.session() as s:
        events = list(s.exec(select(Event).where(Event.record_type == "benefit")))
    assert len(events) == 1 and events[0].fields["resident_id"] == r.id
    ended = end_benefit(db, b.id, "2026-12-31", today=TODAY)
    assert ended.end_on == dt.date(2026, 12, 31)
    assert [x.id for x in resident_benefits(db, r.id)] == [b.id]
    delete_benefit(db, b.id)
    assert resident_benefits(db, r.id) == []


def test_benefit_values_are_checked(db):
    r = _disabled(db)
    with pytest.raises(ValidationErrors) as e:
        record_benefit(db, r.id, "pension", today=TODAY)
    assert "kind" in e.value.by_field()
    with pytest.raises(ValidationErrors) as e:
        record_benefit(db, r.id, "dibao", start_on="2026-05-01", end_on="2026-04-30", today=TODAY)
    assert "end_on" in e.value.by_field()
    with pytest.raises(ValidationErrors) as e:
        record_benefit(db, r.id, "dibao", start_on="2027-12-01", today=TODAY)
    assert "start_on" in e.value.by_field()
    with pytest.raises(ValidationErrors):
        record_benefit(db, r.id, "dibao", start_on="1.5.2026", today=TODAY)
    with pytest.raises(UserError):
        record_benefit(db, "no-such-resident", "dibao", today=TODAY)


def test_two_periods_of_one_kind_may_not_overlap_but_may_follow_each_other(db):
    r = _disabled(db)
    first = record_benefit(db, r.id, "dibao", start_on="2025-03-01", end_on="2026-02-28", today=TODAY)
    with pytest.raises(ValidationError):
        record_benefit(db, r.id, "dibao", start_on="2026-02-01", today=TODAY)
    record_benefit(db, r.id, "dibao", start_on="2026-03-01", today=TODAY)
    record_benefit(db, r.id, "tekun", start_on="2025-03-01", today=TODAY)  # another kind: no clash
    with pytest.raises(ValidationError):
        correct_benefit(db, first.id, {"end_on": None}, today=TODAY)  # would run into the second period


def test_unclaimed_until_the_subsidy_is_recorded(db):
    r = _disabled(db, "41")  # grade 1 physical
    record_benefit(db, r.id, "dibao", start_on="2026-01-01", today=TODAY)
    watch = _watch(db)
    assert sorted(row.benefit for row in watch.unclaimed) == ["care_subsidy", "living_subsidy"]
    record_benefit(db, r.id, "care_subsidy", start_on="2025-06-01", today=TODAY)
    assert [row.benefit for row in _watch(db).unclaimed] == ["living_subsidy"]
    living = record_benefit(db, r.id, "living_subsidy", start_on="2025-06-01", today=TODAY)
    assert _watch(db).unclaimed == []
    end_benefit(db, living.id, "2026-10-31", today=TODAY)  # stopped: eligible again, not receiving
    assert [row.benefit for row in _watch(db).unclaimed] == ["living_subsidy"]


def test_a_closed_case_is_not_listed(db):
    from storage.register.residents import close_case

    r = _disabled(db, "41")
    assert _watch(db).unclaimed
    close_case(db, r.id, "moved_away", closed_on=TODAY, today=TODAY)
    assert _watch(db).unclaimed == []


def test_ending_within_30_days_unless_renewed(db):
    r = _disabled(db, "43", cats=("solitary_elder",))
    b = record_benefit(db, r.id, "dibao", start_on="2026-01-01", end_on="2026-12-24", today=TODAY)
    record_benefit(db, r.id, "temporary_assistance", start_on="2026-11-01", end_on="2026-12-25", today=TODAY)
    assert [(row.benefit, row.end_on) for row in _watch(db).ending] == [("dibao", dt.date(2026, 12, 24))]
    assert _watch(db, TODAY - dt.timedelta(days=1)).ending == []  # 31 days ahead
    assert [row.benefit for row in _watch(db, TODAY + dt.timedelta(days=1)).ending] == ["dibao", "temporary_assistance"]
    assert [row.benefit for row in _watch(db, dt.date(2026, 12, 25)).ending] == ["temporary_assistance"]
    record_benefit(db, r.id, "dibao", start_on="2026-12-25", end_on="2027-12-24", today=TODAY)  # renewed
    assert [row.benefit for row in _watch(db).ending] == []
    assert b.id


def test_paired_helper_and_the_unpaired_list(db):
    child = register_resident(db, {"name": "张小明", "birth_date": dt.date(2016, 3, 5), "categories": ["left_behind_child"],
                                   "father_status": "away", "mother_status": "away"}, today=TODAY)
    elder = register_resident(db, {"name": "王桂英", "birth_date": dt.date(1941, 1, 20), "categories": ["empty_nest_elder"]},
                              today=TODAY)
    assert [row.resident_id for row in _watch(db).unpaired] == [child.id]  # empty-nest elders are not on the list
    paired = set_paired_helper(db, child.id, " 李\u3000老师 ", "138 0000 1234", " 新市镇 中心小学", "2026-09-01",
                               today=TODAY)
    assert (paired.helper_name, paired.helper_phone, paired.helper_unit, paired.helper_since) == (
        "李老师", "13800001234", "新市镇 中心小学", dt.date(2026, 9, 1))  # a name as names are stored
    assert _watch(db).unpaired == []
    end_pairing(db, child.id, today=TODAY)
    assert [row.resident_id for row in _watch(db).unpaired] == [child.id]
    with pytest.raises(ValidationErrors) as e:
        update_resident(db, child.id, {"helper_phone": "13800001234"}, today=TODAY)
    assert "helper_name" in e.value.by_field()
    with pytest.raises(ValidationErrors) as e:
        update_resident(db, child.id, {"helper_name": "李", "helper_since": "2027-01-01"}, today=TODAY)
    assert "helper_since" in e.value.by_field()
    assert elder.id


def test_home_lists_benefits_and_unpaired_for_worker_and_township(tmp_path, db):
    r = _disabled(db, "41")
    child = register_resident(db, {"name": "单丽", "birth_date": dt.date(2012, 7, 9), "categories": ["child_in_difficulty"]},
                              today=TODAY)
    data = home_data(db, TODAY)
    assert [(row.resident_id, row.benefit) for row in data.benefits] == [(r.id, "care_subsidy")]
    assert [row.resident_id for row in data.unpaired] == [child.id]
    assert data.counts["benefits"] == 1 and data.counts["unpaired"] == 1


def test_advanced_age_is_derived_shown_and_counted(db):
    old = register_resident(db, {"name": "王桂英", "birth_date": dt.date(1946, 11, 25), "categories": ["solitary_elder"]},
                            today=TODAY)
    # 80 tomorrow: not yet counted today
    data = home_data(db, TODAY)
    assert [p.key for p in data.by_category] == ["solitary_elder"]
    data = home_data(db, dt.date(2026, 11, 25))
    assert [p.key for p in data.by_category] == ["solitary_elder", "advanced_age"]
    assert "advanced_age" not in old.categories  # never stored


def test_an_elder_of_80_needs_no_category_ticked(db):
    r = register_resident(db, {"name": "李奶奶", "birth_date": dt.date(1940, 1, 1), "categories": []}, today=TODAY)
    assert r.categories == []
    assert [p.key for p in home_data(db, TODAY).by_category] == ["advanced_age"]
    with pytest.raises(ValidationErrors):
        register_resident(db, {"name": "李大爷", "birth_date": dt.date(1950, 1, 1), "categories": []}, today=TODAY)


def test_born_by_agrees_with_age_on_every_day_of_a_leap_cycle():
    """The text comparison the lists and the register filter use (born after X: a child; born by Y: 80+)."""
    from storage.register.policy import age_on, born_by

    for i in range(4 * 366):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i)
        for years in (18, 80):
            b = born_by(day, years)
            assert age_on(b, day) >= years and age_on(b + dt.timedelta(days=1), day) < years, (day, years)

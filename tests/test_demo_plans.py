"""The demo's benefits and paired helpers (issue #15) in believable proportions."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlmodel import select

from storage.core.db import open_database
from storage.core.models import Benefit, Resident
from storage.demo.build import generate
from storage.register import eligibility
from storage.register.benefit_lists import benefit_watch
from storage.register.periods import Period
from storage.register.policy import age_on

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("plans") / "g.db")
    generate(db, seed=3, today=TODAY)
    with db.session() as s:
        residents = [r for r in s.exec(select(Resident)) if r.status == "active"]
        benefits = list(s.exec(select(Benefit)))
    with db.engine.connect() as conn:
        watch = benefit_watch(conn.connection.driver_connection, TODAY)
    yield db, residents, benefits, watch
    db.dispose()


def _periods(benefits) -> dict[str, list[Period]]:
    out: dict[str, list[Period]] = {}
    for b in benefits:
        out.setdefault(b.resident_id, []).append(Period(b.kind, b.start_on, b.end_on))
    return out


def test_most_who_are_eligible_are_recorded_as_receiving_some_are_not(demo):
    _db, residents, benefits, watch = demo
    periods = _periods(benefits)
    eligible = 0
    for r in residents:
        f = eligibility.facts(age_on(r.birth_date, TODAY), r.categories, r.disability_category, r.disability_grade,
                              r.flags, periods.get(r.id, []), TODAY)
        eligible += len(eligibility.hints(f))
    unclaimed = len(watch.unclaimed)
    assert eligible >= 40
    assert 0.05 * eligible <= unclaimed <= 0.30 * eligible
    assert {row.benefit for row in watch.unclaimed} <= {"care_subsidy", "living_subsidy", "child_allowance"}


def test_statuses_are_dated_and_in_proportion(demo):
    _db, residents, benefits, _watch = demo
    kinds = Counter(b.kind for b in benefits)
    n = len(residents)
    assert 0.08 * n <= kinds["dibao"] <= 0.30 * n
    assert kinds["tekun"] >= 3 and kinds["temporary_assistance"] >= 1 and kinds["dibao_edge"] >= 1
    dated = [b for b in benefits if b.kind == "dibao" and b.start_on]
    assert len(dated) >= 0.85 * kinds["dibao"]
    assert all(b.end_on is None or b.start_on is None or b.end_on >= b.start_on for b in benefits)
    assert all(b.start_on is None or b.start_on <= TODAY for b in benefits)


def test_most_children_in_difficulty_are_paired_some_are_not(demo):
    _db, residents, _benefits, watch = demo
    children = [r for r in residents if "child_in_difficulty" in r.categories or "left_behind_child" in r.categories]
    paired = [r for r in children if r.helper_name]
    assert 0.75 * len(children) <= len(paired) < len(children)
    assert all(r.helper_phone and r.helper_unit and r.helper_since for r in paired)
    unpaired_ids = {row.resident_id for row in watch.unpaired}
    assert {r.id for r in children if not r.helper_name} <= unpaired_ids
    assert all(not r.helper_name for r in residents if r.id in unpaired_ids)


def test_the_demo_asks_none_of_the_forms_questions_about_its_children(demo):
    """Every demo child in difficulty has a situation (困境类型): the form would ask about one without."""
    from storage.register.category_rules import category_questions

    _db, residents, _benefits, _watch = demo
    children = [r for r in residents if "child_in_difficulty" in r.categories]
    assert children and [r.name for r in children if category_questions(r.model_dump())] == []

"""The six-dimension assessment: all six graded, written with its visit or registration, trend and review rule."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from storage.core.errors import ValidationErrors
from storage.core.i18n import set_language
from storage.core.models import Assessment, Visit
from storage.register.assessments import (
    DIMENSIONS,
    assess_resident,
    ordered_history,
    review_reasons,
    trend,
    worsened,
)
from storage.register.residents import register_resident
from storage.register.visits import log_visit
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)
ALL_NONE = {d: "none" for d in DIMENSIONS}


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "w.db")


def _elder(db, **kw):
    return register_resident(db, {"name": "王桂英", "categories": ["solitary_elder"], "birth_date": dt.date(1941, 1, 20),
                                  "registered_on": dt.date(2026, 1, 10)}, today=TODAY, **kw)


def _assessments(db):
    with db.session() as s:
        return list(s.execute(select(Assessment)).scalars())


def test_the_six_dimensions_are_the_plans_words_in_the_plans_order():
    set_language("zh_CN")
    from storage.core.i18n import _

    assert [_(v) for v in DIMENSIONS.values()] == ["经济", "健康", "教育", "居住", "就业", "社会参与"]


def test_registration_with_an_assessment_writes_it_dated_the_day_it_is_made(db):
    """Not the registration date (10 January here), which may lie months back: the assessment is of the person now."""
    r = _elder(db, assessment=({**ALL_NONE, "education": "na", "health": "moderate"}, {"health": "  高血压 \n 控制一般 "}))
    [a] = _assessments(db)
    assert (a.resident_id, a.visit_id, a.assessed_on) == (r.id, None, TODAY)
    assert (a.health, a.education, a.economy) == ("moderate", "na", "none")
    assert a.notes == {"health": "高血压 控制一般"} and a.assessor == "王网格"


def test_a_dimension_left_out_is_an_error_naming_it_and_nothing_is_written(db):
    grades = dict(ALL_NONE)
    del grades["social"]
    with pytest.raises(ValidationErrors) as info:
        _elder(db, assessment=(grades, {}))
    fields = info.value.by_field()
    assert set(fields) == {"assess_social"} and "Social participation" in fields["assess_social"]
    with db.session() as s:
        assert s.execute(select(Assessment)).first() is None
        from storage.core.models import Resident

        assert s.execute(select(Resident)).first() is None  # the resident waits for a whole assessment


def test_a_visit_and_its_assessment_are_one_transaction(db):
    r = _elder(db)
    bad = {**ALL_NONE, "housing": "dreadful"}
    with pytest.raises(ValidationErrors) as info:
        log_visit(db, r.id, {"visit_date": TODAY, "notes": "x"}, assessment=(bad, {}), today=TODAY)
    assert set(info.value.by_field()) == {"assess_housing"}
    with db.session() as s:
        assert s.execute(select(Visit)).first() is None  # the refused assessment left no visit behind
    v = log_visit(db, r.id, {"visit_date": TODAY - dt.timedelta(days=2)}, assessment=(ALL_NONE, {}), today=TODAY)
    [a] = _assessments(db)
    assert (a.visit_id, a.assessed_on) == (v.id, v.visit_date)


def test_a_visit_error_and_an_assessment_error_are_reported_together(db):
    r = _elder(db)
    with pytest.raises(ValidationErrors) as info:
        log_visit(db, r.id, {"visit_date": TODAY + dt.timedelta(days=3)}, assessment=({}, {}), today=TODAY)
    fields = info.value.by_field()
    assert "visit_date" in fields and {f"assess_{d}" for d in DIMENSIONS} <= set(fields)
    assert "assessed_on" not in fields  # the visit date's error says it once


def test_history_is_newest_first_with_two_on_one_day_in_the_order_they_were_made(db):
    day = dt.date(2026, 1, 10)  # registered and assessed that day, then visited and assessed again the same day
    r = register_resident(db, {"name": "王桂英", "categories": ["solitary_elder"], "birth_date": dt.date(1941, 1, 20)},
                          today=day, assessment=(ALL_NONE, {}))
    log_visit(db, r.id, {"visit_date": day}, assessment=({**ALL_NONE, "economy": "mild"}, {}), today=day)
    assess_resident(db, r.id, {**ALL_NONE, "economy": "severe"}, assessed_on=dt.date(2026, 6, 1), today=TODAY)
    with db.session() as s:
        history = ordered_history(s, [r.id])
    assert [a.economy for a in history] == ["severe", "mild", "none"]
    assert trend(history, "economy") == ["none", "mild", "severe"]


def test_worsened_compares_each_dimension_with_the_previous_and_skips_not_applicable():
    before = {**ALL_NONE, "education": "na", "health": "moderate"}
    after = {**ALL_NONE, "education": "severe", "health": "mild", "economy": "moderate"}
    assert [(w.dimension, w.before, w.after) for w in worsened(after, before)] == [("economy", "none", "moderate")]
    assert worsened(after, None) == []


@pytest.mark.parametrize("before, after, risk, expected", [
    ("none", "moderate", "low", ["economy"]),  # two steps
    ("none", "mild", "low", []),  # one step
    ("mild", "severe", "medium", ["economy"]),  # two steps, and reached severe
    ("moderate", "severe", "low", ["economy"]),  # reached severe
    ("severe", "severe", "low", []),  # still severe: already suggested when it got there
    (None, "severe", "low", ["economy"]),  # severe at the first assessment
    ("none", "moderate", "high", []),  # the risk is already high
    ("none", "severe", "emergency", []),
    ("na", "severe", "low", ["economy"]),
    ("none", "na", "low", []),
])
def test_the_risk_review_rule(before, after, risk, expected):
    latest = {**ALL_NONE, "economy": after}
    history = [latest] + ([{**ALL_NONE, "economy": before}] if before else [])
    assert [w.dimension for w in review_reasons(history, risk)] == expected


def test_assessment_on_a_deleted_or_unknown_resident_is_refused(db):
    from storage.core.errors import UserError

    with pytest.raises(UserError):
        assess_resident(db, "nobody", ALL_NONE, today=TODAY)


def test_a_clashing_grade_is_decided_by_code_or_by_its_name(tmp_path):
    from storage.core.errors import ValidationError
    from storage.sync.conflicts import _typed

    db = make_db(tmp_path / "w.db")
    a = assess_resident(db, _elder(db).id, ALL_NONE, today=TODAY)
    with db.session() as s:
        assert _typed(s, "assessment", a.id, "economy", "Severe", TODAY) == {"economy": "severe"}
        assert _typed(s, "assessment", a.id, "economy", "mild", TODAY) == {"economy": "mild"}
        with pytest.raises(ValidationError, match="Choose one of"):
            _typed(s, "assessment", a.id, "economy", "awful", TODAY)
    set_language("zh_CN")
    with db.session() as s:
        assert _typed(s, "assessment", a.id, "health", "重度", TODAY) == {"health": "severe"}


def test_the_new_records_and_fields_follow_the_one_no_value_rule():
    from storage.core.schema import RECORD_LABELS, clean, record_spec

    assert {"assessment", "emergency_ack"} <= set(RECORD_LABELS)
    assert clean("assessment", {"visit_id": "", "economy": " ", "notes": None, "assessor": None}) == {
        "visit_id": None, "economy": None, "notes": {}, "assessor": ""}
    assert clean("referral", {"level": "", "department": None, "due_on": ""}) == {
        "level": None, "department": "", "due_on": None}
    assert clean("emergency_ack", {"note": None, "acknowledged_at": None}) == {"note": "", "acknowledged_at": ""}
    spec = record_spec("assessment")
    assert {spec[d].kind for d in DIMENSIONS} == {"text"} and spec["notes"].kind == "dict"


def test_what_the_visit_form_hands_to_log_visit():
    from screens.visit_form import assessment_of, visit_fields

    base = {k: None for k in ("visit_date", "method", "visitor", "met_with", "contact_made", "observations", "hazards",
                              "needs", "services", "risk_after", "mandatory_report", "next_visit_on", "notes")}
    values = {**base, "referral_agency": "police", "referral_reason": "走失", "referral_level": "county",
              "referral_department": "县公安局", "referral_due": "2026-12-01",
              "assessment_grades": {}, "assessment_notes": {"health": "  "}}
    fields, referral = visit_fields(values)
    assert referral == ("police", "走失", "county", "县公安局", "2026-12-01") and set(fields) == set(base)
    assert assessment_of(values) is None  # nothing graded, a blank note: no assessment
    assert assessment_of({**values, "assessment_grades": {"economy": "mild"}}) == ({"economy": "mild"}, {"health": "  "})
    assert visit_fields({**values, "referral_agency": None, "referral_reason": ""})[1] is None


def test_a_registration_dated_back_dates_neither_its_risk_nor_its_assessment(db):
    """Registered as of 1 October (cared for since), entered on 24 November as high risk with an assessment: both are
    of the person as the worker finds them on the 24th, not in October (the risk's interval runs from its finding)."""
    from storage.core.models import RiskAssessment

    r = register_resident(db, {"name": "王桂英", "categories": ["solitary_elder"], "birth_date": dt.date(1941, 1, 20),
                               "registered_on": dt.date(2026, 10, 1)}, risk_level="high", today=TODAY,
                          assessment=(ALL_NONE, {}))
    assert r.registered_on == dt.date(2026, 10, 1)
    [a] = _assessments(db)
    with db.session() as s:
        [risk] = list(s.execute(select(RiskAssessment)).scalars())
    assert a.assessed_on == risk.assessed_on == TODAY

"""The one date parser behind every date field (storage/core/dates.py): the forms people type."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.dates import DateProblem, parse_field_date, parse_typed_date
from storage.core.i18n import set_language

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("en")


@pytest.mark.parametrize("text", ["2026-11-30", "2026/11/30", "2026.11.30", "2026年11月30日", "20261130",
                                  "２０２６／１１／３０", " 2026 - 11 - 30 ", "2026 11 30", "2026年11月30号"])
def test_full_dates(text):
    assert parse_typed_date(text, TODAY) == dt.date(2026, 11, 30)


@pytest.mark.parametrize("text", ["11-30", "11.30", "11/30", "11月30日", "１１－３０"])
def test_month_and_day_in_the_past_for_a_visit(text):
    assert parse_field_date("visit_date", text, TODAY) == dt.date(2026, 11, 30)


def test_a_day_alone_is_this_month_or_the_last_day_of_that_number_before_today():
    # typed on 15 December: "30" is a visit date, so the 30th before today: 30 November
    assert parse_field_date("visit_date", "30", dt.date(2026, 12, 15)) == dt.date(2026, 11, 30)
    assert parse_field_date("visit_date", "3", dt.date(2026, 12, 15)) == dt.date(2026, 12, 3)
    assert parse_field_date("visit_date", "30日", dt.date(2026, 12, 31)) == dt.date(2026, 12, 30)
    # a field that looks nowhere in particular: this month
    assert parse_typed_date("30", dt.date(2026, 11, 2)) == dt.date(2026, 11, 30)


def test_next_visit_looks_forward_across_the_new_year():
    assert parse_field_date("next_visit_on", "1-5", dt.date(2026, 12, 20)) == dt.date(2027, 1, 5)
    assert parse_field_date("next_visit_on", "5", dt.date(2026, 12, 20)) == dt.date(2027, 1, 5)
    assert parse_field_date("next_visit_on", "28", dt.date(2026, 12, 20)) == dt.date(2026, 12, 28)


def test_visit_date_looks_back_across_the_new_year():
    assert parse_field_date("visit_date", "12-30", dt.date(2027, 1, 2)) == dt.date(2026, 12, 30)


def test_words_for_today():
    assert parse_typed_date("今天", TODAY) == TODAY
    assert parse_typed_date("昨天", TODAY) == dt.date(2026, 11, 30)


def test_empty_is_no_value():
    assert parse_typed_date("  ", TODAY) is None
    assert parse_typed_date(None, TODAY) is None


@pytest.mark.parametrize("text, words", [
    ("2026-13-01", "没有13月"),
    ("2026-02-30", "2026年2月没有30日"),
    ("2-30", "2月没有30日"),
    ("45", "没有45日"),
    ("昨天下午", "看不懂"),
    ("1130", "看不懂"),
])
def test_problems_in_words(text, words):
    with pytest.raises(DateProblem) as caught:
        parse_field_date("visit_date", text, TODAY)
    assert words in caught.value.message


def test_birth_date_needs_its_year():
    assert parse_field_date("birth_date", "1949.12.31", TODAY) == dt.date(1949, 12, 31)
    with pytest.raises(DateProblem) as caught:
        parse_field_date("birth_date", "12-31", TODAY)
    assert "年份" in caught.value.message


def test_the_newer_date_fields_take_dates_as_people_type_them():
    """A subsidy's period, a pairing's start and a referral's deadline go through the same parser."""
    from storage.core.errors import ValidationError, ValidationErrors
    from storage.register.benefits import validate_benefit
    from storage.register.pairing import check_helper
    from storage.register.referrals import check_follow_up

    today = dt.date(2026, 12, 1)
    period = validate_benefit({"kind": "dibao", "start_on": "2024/3/1", "end_on": "2026年11月30日"}, today)
    assert (period["start_on"], period["end_on"]) == (dt.date(2024, 3, 1), dt.date(2026, 11, 30))
    data = {"helper_name": "李四", "helper_since": "6月1日"}
    assert check_helper(data, {}, today) == [] and data["helper_since"] == dt.date(2026, 6, 1)
    assert check_follow_up(None, "", "12-15", today)["due_on"] == dt.date(2026, 12, 15)
    with pytest.raises((ValidationError, ValidationErrors)) as problem:
        validate_benefit({"kind": "dibao", "start_on": "2024/13/1"}, today)
    assert "13" in str(problem.value)


@pytest.mark.parametrize("text", ["2019-05", "2019-5", "2019/05", "2019.5", "2019年5月", "2019年05月", "201905",
                                  "２０１９年５月", " 2019 - 05 "])
def test_a_year_and_month_alone_is_the_first_day_of_that_month_where_a_start_is_asked(text):
    # a 两项补贴 certificate gives the month the subsidy began; the roster import reads such a month so too
    assert parse_field_date("start_on", text, TODAY) == dt.date(2019, 5, 1)
    assert parse_field_date("helper_since", text, TODAY) == dt.date(2019, 5, 1)


@pytest.mark.parametrize("field", ["visit_date", "end_on", "next_visit_on", "birth_date"])
def test_a_year_and_month_alone_is_refused_where_the_day_matters_saying_so(field):
    with pytest.raises(DateProblem) as problem:
        parse_field_date(field, "2019-05", TODAY)
    assert problem.value.message == "2019-05只有年和月：请把日也写上。"


def test_a_month_that_is_none_is_refused_as_such_in_a_year_and_month():
    with pytest.raises(DateProblem) as problem:
        parse_field_date("start_on", "2019-13", TODAY)
    assert problem.value.message == "没有13月：月份是 1 到 12。"

"""两项补贴 and the child allowance: each rule of storage/register/eligibility.py with card examples.

Cards are second-generation disability cards (ID number + category digit + grade digit), read by
the register's own parser, so a test also shows that what the card says reaches the rules.
Expected subsidies are written out per example from the plans' sentences, not computed.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.register.eligibility import RULES, facts, hints, unclaimed
from storage.register.idnumbers import parse_disability_card
from storage.register.periods import Period

DAY = dt.date(2026, 11, 24)
ADULT_ID = "11010519491231002X"  # GB 11643's public example: born 1949
CHILD_ID = "110105201503070013"  # born 2015-03-07 (check digit computed by the register's rule)

CARE, LIVING, CHILD = "care_subsidy", "living_subsidy", "child_allowance"

TODAY = dt.date(2026, 11, 24)  # the app's day the numbers are read on


def _card_facts(card: str | None, *, dibao: bool, age: int, categories=(), flags=(), periods=()):
    cat = grade = None
    if card:
        parsed = parse_disability_card(card, card[:18], today=TODAY)
        cat, grade = parsed.category, parsed.grade
    ps = list(periods) + ([Period("dibao", dt.date(2026, 1, 1), None)] if dibao else [])
    return facts(age, categories, cat, grade, flags, ps, DAY)


def _benefits(f) -> set[str]:
    return {h.benefit for h in hints(f)}


def test_the_child_id_used_here_is_valid():
    from storage.register.idnumbers import parse_id_number

    assert parse_id_number(CHILD_ID, today=TODAY).birth_date == dt.date(2015, 3, 7)


# (card suffix: category digit + grade digit, 低保, expected for an adult of 76)
ADULT_CARDS = [
    # grade 1 and 2, any kind: care subsidy; with 低保 the living subsidy too
    ("11", False, {CARE}), ("11", True, {CARE, LIVING}),
    ("42", False, {CARE}), ("42", True, {CARE, LIVING}),
    ("51", False, {CARE}), ("62", True, {CARE, LIVING}), ("72", False, {CARE}),
    # grade 3 and 4, not intellectual or mental: only with 低保 (the national rule)
    ("13", False, set()), ("13", True, {LIVING}),
    ("24", False, set()), ("34", True, {LIVING}), ("43", False, set()), ("44", True, {LIVING}),
    ("73", False, set()), ("74", True, {LIVING}),
    # grade 3 and 4 intellectual (5) or mental (6): the living subsidy outside 低保 too (泰州's extension)
    ("53", False, {LIVING}), ("54", False, {LIVING}), ("63", False, {LIVING}), ("64", False, {LIVING}),
    ("53", True, {LIVING}), ("64", True, {LIVING}),
]


@pytest.mark.parametrize("suffix, dibao, expected", ADULT_CARDS)
def test_two_subsidies_grade_by_grade_with_and_without_dibao(suffix, dibao, expected):
    assert _benefits(_card_facts(ADULT_ID + suffix, dibao=dibao, age=76)) == expected


def test_which_rule_gives_the_living_subsidy_is_named():
    inside = hints(_card_facts(ADULT_ID + "53", dibao=True, age=76))
    outside = hints(_card_facts(ADULT_ID + "53", dibao=False, age=76))
    assert [h.rules for h in inside] == [("living_dibao",)]
    assert [h.rules for h in outside] == [("living_3_4_intellectual_mental",)]


# children (11 years old on DAY): the child allowance for severe disability, serious illness, 低保
CHILD_CASES = [
    ("41", False, (), {CARE, CHILD}),  # severely disabled child: care subsidy and child allowance
    ("52", True, (), {CARE, LIVING, CHILD}),
    ("43", False, (), set()),  # grade 3 physical, no 低保: nothing
    ("43", True, (), {LIVING, CHILD}),  # in a 低保 family
    ("63", False, (), {LIVING}),  # grade 3 mental outside 低保: living subsidy, no child allowance
    (None, True, ("child_in_difficulty",), {CHILD}),  # a child in a 低保 family, no disability
    (None, False, ("seriously_ill",), {CHILD}),  # a seriously ill child
    (None, False, ("left_behind_child",), set()),
]


@pytest.mark.parametrize("suffix, dibao, categories, expected", CHILD_CASES)
def test_child_allowance_category_by_category(suffix, dibao, categories, expected):
    card = CHILD_ID + suffix if suffix else None
    assert _benefits(_card_facts(card, dibao=dibao, age=11, categories=categories)) == expected


def test_an_adult_seriously_ill_or_in_dibao_gets_no_child_allowance():
    assert _benefits(_card_facts(None, dibao=True, age=45, categories=("seriously_ill",))) == set()
    assert _benefits(_card_facts(None, dibao=True, age=18, categories=("seriously_ill",))) == set()
    assert _benefits(_card_facts(None, dibao=True, age=17, categories=("seriously_ill",))) == {CHILD}


def test_the_categories_count_where_there_is_no_card():
    # registered as severely disabled (grade 1-2 by definition) or grade 3-4 intellectual/mental, card not typed in
    assert _benefits(_card_facts(None, dibao=False, age=50, categories=("severely_disabled",))) == {CARE}
    assert _benefits(_card_facts(None, dibao=False, age=50, categories=("disabled_3_4_intellectual_mental",))) == {LIVING}
    # no birth date: a child category says it is a child
    f = facts(None, ("child_in_difficulty",), None, None, (), [Period("dibao", None, None)], DAY)
    assert _benefits(f) == {CHILD}


def test_no_disability_no_subsidy_whatever_the_family():
    for cats in (("solitary_elder",), ("left_behind_woman",), ("empty_nest_elder",), ("seriously_ill",)):
        assert _benefits(_card_facts(None, dibao=True, age=70, categories=cats)) == set()


def test_dibao_is_a_current_period_or_the_old_flag():
    expired = Period("dibao", dt.date(2024, 1, 1), dt.date(2026, 10, 31))
    future = Period("dibao", dt.date(2026, 12, 1), None)
    unknown_start = Period("dibao", None, dt.date(2026, 11, 24))  # ends today: still in force today
    card = ADULT_ID + "43"
    assert _benefits(_card_facts(card, dibao=False, age=76, periods=[expired])) == set()
    assert _benefits(_card_facts(card, dibao=False, age=76, periods=[future])) == set()
    assert _benefits(_card_facts(card, dibao=False, age=76, periods=[unknown_start])) == {LIVING}
    assert _benefits(_card_facts(card, dibao=False, age=76, flags=("dibao",))) == {LIVING}
    # 特困 or 低保边缘 is not 低保
    for kind in ("tekun", "dibao_edge", "low_income"):
        assert _benefits(_card_facts(card, dibao=False, age=76, periods=[Period(kind, None, None)])) == set()


def test_unclaimed_is_eligible_and_not_recorded_as_receiving_on_the_day():
    f = _card_facts(ADULT_ID + "41", dibao=True, age=76)
    assert {h.benefit for h in unclaimed(f, [], DAY)} == {CARE, LIVING}
    receiving = [Period(CARE, dt.date(2020, 5, 1), None)]
    assert {h.benefit for h in unclaimed(f, receiving, DAY)} == {LIVING}
    stopped = [Period(CARE, dt.date(2020, 5, 1), dt.date(2026, 6, 30)), Period(LIVING, None, None)]
    assert {h.benefit for h in unclaimed(f, stopped, DAY)} == {CARE}
    not_yet = [Period(CARE, dt.date(2026, 12, 1), None), Period(LIVING, None, None)]
    assert {h.benefit for h in unclaimed(f, not_yet, DAY)} == {CARE}


def test_every_rule_names_a_subsidy_and_a_reason():
    from storage.register.categories import SUBSIDY_KINDS

    assert len({r.code for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.benefit in SUBSIDY_KINDS and rule.why

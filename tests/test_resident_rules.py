"""validate_resident's rules: each a function of the fields it is given, returning what it normalised and its errors."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from storage.register import resident_rules as rules

TODAY = dt.date(2026, 11, 15)
CTX = rules.Context(TODAY, None)
GIVEN = {"name": " 张  三 ", "id_number": "11010519491231002x", "birth_date": "1949-12-31", "sex": None,
         "phone": "138 0000 0000", "categories": ["solitary_elder", "solitary_elder"], "flags": [],
         "visit_frequency_days": "30", "disability_card": ""}


def test_no_rule_changes_the_fields_it_is_given():
    frozen = MappingProxyType(dict(GIVEN))  # a rule that assigned into it would raise TypeError
    for rule in rules.RULES:
        assert isinstance(rule(frozen, CTX), rules.Checked), rule.__name__
    assert dict(frozen) == GIVEN


def test_the_id_number_fills_what_was_left_empty_and_must_agree_with_the_rest():
    out = rules.id_number({"id_number": "11010519491231002x", "sex": None}, CTX)
    assert out.fields == {"id_number": "11010519491231002X", "birth_date": dt.date(1949, 12, 31), "sex": "F"}
    assert out.errors == []
    clash = rules.id_number({"id_number": "11010519491231002X", "birth_date": dt.date(1950, 1, 1), "sex": "M"}, CTX)
    assert sorted(e.field for e in clash.errors) == ["birth_date", "sex"]


def test_rules_run_in_order_and_every_problem_is_kept():
    fields, errors = rules.check({**GIVEN, "birth_date": "1949-12-31"}, CTX)
    assert errors == []
    assert fields["name"] == "张三" and fields["categories"] == ["solitary_elder"] and fields["visit_frequency_days"] == 30
    assert fields["disability_card"] is None and fields["sex"] == "F"
    _fields, errors = rules.check({"name": "", "visit_frequency_days": "0", "categories": []}, CTX)
    assert sorted(e.field for e in errors) == ["categories", "name", "visit_frequency_days"]

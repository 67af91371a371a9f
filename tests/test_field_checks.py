"""The value checks compiled per field (storage/core/field_checks.py) give field_problem's answer, always.

The merge judges every value with the compiled checks; field_problem is the rules as written. For
every field of every record type, values drawn from what the field may hold and from what it may
not (other types, unknown codes, bounds and one past them, whitespace, long text, repeated list
items, deep objects, text no database stores: NUL and lone surrogates, alone, inside a code, a list's item,
an object's key or value) are judged by both, twice (the second answer may come from the checks' memory).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import strategies as st

from storage.core.field_checks import MEMO_SIZE, MEMO_TEXT, checker
from storage.core.models import RECORD_TABLES
from storage.core.schema import DATE_HIGH, DATE_LOW, TEXT_MAX, FieldSpec, clean, field_problem, fields_problem
from storage.register.field_rules import checked_spec
from storage.register.idnumbers import fake_id_number
from tests.profiles import given_case, quick_and_slow

FIELDS = [spec for rtype in sorted(RECORD_TABLES) for spec in checked_spec(rtype).values() if spec.writable]
# any character, lone surrogates included (st.text leaves them out), and NUL often
UNSTORABLE = st.text(st.one_of(st.sampled_from("\x00\ud800\udbff\udc00\udfff"),
                               st.characters(exclude_categories=())), min_size=1, max_size=8)


def _spoilt(texts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A text of `texts` with NUL or a lone surrogate put in somewhere (a good code, date or name spoilt)."""
    return st.tuples(texts, st.sampled_from("\x00\ud800\udfff"), st.integers(0, 40)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2]:])


def _texts(spec: FieldSpec) -> st.SearchStrategy[str]:
    limit = spec.max_len or TEXT_MAX
    days = st.dates(DATE_LOW - dt.timedelta(days=2), DATE_HIGH + dt.timedelta(days=2))
    options: list[st.SearchStrategy[str]] = [
        st.text(max_size=12), st.sampled_from(["", " ", "\u3000", "a/b", "..", "x" * limit, "x" * (limit + 1)]),
        days.map(dt.date.isoformat), days.map(lambda d: f"{d.isoformat()}T08:30:00+08:00"),
        st.builds(fake_id_number, st.randoms(use_true_random=False), st.dates(dt.date(1900, 1, 1), dt.date(2020, 1, 1)),
                  st.sampled_from("MF"), st.just("330521")),
    ]
    if spec.choices:
        options.append(st.sampled_from(sorted(map(str, spec.choices))))
    return st.one_of(*options, UNSTORABLE, _spoilt(st.one_of(options)))


def values(spec: FieldSpec) -> st.SearchStrategy[Any]:
    text = _texts(spec)
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.floats(allow_nan=False), text,
                        st.sampled_from([0, 1, -1, spec.low, spec.high] if isinstance(spec.low, int) else [0, 1]))
    codes = st.sampled_from(sorted(map(str, spec.choices))) if spec.choices else st.text(max_size=70)
    codes = st.one_of(codes, _spoilt(codes))
    return st.one_of(
        scalars,
        st.lists(st.one_of(codes, st.integers(), st.none()), max_size=6),
        st.lists(codes, max_size=3).map(lambda items: items + items[:1]),  # an item listed twice
        st.dictionaries(codes, st.one_of(st.none(), st.booleans(), st.integers(), text), max_size=4),
        st.recursive(st.none(), lambda inner: st.lists(inner, max_size=2), max_leaves=4),
    )


@st.composite
def field_and_value(draw) -> tuple[FieldSpec, Any]:
    spec = draw(st.sampled_from(FIELDS))
    return spec, draw(values(spec))


def _agree_case(case: tuple[FieldSpec, Any]) -> None:
    spec, value = case
    check = checker(spec)
    expected = field_problem(spec, value)
    assert check(value) == expected, (spec.name, value)
    assert check(value) == expected, (spec.name, value)  # again: answered from memory this time, if remembered


test_the_compiled_checks_answer_as_field_problem, test_the_compiled_checks_at_scale = quick_and_slow(
    "values", given_case(field_and_value(), _agree_case))


@pytest.mark.parametrize("spec", FIELDS, ids=lambda s: s.name)
def test_every_field_is_judged_alike_on_values_of_every_kind(spec):
    """Each field at least once, with what other fields hold: a specialised check must not judge by the wrong kind."""
    check = checker(spec)
    limit = spec.max_len or TEXT_MAX
    for other in FIELDS[:: max(1, len(FIELDS) // 40)]:
        for value in (None, "", " ", True, False, 0, 2**63, 1.5, [], {}, ["x", "x"], ["x"], {"a": 1}, "1945-03-03",
                      "z" * limit, "z" * (limit + 1), ["z" * 65], {"a": "z" * (TEXT_MAX + 1)},
                      "\x00", "a\ud800", "1945-03-03\x00", ["x\x00"], {"a\x00": 1}, {"a": "\udfff"}, [{"a": ["\x00"]}],
                      other.empty(), "y" * MEMO_TEXT, "y" * (MEMO_TEXT + 1), *sorted(map(str, other.choices or ()))[:3]):
            assert check(value) == field_problem(spec, value), (spec.name, value)


def test_the_memory_of_a_check_is_bounded_and_keeps_answering_right():
    """A hostile bundle's endless distinct codes neither grow the memory past its size nor change an answer."""
    spec = checked_spec("visit")["method"]
    check = checker(spec)
    good = sorted(spec.choices or ())[0]
    assert check(good) is None
    for n in range(MEMO_SIZE + 50):
        assert check(f"code{n}") == "unknown_code"
    assert check(good) is None and check("code1") == "unknown_code" and check(f"code{MEMO_SIZE + 10}") == "unknown_code"
    memo = next(c.cell_contents for c in check.__closure__ or () if isinstance(c.cell_contents, dict))
    assert len(memo) == MEMO_SIZE


def test_fields_problem_judges_fields_cleaned_or_not_alike():
    """The merge hands the checks fields it cleaned once (cleaned=True) and folds those: the same verdicts."""
    specs = checked_spec("resident")
    def verdict(problem):
        return None if problem is None else (problem.record_type, problem.field, problem.reason)

    for fields in ({"name": "  ", "sex": "", "phone": None}, {"name": "王五", "sex": "x"}, {"nope": 1},
                   {"id_rev": "1"}, {"birth_date": " "}, {"categories": ["solitary_elder", "solitary_elder"]}):
        assert (verdict(fields_problem("resident", clean("resident", fields), specs, cleaned=True))
                == verdict(fields_problem("resident", fields, specs))), fields

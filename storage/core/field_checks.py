"""`schema.field_problem` compiled once per field: the value checks of a merge's hot path.

A township merge checks some 1.5 million values (every field of every event of 40 bundles);
`field_problem` asks the same questions of the spec for each of them (which kind, which
slots are set). Here each field gets one function that asks only its own questions, and
remembers the answer for short text it has judged already where judging costs more than
remembering (a pattern, a rule, a date parsed): codes, dates, grid codes and resident ids
repeat throughout a bundle. The answer is `field_problem`'s in every case (tests/test_field_checks.py
compares them on values drawn for every field); `field_problem` stays the readable statement of
the rules, this module only how fast they run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storage.core.schema import TEXT_MAX, FieldSpec, field_problem
from storage.core.text import unstorable

Check = Callable[[Any], "str | None"]

MEMO_TEXT = 64  # characters: longer text is judged each time (a note is rarely seen twice)
MEMO_SIZE = 4096  # answers kept per field: bounded whatever a hostile bundle holds
_MISSING = object()


def checker(spec: FieldSpec) -> Check:
    """A function of a value (already `clean`ed) giving `field_problem(spec, value)`."""
    if spec.kind == "text" and spec.choices is None and spec.pattern is None and spec.rule is None:
        return _plain_text(spec)
    if spec.kind in ("text", "date", "datetime"):
        return _remembering(spec)
    if spec.kind == "bool":
        return _fixed(spec, (True, False))
    if spec.kind == "list":
        return _empty_first(spec, [])
    if spec.kind == "dict":
        return _empty_first(spec, {})
    return lambda value: field_problem(spec, value)


def _plain_text(spec: FieldSpec) -> Check:
    """Free text: a string within its length that a database can store (the checks field_problem makes of it)."""
    limit = spec.max_len or TEXT_MAX
    if_none = field_problem(spec, None)

    def check(value: Any) -> str | None:
        if type(value) is str:
            if len(value) > limit:
                return "too_long"
            return "bad_text" if unstorable(value) else None
        return if_none if value is None else "wrong_type"

    return check


def _remembering(spec: FieldSpec) -> Check:
    """Codes, patterns, rules and dates: short text judged once, its answer remembered."""
    memo: dict[str, str | None] = {}

    def check(value: Any) -> str | None:
        if type(value) is not str or len(value) > MEMO_TEXT:
            return field_problem(spec, value)
        found = memo.get(value, _MISSING)
        if found is _MISSING:
            found = field_problem(spec, value)
            if len(memo) < MEMO_SIZE:
                memo[value] = found
        return found  # type: ignore[return-value]

    return check


def _fixed(spec: FieldSpec, values: tuple[Any, ...]) -> Check:
    """A flag: its two values (and None) judged once; anything else as field_problem says."""
    known = [(v, field_problem(spec, v)) for v in (*values, None)]

    def check(value: Any) -> str | None:
        for v, answer in known:
            if value is v:
                return answer
        return field_problem(spec, value)

    return check


def _empty_first(spec: FieldSpec, empty: Any) -> Check:
    """Lists and objects: most are empty, judged once; any other as field_problem says."""
    if_empty = field_problem(spec, empty)
    kind = type(empty)

    def check(value: Any) -> str | None:
        if type(value) is kind and not value:
            return if_empty
        return field_problem(spec, value)

    return check

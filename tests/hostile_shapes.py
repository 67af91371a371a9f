"""Values of the wrong shape for each JSON column of each record, as a hostile bundle's change can carry them.

The fields whose columns hold JSON (storage/core/models/records.py: CodeList, FlatObject; a setting's value) and,
for each, the shapes a compromised device or a program editing its file before signing could put in a change:
what the merge must answer (the words of the refusal's line, or None where the value merges as "no value").
Used by tests/test_hostile_json_bundles.py (a worker's bundle at the township) and
tests/test_hostile_json_county.py (a township's bundle at the county, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from typing import Any

# the words of each refusal (storage/sync/event_checks.py _REASONS), the field's label added by the test
WRONG, UNKNOWN, LONG, INVALID, RANGE = "wrong type in", "unknown code in", "too long for", "invalid value in", "out of range in"
UNSTORABLE = "character that cannot be stored in"
# a line the bundle's reader refuses before its values are judged (NaN is not JSON; nesting past MAX_DEPTH)
MALFORMED = "inside the bundle is malformed"
TOO_BIG = "a record inside the bundle is too large"  # a line past MAX_EVENT_LINE (storage/sync/bundle_payload.py)
WHOLE = (MALFORMED, TOO_BIG)  # said of the file, not of a field

# (record type, field, its label in English, a code it may hold)
LIST_FIELDS = [("resident", "categories", "Categories", "solitary_elder"), ("resident", "flags", "Flags", "disabled_care"),
               ("visit", "hazards", "Hazards", "fire"), ("visit", "needs", "Needs", "daily_care"),
               ("visit", "services", "Services", "counselling")]
DICT_FIELDS = [("visit", "observations", "Observations", "health"), ("assessment", "notes", "Notes", "health")]


def nested(depth: int, inner: Any) -> Any:
    for _ in range(depth):
        inner = [inner]
    return inner


def list_shapes(code: str) -> list[tuple[str, Any, str | None]]:
    """(what, the value, the refusal's words or None: merged, read back as no codes)."""
    return [
        ("a number", 5, WRONG), ("a fraction", 1.5, WRONG), ("NaN", float("nan"), MALFORMED), ("Infinity", float("inf"), MALFORMED), ("true", True, WRONG),
        ("a code as a string", code, WRONG), ("an object", {code: True}, WRONG), ("an empty object", {}, WRONG),
        ("a list in a list", [[code]], WRONG), ("an object in a list", [{"code": code}], WRONG),
        ("null in a list", [None], WRONG), ("numbers as codes", [1, 2], WRONG), ("true as a code", [True], WRONG),
        ("a fraction as a code", [1.5], WRONG), ("an unknown code", ["vip"], UNKNOWN),
        ("an upper-case code", [code.upper()], UNKNOWN), ("a code listed twice", [code, code], INVALID),
        ("1,000 codes", [code] * 1000, LONG), ("a million codes", [code] * 1_000_000, TOO_BIG), ("a code of 10,000 characters", ["x" * 10_000], LONG),
        ("a code holding NUL", [code + "\x00"], UNSTORABLE), ("a code of a lone surrogate", ["\ud800"], MALFORMED),
        ("a list 15 deep", nested(15, code), WRONG), ("a list 500 deep", nested(500, code), MALFORMED),
        ("null", None, None), ("an empty string", "", None), ("spaces", "   ", None), ("an empty list", [], None),
    ]


def dict_shapes(key: str) -> list[tuple[str, Any, str | None]]:
    """(what, the value, the refusal's words or None: merged, read back as no notes)."""
    return [
        ("a number", 5, WRONG), ("true", True, WRONG), ("a string", "血压偏高", WRONG), ("an empty list", [], WRONG),
        ("a list of keys", [key], WRONG), ("a list of pairs", [[key, "血压偏高"]], WRONG),
        ("an object in the object", {key: {"note": "血压偏高"}}, WRONG), ("a list in the object", {key: ["血压偏高"]}, WRONG),
        ("a fraction in the object", {key: 1.5}, WRONG), ("NaN in the object", {key: float("nan")}, MALFORMED),
        ("an unknown key", {"mood": "低落"}, UNKNOWN), ("1,000 keys", {f"k{n}": "x" for n in range(1000)}, LONG),
        ("a note of 10,000 characters", {key: "债" * 10_000}, LONG), ("a note holding NUL", {key: "a\x00b"}, UNSTORABLE),
        ("a key holding NUL", {key + "\x00": "x"}, UNSTORABLE), ("a note of a lone surrogate", {key: "\udfff"}, MALFORMED),
        ("an object 15 deep", {key: nested(14, "x")}, WRONG), ("an object 500 deep", {key: nested(499, "x")}, MALFORMED),
        # an object whose notes are not text: no form writes one (storage/register/visits.py, assessments.py)
        ("a number as a note", {key: 5}, INVALID), ("2^70 as a note", {key: 2**70}, RANGE),
        ("true as a note", {key: True}, INVALID), ("null as a note", {key: None}, INVALID),
        ("null", None, None), ("an empty string", "", None), ("an empty object", {}, None),
    ]


def setting_shapes() -> list[tuple[str, Any, str | None]]:
    """A setting's value (the visit policy, the only setting a release writes): anything its reader cannot use."""
    return [("a number", 5, INVALID), ("a string", "abc", INVALID), ("a list", [1, 2], INVALID),
            ("an empty object", {}, INVALID), ("an object of the wrong shape", {"every": {"low": "x"}}, INVALID),
            ("a list 15 deep", nested(15, 1), INVALID), ("NaN", float("nan"), MALFORMED)]


def hostile_dumps(obj: Any) -> bytes:
    """A line as a program that is not gridcare may write it: escapes for any character (a lone surrogate too) and
    NaN, which the project's writer never writes (storage/sync/bundle_file.py _dumps)."""
    return json.dumps(obj, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=True).encode("ascii")

"""What each field of each synced record holds, and the one rule for "no value".

The specs are read off the SQLModel tables in storage/core/models/records.py (column type,
nullable, the model's default), so the tables are written once. For every field:

* `kind`: text, date, datetime, int, bool, list, dict or json (any JSON value);
* `optional`: the column may hold NULL (an ID number, a sex, a date, a code chosen
  from a list): its "no value" is None. Otherwise "no value" is the model's default:
  "" for plain text, [] and {} for JSON lists and objects, the default of a bool.

`clean(record_type, fields)` maps every form of "no value" — None, "", whitespace
only — to that one stored value. It runs where events are written (the writer and
the bulk writers of the roster and the demo) and where they are folded into state
(storage/core/changes.py), so an event written by an older release with a None in a
text column still merges, and None and "" never differ between two databases.
A field that an event does not carry is left out: it keeps the value other events set.

What a value may be (issue #19) is checked by `field_problem` / `event_problem`: the kind's
type (a bool is not an int, `"false"` is not a bool, a date is `YYYY-MM-DD`), and the slots
`max_len`, `choices`, `low`/`high`, `pattern` and `rule`. Every field gets the limits of its
kind by default (text at most TEXT_MAX characters, dates between DATE_LOW and DATE_HIGH,
integers within SQLite's, lists of short distinct codes, references of the RECORD_ID shape),
so a field added to a model is checked from the start; the code lists, ranges and lengths
of each field are filled in by storage/register/field_rules.py, next to the lists themselves
(core does not import the register). `clean` stays only about "no value"; the checks read
values after it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, ProgrammingError
from sqlalchemy.types import TypeDecorator

from storage.core import hlc, places
from storage.core.i18n import N_
from storage.core.models import DERIVED_FIELDS, RECORD_TABLES, UtcDateTime

KINDS = ("text", "date", "datetime", "int", "bool", "list", "dict", "json")

# the limits of a kind, for a field that has none of its own (storage/register/field_rules.py)
TEXT_MAX = 4000  # characters of a text field
CODE_MAX = 64  # characters of an item of a list, a key of an object
LIST_MAX = 64  # items of a list without a code list
DICT_MAX = 64  # entries of an object
JSON_MAX = 64 * 1024  # bytes of a JSON value (a setting), encoded
INT_LOW, INT_HIGH = -(2**63), 2**63 - 1  # what SQLite's INTEGER holds
# fixed, never "today": the same bundle is accepted on every township whatever its clock says.
# From the earliest birth an ID number may carry (storage/register/idnumbers.py) to the clock's horizon.
DATE_LOW, DATE_HIGH = dt.date(1850, 1, 1), dt.date(2099, 12, 31)
# record ids: 16 hex digits made by a device, codes (330521101, 330521101-G01, policy.visit), a visit's
# risk ("visit:" + its id); never a path ("/", "\\", ".."), never longer than a code needs
RECORD_ID = re.compile(r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}")
DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
NAME_MAX = 200  # a worker's name (an event's author), a grid's, a township's
# the record types as people call them (messages about a record of a bundle, the conflicts screen)
RECORD_LABELS = {"resident": N_("Resident"), "visit": N_("Visit"), "referral": N_("Referral"), "risk": N_("Risk"),
                 "grid": N_("Grid"), "township": N_("Township"), "village": N_("Village"), "setting": N_("Setting"),
                 "benefit": N_("Assistance and subsidies"),
                 "assessment": N_("Six-dimension assessment"), "emergency_ack": N_("Acknowledgement of an emergency")}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    optional: bool  # NULL allowed: its "no value" is None
    default: Any  # the value a record has when no event set the field (None when optional)
    writable: bool  # events may set it (not derived, not the id)
    # what a value may be (None: the kind's default, see field_problem)
    max_len: int | None = None  # text: characters; list: items; dict: entries; json: bytes of its JSON
    choices: frozenset[Any] | None = None  # text: the value; list: each item; dict: each key
    low: Any = None  # int: the smallest; date: the earliest
    high: Any = None  # int: the largest; date: the latest
    pattern: re.Pattern[str] | None = None  # text: what a value (other than "") looks like
    item_len: int | None = None  # list: characters of an item; dict: of a text value
    rule: Callable[[Any], bool] | None = None  # one more check of a value that passed the others

    def empty(self) -> Any:
        """The stored value of "no value" (a new list or dict each time: callers may keep it)."""
        if self.optional:
            return None
        if self.kind == "list":
            return list(self.default or ())
        if self.kind == "dict":
            return dict(self.default or {})
        return self.default


def _kind(column: Any, default: Any) -> str:
    t = column.type
    if isinstance(t, UtcDateTime):
        return "datetime"
    if isinstance(t, TypeDecorator):  # SQLModel's AutoString: stored as its implementation
        t = t.impl_instance
    if isinstance(t, JSON):
        return "list" if isinstance(default, list) else "dict" if isinstance(default, dict) else "json"
    if isinstance(t, Boolean):
        return "bool"
    if isinstance(t, Integer):
        return "int"
    if isinstance(t, Date):
        return "date"
    if isinstance(t, DateTime):
        return "datetime"
    if isinstance(t, String):
        return "text"
    raise TypeError(f"{column.table.name}.{column.name}: no field kind for {t!r}")


@cache
def record_spec(record_type: str) -> dict[str, FieldSpec]:
    """Every column of the record type's state table, as a FieldSpec."""
    model = RECORD_TABLES[record_type]
    derived = DERIVED_FIELDS.get(record_type, frozenset())
    out: dict[str, FieldSpec] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if column.primary_key:  # the record id is the event's, never one of its fields
            continue
        info = model.model_fields[column.name]
        default = info.get_default(call_default_factory=True)
        optional = bool(column.nullable)
        if not optional and default is None:
            raise TypeError(f"{record_type}.{column.name}: NOT NULL without a default has no 'no value'")
        writable = column.name not in derived or column.name == "deleted"
        # a reference to another record (resident_id, visit_id): the shape of a record id
        pattern = RECORD_ID if column.name.endswith("_id") else None
        out[column.name] = FieldSpec(column.name, _kind(column, default), optional, None if optional else default,
                                     writable, pattern=pattern)
    return out


def spec(record_type: str, field: str) -> FieldSpec:
    return record_spec(record_type)[field]


def is_no_value(value: Any) -> bool:
    """None, "", or text of whitespace only (what an untouched or cleared field gives)."""
    if value is None:
        return True
    return type(value) is str and (value == "" or value.isspace())


def clean(record_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` with every "no value" replaced by the field's one stored form (see the module's doc).

    Fields that are not columns are left as they are (what to do with them is the
    caller's rule). Returns `fields` itself when nothing changes: the merge's hot path.
    """
    specs = record_spec(record_type)
    out = None
    for name, value in fields.items():
        if value is None or (type(value) is str and (value == "" or value[0].isspace() and value.isspace())):
            field = specs.get(name)
            if field is None or (field.kind == "json" and value is not None):
                continue  # not a column; or a JSON value, where "" is a value like any other
            empty = field.empty()
            if value is empty or (type(value) is type(empty) and value == empty):
                continue
            if out is None:
                out = dict(fields)
            out[name] = empty
    return fields if out is None else out


class FoldError(Exception):
    """The events of a record could not be stored as its state: which record type, which field, and why.

    `reason`: "no_value" (a NOT NULL column given none), "wrong_type" (a value the column cannot
    hold), or "refused" (any other constraint). A merge refuses the bundle with this in one line.
    """

    def __init__(self, record_type: str, field: str, reason: str):
        super().__init__(f"{record_type}.{field}: {reason}")
        self.record_type, self.field, self.reason = record_type, field, reason


def refused_row(record_type: str, columns: list[str], exc: Exception) -> FoldError:
    """A FoldError from what SQLite said when a state row was refused."""
    text = str(getattr(exc, "orig", exc))
    found = re.search(r"NOT NULL constraint failed: \w+\.(\w+)", text)
    if found:
        return FoldError(record_type, found.group(1), "no_value")
    found = re.search(r"Error binding parameter :?(\d+)", text)  # 1-based, in the statement's column order
    if found:
        n = int(found.group(1))
        return FoldError(record_type, columns[n - 1] if 0 < n <= len(columns) else "", "wrong_type")
    return FoldError(record_type, "", "wrong_type" if isinstance(exc, (TypeError, OverflowError, ValueError)) else "refused")


# what SQLite raises for a row it refuses (not OperationalError: a full disk or a lock is not the record's fault)
REFUSED_ROW = (ValueError, TypeError, OverflowError, IntegrityError, InterfaceError, ProgrammingError, DataError)


# --- what a value may be (issue #19) ----------------------------------------------------------

# FoldError reasons of the checks below, besides "no_value" and "wrong_type"
REASONS = ("too_long", "unknown_code", "out_of_range", "invalid", "not_writable", "bad_id", "clock", "bad_event")


def _date(value: Any) -> dt.date | None:
    """The day a date field's text gives (YYYY-MM-DD, or an ISO instant), or None if it is not one."""
    if type(value) is not str or len(value) > 40:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _int(value: Any, low: Any, high: Any) -> str | None:
    if type(value) is not int:  # a bool is not a number, nor is 1.0
        return "wrong_type"
    return None if (INT_LOW if low is None else low) <= value <= (INT_HIGH if high is None else high) else "out_of_range"


def _text(value: Any, limit: int) -> str | None:
    if type(value) is not str:
        return "wrong_type"
    return "too_long" if len(value) > limit else None


def _json_size(value: Any) -> int:
    from storage.core.json_text import dumps

    return len(dumps(value).encode("utf-8"))


def field_problem(spec: FieldSpec, value: Any) -> str | None:
    """Why `value` (already `clean`ed) cannot be this field's, as a FoldError reason; None if it can."""
    if value is None:
        return None if spec.optional else "no_value"
    kind = spec.kind
    if kind == "text":
        problem = _text(value, spec.max_len or TEXT_MAX)
        if problem or value == "":
            return problem
        if spec.choices is not None and value not in spec.choices:
            return "unknown_code"
        if spec.pattern is not None and not spec.pattern.fullmatch(value):
            return "invalid"
    elif kind == "int":
        problem = _int(value, spec.low, spec.high)
        if problem:
            return problem
        if spec.choices is not None and value not in spec.choices:
            return "unknown_code"
    elif kind == "bool":
        if type(value) is not bool:  # "false" and 0 are not false: "deleted": "false" must not delete
            return "wrong_type"
    elif kind in ("date", "datetime"):
        day = _date(value)
        if day is None:
            return "wrong_type"
        if not (spec.low or DATE_LOW) <= day <= (spec.high or DATE_HIGH):
            return "out_of_range"
    elif kind == "list":
        if type(value) is not list:
            return "wrong_type"
        if len(value) > (spec.max_len or (len(spec.choices) if spec.choices is not None else LIST_MAX)):
            return "too_long"
        for item in value:
            problem = _text(item, spec.item_len or CODE_MAX)
            if problem:
                return problem
            if spec.choices is not None and item not in spec.choices:
                return "unknown_code"
        if len(set(value)) != len(value):
            return "invalid"  # a code listed twice would be counted twice
    elif kind == "dict":
        if type(value) is not dict:
            return "wrong_type"
        if len(value) > (spec.max_len or DICT_MAX):
            return "too_long"
        for key, item in value.items():
            problem = _text(key, CODE_MAX)
            if problem:
                return problem
            if spec.choices is not None and key not in spec.choices:
                return "unknown_code"
            if type(item) is str:
                if len(item) > (spec.item_len or TEXT_MAX):
                    return "too_long"
            elif type(item) is int:
                problem = _int(item, None, None)
                if problem:
                    return problem
            elif item is not None and type(item) is not bool:
                return "wrong_type"  # a flat object of text, numbers and flags
    elif _json_size(value) > (spec.max_len or JSON_MAX):  # json: any value, bounded
        return "too_long"
    if spec.rule is not None and not spec.rule(value):
        return "invalid"
    return None


def fields_problem(record_type: str, fields: dict[str, Any], specs: dict[str, FieldSpec], *,
                   cleaned: bool = False) -> FoldError | None:
    """The first field of an event that no event may set, or set to this value; None if all may.

    `cleaned`: `fields` is `clean`'s result already. Each field is judged by `field_problem` compiled
    for it (storage/core/field_checks.py: the same answers, asked faster: a merge judges every value
    of every event).
    """
    checks = _checks(specs)
    for name, value in (fields if cleaned else clean(record_type, fields)).items():
        check = checks.get(name)
        if check is None:  # not a field, or one no event may set
            return FoldError(record_type, name, "not_writable")
        reason = check(value)
        if reason:
            return FoldError(record_type, name, reason)
    return None


# id(specs) -> (specs, {writable field: its compiled check}); the specs are kept so their id is never reused
_CHECKS: dict[int, tuple[dict[str, FieldSpec], dict[str, Callable[[Any], str | None]]]] = {}


def _checks(specs: dict[str, FieldSpec]) -> dict[str, Callable[[Any], str | None]]:
    known = _CHECKS.get(id(specs))
    if known is None or known[0] is not specs:
        from storage.core.field_checks import checker

        known = specs, {name: checker(field) for name, field in specs.items() if field.writable}
        _CHECKS[id(specs)] = known
    return known[1]


def event_problem(ev: dict[str, Any]) -> FoldError | None:
    """What is wrong with an event's own keys (not its fields), as a FoldError; None if nothing.

    The record type is known; the record id has the RECORD_ID shape; the event id is the one its
    device's writer gives (`{device_id}-{hlc}`), so ids are never reused for another event; the clock
    is below the horizon (storage/core/hlc.py) and the event's base clock below its own.
    """
    record_type = ev["record_type"]
    if record_type not in RECORD_TABLES:
        return FoldError(record_type, "", "bad_event")
    if not (RECORD_ID.fullmatch(ev["record_id"])
            or record_type == "village" and places.VILLAGE_REF.fullmatch(ev["record_id"])):
        return FoldError(record_type, "id", "bad_id")
    stamp = ev["hlc"]
    if not hlc.within_horizon(stamp):
        return FoldError(record_type, "hlc", "clock")
    device = ev["device_id"]
    if not DEVICE_ID.fullmatch(device) or ev["id"] != f"{device}-{stamp}":
        return FoldError(record_type, "id", "bad_event")
    base = ev.get("base_hlc", 0)
    if base is not None and (type(base) is not int or not 0 <= base < stamp):
        return FoldError(record_type, "base_hlc", "bad_event")
    author = ev.get("author", "")
    if author is not None and (type(author) is not str or len(author) > NAME_MAX):
        return FoldError(record_type, "author", "bad_event")
    return None

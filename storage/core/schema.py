"""What each field of each synced record holds, and the one rule for "no value".

The specs are read off the SQLModel tables in storage/core/models.py (column type,
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

The checks of what a value may be (#19: type, range, choices, length) belong here too:
`FieldSpec` has room for them, and `clean` is deliberately only about "no value".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, ProgrammingError
from sqlalchemy.types import TypeDecorator

from storage.core.i18n import N_
from storage.core.models import DERIVED_FIELDS, RECORD_TABLES, UtcDateTime

KINDS = ("text", "date", "datetime", "int", "bool", "list", "dict", "json")
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
    # checked at merge by #19 (None: not checked yet)
    max_len: int | None = None
    choices: frozenset[str] | None = None
    low: int | None = None
    high: int | None = None

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


@lru_cache(maxsize=None)
def record_spec(record_type: str) -> dict[str, FieldSpec]:
    """Every column of the record type's state table, as a FieldSpec."""
    model = RECORD_TABLES[record_type]
    derived = DERIVED_FIELDS.get(record_type, frozenset())
    out: dict[str, FieldSpec] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if column.primary_key:  # the record id is the event's, never one of its fields
            continue
        info = model.model_fields[column.name]
        default = info.default_factory() if info.default_factory is not None else info.default
        optional = bool(column.nullable)
        if not optional and default is None:
            raise TypeError(f"{record_type}.{column.name}: NOT NULL without a default has no 'no value'")
        writable = column.name not in derived or column.name == "deleted"
        out[column.name] = FieldSpec(column.name, _kind(column, default), optional, None if optional else default,
                                     writable)
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

"""Field values between an event (JSON values) and a state table (column types).

An event carries JSON values (dates as ISO text, sets as sorted lists); a state row holds
them as its columns' types. Both the ORM write and the set-based fold convert through here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer
from sqlmodel import SQLModel

from storage.core.models import DERIVED_FIELDS, RECORD_TABLES
from storage.core.models.columns import is_json


def to_json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return value


def from_json_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if kind == "datetime" and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if kind == "bool":
        return bool(value)
    if kind == "int" and not isinstance(value, bool):
        return int(value)
    return value


_KINDS: dict[type, dict[str, str]] = {}


def column_kinds(table: type[SQLModel]) -> dict[str, str]:
    """Each column of a state table: "datetime", "date", "bool", "int" or "other" (JSON columns are "other")."""
    kinds = _KINDS.get(table)
    if kinds is None:
        kinds = {}
        for col in table.__table__.columns:  # type: ignore[attr-defined]
            t = col.type
            kinds[col.name] = (
                "datetime" if isinstance(t, DateTime)
                else "date" if isinstance(t, Date)
                else "bool" if isinstance(t, Boolean)
                else "int" if isinstance(t, Integer)
                else "other"
            )
        _KINDS[table] = kinds
    return kinds


def storage_kinds(table: type[SQLModel]) -> dict[str, str]:
    """`column_kinds`, with JSON columns told apart as "json" (how the bulk writer encodes them)."""
    kinds = dict(column_kinds(table))
    for col in table.__table__.columns:  # type: ignore[attr-defined]
        if is_json(col.type):  # (a list of codes, a flat object: JSON of a fixed shape)
            kinds[col.name] = "json"
    return kinds


def check_fields(record_type: str, fields: dict[str, Any]) -> None:
    """A write may set only the table's own columns, never a derived or bookkeeping one (a bug if it does)."""
    kinds = column_kinds(RECORD_TABLES[record_type])
    forbidden = DERIVED_FIELDS.get(record_type, frozenset({"id"}))
    for name in fields:
        if name == "deleted":
            continue
        if name not in kinds or name in forbidden:
            raise ValueError(f"{record_type} has no writable field {name!r}")


_TEMPLATES: dict[str, dict[str, Any]] = {}


def row_template(record_type: str) -> dict[str, Any]:
    """Every column of the state table with the model's default."""
    if record_type not in _TEMPLATES:
        model = RECORD_TABLES[record_type]
        _TEMPLATES[record_type] = {
            name: (info.default_factory() if info.default_factory is not None else info.default)  # type: ignore[call-arg]
            for name, info in model.model_fields.items()
        }
    return dict(_TEMPLATES[record_type])  # mutable defaults are never mutated in place: fields replace them

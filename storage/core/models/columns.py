"""The column types the tables share: instants as UTC text, clocks as 64-bit integers, JSON of a fixed shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class UtcDateTime(TypeDecorator):
    """An instant stored as ISO 8601 text in UTC; naive values are taken as UTC.

    Our own type, so that every sqlmodel release (0.0.48 on Python 3.10,
    0.0.50 on 3.11+, which differ on naive datetimes) stores the same thing.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def instant_field(**kw) -> Any:
    return Field(sa_column=Column(UtcDateTime(), **kw))


def clock_field(**kw) -> Any:
    """A hybrid logical clock value: 64 bits (PostgreSQL's INTEGER is 32; SQLite's INTEGER is 64 either way)."""
    return Field(sa_type=BigInteger, **kw)


def optional_instant_field() -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class CodeList(TypeDecorator):
    """A list of codes as JSON (a resident's categories and flags, a visit's hazards, needs and services).

    Read, anything else is the damaged database's line (storage/core/json_text.py), on both engines: PostgreSQL
    takes any JSON, so a list edited into text or a number was read as is, and ended the resident's visit list in
    "an unexpected error" (a number is not iterable) or was counted letter by letter. JSON null reads as no codes,
    as the report's own reader takes it (storage/register/report_query.py)."""

    impl = JSON
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> list[str]:
        if value is None:
            return []
        if type(value) is list and (not value or all(type(code) is str for code in value)):  # (most are empty)
            return value
        from storage.core.json_text import damaged

        raise damaged(server=dialect.name != "sqlite")


_FLAT = frozenset({str, int, bool, type(None)})


class FlatObject(TypeDecorator):
    """A flat JSON object of text, numbers and flags (a visit's observations, an assessment's notes: dimension ->
    note), as the value laws allow (storage/core/schema.py field_problem); anything else read is the damaged
    database's line, as for CodeList. JSON null reads as an empty object."""

    impl = JSON
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if type(value) is dict and (not value or all(type(v) in _FLAT for v in value.values())):
            return value
        from storage.core.json_text import damaged

        raise damaged(server=dialect.name != "sqlite")


def is_json(column_type: Any) -> bool:
    """Whether a column holds JSON: the plain type, or one of the shapes above."""
    return isinstance(column_type, JSON) or isinstance(getattr(column_type, "impl_instance", None), JSON)


def json_shape(column_type: Any) -> str:
    """"list" (of text) or "object" (flat) for the fixed shapes above, "" for any other column."""
    return "list" if isinstance(column_type, CodeList) else "object" if isinstance(column_type, FlatObject) else ""

"""The column types the tables share: instants as UTC text, clocks as 64-bit integers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Column, String
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

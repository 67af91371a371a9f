"""Dates, times and numbers for people to read, through Babel, in the interface language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.core.i18n import babel_locale


def format_date(value: dt.date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    from babel.dates import format_date as _format

    return _format(value, fmt, locale=babel_locale())


def format_datetime(value: dt.datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    from babel.dates import format_datetime as _format

    if value.tzinfo is not None:
        value = value.astimezone()  # shown in local time
    return _format(value, fmt, locale=babel_locale())


def format_ago(value: dt.date, today: dt.date) -> str:
    """'3天前' / '3 days ago'; 'in 2 days' for the future."""
    from babel.dates import format_timedelta

    delta = value - today
    if delta.days == 0:
        from storage.core.i18n import _

        return _("today")
    return format_timedelta(dt.timedelta(days=delta.days), granularity="day", add_direction=True,
                            locale=babel_locale())


def format_number(value: int | float) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale())


def format_percent(value: float) -> str:
    from babel.numbers import format_percent as _format

    return _format(value, locale=babel_locale())


def format_month(day: dt.date) -> str:
    """'2026年11月' / 'Nov 2026'."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMM", day, locale=babel_locale())


def cell_text(value: Any, kind: str = "") -> str:
    """A report cell as text: rates as percentages, dates short, counts with separators."""
    if value is None:
        return ""
    if kind == "rate" or isinstance(value, float):
        from babel.numbers import format_percent as _format

        return _format(value, "#,##0.0%", locale=babel_locale())
    if isinstance(value, dt.date):
        return format_date(value, "short")
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    return str(value)

"""Dates, times and numbers for people to read, through Babel, in the interface language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import dates, numbers

from storage.core.i18n import _, babel_locale


def format_date(value: dt.date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_date(value, fmt, locale=babel_locale())


def format_column_date(value: dt.date | None) -> str:
    """A date in a column of dates: always ten characters (2026-06-27), so the rows line up."""
    return value.isoformat() if value is not None else ""


def format_datetime(value: dt.datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone()  # shown in local time
    return dates.format_datetime(value, fmt, locale=babel_locale())


def format_ago(value: dt.date, today: dt.date) -> str:
    """'3天前' / '3 days ago'; 'in 2 days' for the future."""
    delta = value - today
    if delta.days == 0:
        return _("today")
    return dates.format_timedelta(dt.timedelta(days=delta.days), granularity="day", add_direction=True,
                                  locale=babel_locale())


def format_number(value: int | float) -> str:
    return numbers.format_decimal(value, locale=babel_locale())


def format_percent(value: float) -> str:
    return numbers.format_percent(value, locale=babel_locale())


def format_month(day: dt.date) -> str:
    """'2026年11月' / 'Nov 2026'."""
    return dates.format_skeleton("yMMM", day, locale=babel_locale())


def cell_text(value: Any, kind: str = "") -> str:
    """A report cell as text: rates as percentages, dates as in a column, counts with separators."""
    if value is None:
        return ""
    if kind == "rate" or isinstance(value, float):
        return numbers.format_percent(value, "#,##0.0%", locale=babel_locale())
    if isinstance(value, dt.date):  # as the app's date columns: 10/8/26 was month first in English
        return format_column_date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    return str(value)

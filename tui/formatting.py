"""Dates, times and numbers for people to read, through Babel, in the interface language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import dates, numbers

from storage.core.china_day import china_today
from storage.core.i18n import _, babel_locale, count_text, ngettext


def format_date(value: dt.date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_date(value, fmt, locale=babel_locale())


def format_moment(value: dt.datetime | None, today: dt.date | None = None, *, seconds: bool = False) -> str:
    """A day and a time, said as the lists say a day: "12月5日 00:26" ("2025年12月5日 00:26" in another year);
    Babel's short datetime was "2026/12/5 00:26", beside lists that say 12月5日. `seconds`: "12月5日 00:26:13"."""
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo is not None else value  # shown in local time
    time = dates.format_time(local, "medium" if seconds else "short", locale=babel_locale())
    return f"{format_day(local.date(), today)} {time}"


def format_day(value: dt.date, today: dt.date | None = None) -> str:
    """A day as the lists say it: "12月5日", "Dec 5"; with its year in another year ("2025年12月5日", "Dec 5, 2025")."""
    this_year = value.year == (today or china_today()).year
    return dates.format_skeleton("MMMd" if this_year else "yMMMd", value, locale=babel_locale())


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
    return count_text(value)  # (storage's messages count with it too)


def format_percent(value: float) -> str:
    return numbers.format_percent(value, locale=babel_locale())


RATE_PATTERN = "#,##0.0%"  # a visit rate as the monthly report writes it (16.0%), on screen beside it too


def format_rate(value: float) -> str:
    return numbers.format_percent(value, RATE_PATTERN, locale=babel_locale())


def format_month(day: dt.date) -> str:
    """'2026年11月' / 'Nov 2026'."""
    return dates.format_skeleton("yMMM", day, locale=babel_locale())


def cell_text(value: Any, kind: str = "") -> str:
    """A report cell as text: rates as percentages, dates as in a column, counts with separators."""
    if value is None:
        return ""
    if kind == "rate" or isinstance(value, float):
        return format_rate(value)
    if isinstance(value, dt.date):  # as the app's date columns: 10/8/26 was month first in English
        return format_column_date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def format_size(size: int) -> str:
    """A file's size for people: '820 kB', '12.4 MB' (Babel's units, in the interface language)."""
    from babel import units  # deferred: only the backups screen shows sizes

    if size < 999_500:  # (what rounds to 1,000 kB is shown as 1.0 MB)
        return units.format_unit(max(1, round(size / 1000)), "digital-kilobyte", length="short", locale=babel_locale())
    return units.format_unit(size / 1000 / 1000, "digital-megabyte", length="short", format="#,##0.0",
                             locale=babel_locale())


def hours_text(hours: int) -> str:
    """How long an emergency has waited: "3小时", "under an hour" ("0 hours" read as nothing at all)."""
    if hours < 1:
        return _("under an hour")
    return ngettext("{n} hour", "{n} hours", hours).format(n=format_number(hours))


def compact_number(value: int) -> str:
    """A count in the fewest cells the language writes it in (Babel's short compact format): 1353 (Chinese groups
    by 万, so a count under 10,000 is its digits without a separator), 1.2万; 1.4K in English."""
    return numbers.format_compact_decimal(value, format_type="short", locale=babel_locale(), fraction_digits=1)

"""The month a report is of: typed as YYYY-MM, stepped forward and back, and the day it is counted on."""

from __future__ import annotations

import datetime as dt

from storage.core.dates import year_month
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.register.due import month_bounds


def parse_month(value: str) -> tuple[int, int]:
    """'2026-11' -> (2026, 11), and a month as a date field takes one (2026/11, 2026年11月, 202611);
    a UserError naming the expected form otherwise."""
    month = year_month(value)
    if month is None or not 1 <= month[1] <= 12 or month[0] < 1900:
        raise UserError(_("Write the month as YYYY-MM, e.g. 2026-11 (not {value}).").format(value=value))
    return month


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + (month - 1) + delta
    return n // 12, n % 12 + 1


def report_day(year: int, month: int, today: dt.date) -> dt.date:
    """The month's last day, or today for the current month; a future month is refused."""
    first, last = month_bounds(year, month)
    if first > today:
        raise UserError(_("{month} has not begun yet: choose this month or an earlier one.").format(
            month=f"{year:04d}-{month:02d}"))
    return min(last, today)

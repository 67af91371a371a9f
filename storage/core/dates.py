"""Dates as people type them: the one parser behind every date field (forms, dialogs, roster cells).

A grid worker types 2026/11/30, 2026.11.30, 2026年11月30日, 20261130, 11-30, 11月30日 or just 30;
full-width digits and spaces are fine. A date without its year (or its month) is completed
towards the side the field looks at: a visit date is in the past, so "30" typed on 1 December
means 30 November; a next-visit date is in the future, so "1-5" typed in December means next
January. Anything else is refused with a sentence saying what is wrong (no month 13, no
30 February), never with a bare "give the date".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Literal

from storage.core.i18n import _

Towards = Literal["past", "future", "near"]

# which way each date field looks; a field not named here completes a short date in the current month/year
FIELD_TOWARDS: dict[str, Towards] = {
    "visit_date": "past",
    "assessed_on": "past",
    "closed_on": "past",
    "opened_on": "past",
    "birth_date": "past",
    "next_visit_on": "future",
    "due_on": "future",
    "helper_since": "past",
    "registered_on": "past",
}
# fields where a date without its year makes no sense
NEEDS_YEAR = frozenset({"birth_date"})
# fields where a year and month alone (2019-05, 2019年5月, as a 两项补贴 certificate or a roster gives a start) mean
# the month's first day, as the roster import reads them (storage/roster/columns.py)
MONTH_IS_FIRST_DAY = frozenset({"start_on", "helper_since"})

_WORDS = {"今天": 0, "今日": 0, "today": 0, "昨天": -1, "昨日": -1, "yesterday": -1, "前天": -2,
          "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2}
_SEP = r"(?:\s*[-/.年月,]\s*|\s+)"
_FULL = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}})\s*[日号]?$")
_DAY = re.compile(r"^(\d{1,2})\s*[日号]?$")
_YEAR_MONTH = (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"), re.compile(r"^(\d{4})(\d{2})$"))


class DateProblem(ValueError):
    """A typed date that is not one; `message` says why, in the interface language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def _check(year: int, month: int, day: int) -> dt.date:
    if not 1 <= month <= 12:
        raise DateProblem(_("There is no month {month}: a month is 1 to 12.").format(month=month))
    if year < 1900 or year > 2999:
        raise DateProblem(_("The year {year} cannot be right.").format(year=year))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateProblem(_("{year}-{month} has no day {day}.").format(year=year, month=month, day=day)) from None


def _month_day(month: int, day: int, today: dt.date, towards: Towards) -> dt.date:
    """The year completed: the nearest such day on the side the field looks at."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(_check(year, month, day))
        except DateProblem:
            continue
    if not 1 <= month <= 12:
        raise DateProblem(_("There is no month {month}: a month is 1 to 12.").format(month=month))
    if not candidates:
        raise DateProblem(_("There is no day {day} in month {month}.").format(day=day, month=month))
    if towards == "past":
        past = [d for d in candidates if d <= today]
        return past[-1] if past else candidates[0]
    if towards == "future":
        future = [d for d in candidates if d >= today]
        return future[0] if future else candidates[-1]
    same = [d for d in candidates if d.year == today.year]
    return same[0] if same else min(candidates, key=lambda d: abs((d - today).days))


def _day_only(day: int, today: dt.date, towards: Towards) -> dt.date:
    if not 1 <= day <= 31:
        raise DateProblem(_("There is no day {day}: a day is 1 to 31.").format(day=day))
    months = []
    for shift in (-1, 0, 1):
        m = today.month + shift
        y = today.year + (m - 1) // 12
        m = (m - 1) % 12 + 1
        try:
            months.append(dt.date(y, m, day))
        except ValueError:
            continue
    this = next((d for d in months if d.month == today.month), None)
    if towards == "past":
        past = [d for d in months if d <= today]
        return past[-1] if past else months[0]
    if towards == "future":
        future = [d for d in months if d >= today]
        return future[0] if future else months[-1]
    if this is None:
        raise DateProblem(_("This month has no day {day}.").format(day=day))
    return this


def year_month(text: str | None) -> tuple[int, int] | None:
    """(year, month) when `text` is a year and a month alone (2019-05, 2019.5, 2019年5月, 201905), else None."""
    raw = _clean(text or "")
    for pattern in _YEAR_MONTH:
        m = pattern.match(raw)
        if m:
            return int(m.group(1)), int(m.group(2))
    return None


def parse_typed_date(text: str | None, today: dt.date, *, towards: Towards = "near",
                     needs_year: bool = False, month_is_first_day: bool = False) -> dt.date | None:
    """The date `text` means (None when empty); raises DateProblem saying what is wrong.

    With `month_is_first_day`, a year and month alone mean that month's first day."""
    raw = _clean(text or "")
    if not raw:
        return None
    if (month := year_month(raw)) is not None:
        if month_is_first_day:
            return _check(month[0], month[1], 1)
        raise DateProblem(_("{text} is a year and a month: write the day too.").format(text=(text or "").strip()))
    if raw in _WORDS and not needs_year:
        return today + dt.timedelta(days=_WORDS[raw])
    for pattern in (_FULL, _COMPACT):
        m = pattern.match(raw)
        if m:
            return _check(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if not needs_year:
        m = _MONTH_DAY.match(raw)
        if m:
            return _month_day(int(m.group(1)), int(m.group(2)), today, towards)
        m = _DAY.match(raw)
        if m:
            return _day_only(int(m.group(1)), today, towards)
        raise DateProblem(_("Not a date: {text}. Write e.g. 2026-11-30, 2026/11/30, 11-30, or 30 for a day of "
                            "this month.").format(text=(text or "").strip()))
    raise DateProblem(_("Not a date: {text}. Write the year too, e.g. 2015-06-01 or 2015年6月1日.").format(
        text=(text or "").strip()))


def parse_field_date(field: str, text: str | None, today: dt.date) -> dt.date | None:
    """A date field's typed value, completed the way that field looks (FIELD_TOWARDS)."""
    return parse_typed_date(text, today, towards=FIELD_TOWARDS.get(field, "near"), needs_year=field in NEEDS_YEAR,
                            month_is_first_day=field in MONTH_IS_FIRST_DAY)

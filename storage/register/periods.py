"""A benefit's period, the part of a benefit record the rules and lists read.

Kept apart from storage/register/benefits.py (which writes records and imports the ORM):
Home's first figures use it before SQLModel is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.core.i18n import _, day_text

ENDING_DAYS = 30  # "ends soon": within this many days from today, today included


@dataclass(frozen=True, slots=True)
class Period:
    kind: str
    start_on: dt.date | None  # None: since a date nobody recorded
    end_on: dt.date | None  # None: open-ended

    def current(self, day: dt.date) -> bool:
        """In force on `day`: started (or start unknown) and not ended before it."""
        return (self.start_on is None or self.start_on <= day) and (self.end_on is None or self.end_on >= day)

    def ends_soon(self, day: dt.date, days: int = ENDING_DAYS) -> bool:
        return self.end_on is not None and day <= self.end_on <= day + dt.timedelta(days=days)


def period_text(start: dt.date | None, end: dt.date | None) -> str:
    """"2025年3月1日至2026年2月28日" / "Mar 1, 2025 to Feb 28, 2026", "since …", "until …": in the words of
    the interface language, as every date inside a sentence is."""
    if start and end:
        return _("{start} to {end}").format(start=day_text(start, "medium"), end=day_text(end, "medium"))
    if start:
        return _("since {start}").format(start=day_text(start, "medium"))
    if end:
        return _("until {end}").format(end=day_text(end, "medium"))
    return _("dates not recorded")

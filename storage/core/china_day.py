"""The day in China: what "today" and "this month" are wherever gridcare runs.

gridcare's users are in China (UTC+8, no summer time). The day a record entered gridcare
(storage/register/entered.py) and the day a person arrived in a grid (storage/register/moved_here.py) are
read off event clocks in China's zone, so that a township and its county agree on them; "today" must be
read the same way. Read in the machine's own zone instead, a laptop set to UTC (or a CI machine) was a
day behind China from 16:00 UTC: a visit logged at 00:30 on 1 December in China was dated 30 November
and counted in November's report, and a roster imported then entered "tomorrow".
"""

from __future__ import annotations

import datetime as dt

CHINA_OFFSET_MS = 8 * 3_600_000
CHINA = dt.timezone(dt.timedelta(milliseconds=CHINA_OFFSET_MS), "UTC+08:00")


def china_today(now: dt.datetime | None = None) -> dt.date:
    """The date in China at `now` (an aware instant; default: the machine's clock)."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(CHINA).date()


def china_day_start(day: dt.date) -> dt.datetime:
    """The instant `day` begins in China, in UTC."""
    return dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.timezone.utc)

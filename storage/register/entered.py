"""The day a resident entered gridcare: the clock of the first event of their record, as a date in China.

A roster brings key persons registered (纳入日期) years ago, and a form takes a past registration date;
gridcare holds none of the visits made before it knew them. Counted from the registration alone, a
never-visited person imported today was "overdue by 2,743 days" on the first day (walk E, A3). The due
rule (storage/register/due.py) counts a never-visited person from the later of the two days instead,
when the day they entered is not after the day asked about: a report of a month before they came in, or
a laptop whose clock ran ahead, counts from the registration, as before (a clock ahead must not make a
person due in some far month and so never overdue).

The day is read from the events, never stored: it is the same on every database holding the same
events. It is the date in China Standard Time (UTC+8, no summer time), not the reading machine's zone,
so that a township and its county agree on it whatever their laptops are set to.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from storage.core.china_day import CHINA_OFFSET_MS
from storage.core.hlc import wall_ms
from storage.core.id_lists import ids_subquery

DAY_MS = 86_400_000
EPOCH = dt.date(1970, 1, 1)


def clock_date(stamp: int) -> dt.date:
    """The date in China of an event's clock (storage/core/hlc.py)."""
    return EPOCH + dt.timedelta(days=(wall_ms(stamp) + CHINA_OFFSET_MS) // DAY_MS)


def clock_date_sql(stamp: str, dialect: str) -> str:
    """clock_date in SQL, of an integer column or expression `stamp` (never negative: hlc.within_horizon)."""
    days = f"(({stamp} >> 16) + {CHINA_OFFSET_MS}) / {DAY_MS}"
    if dialect == "postgresql":
        return f"(date '1970-01-01' + CAST({days} AS integer))"
    return f"date({days} * 86400, 'unixepoch')"


def first_event_sql(resident: str = "r.id") -> str:
    """FROM … of the events of `resident`'s record, for an aggregate subquery to read `min(e.hlc)` off."""
    return f"FROM event e WHERE e.record_type = 'resident' AND e.record_id = {resident}"


def entered_dates(raw: Any, ids: Iterable[str]) -> dict[str, dt.date]:
    """The day each resident of `ids` entered gridcare; `raw`: storage.core.db.driver_connection's.

    A resident without events (none should be) is left out: the due rule then counts from the
    registration alone, as before.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    listed = ids_subquery("ids", postgres=not isinstance(raw, sqlite3.Connection))
    rows = raw.execute("SELECT e.record_id, min(e.hlc) FROM event e WHERE e.record_type = 'resident'"
                       f" AND e.record_id IN ({listed}) GROUP BY e.record_id", {"ids": json.dumps(wanted)})
    return {rid: clock_date(int(stamp)) for rid, stamp in rows.fetchall() if stamp is not None}

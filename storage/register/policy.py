"""The visit policy: how often, and who is due, overdue or ageing out.

Everything here is computed from the visit history and the policy on demand;
nothing of it is ever stored.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.core.db import driver_connection
from storage.register.categories import CHILD_CATEGORIES

if TYPE_CHECKING:
    from sqlmodel import Session

DEFAULT_POLICY = {
    "default_days": 30,  # monthly
    "high_days": 7,  # weekly when risk is high
    "emergency_days": 1,  # within 24 h of an emergency-level finding
    "phone_counts": True,  # a phone call counts as "visited this month"
    "age_out_warning_days": 90,
}


@dataclass(frozen=True)
class Policy:
    default_days: int = 30
    high_days: int = 7
    emergency_days: int = 1
    phone_counts: bool = True
    age_out_warning_days: int = 90

    def frequency_days(self, risk_level: str, override: int | None = None) -> int:
        by_risk = {"emergency": self.emergency_days, "high": self.high_days}.get(risk_level, self.default_days)
        if override:
            return min(override, by_risk)
        return by_risk


POLICY_IDS = [f"policy.{key}" for key in DEFAULT_POLICY]
POLICY_SQL = f"SELECT id, value FROM setting WHERE deleted = 0 AND id IN ({', '.join('?' * len(POLICY_IDS))})"


def read_policy(raw: sqlite3.Connection) -> Policy:
    """The policy from the `policy.<key>` settings, on a DB-API connection.

    Through the driver, not the ORM: the residents screen reads the policy on every keystroke,
    and Home's first figures are read before the ORM is even imported.
    """
    values = dict(DEFAULT_POLICY)
    for setting_id, value in raw.execute(POLICY_SQL, POLICY_IDS):
        decoded = json.loads(value) if isinstance(value, (str, bytes)) else value  # a JSON column's text
        if decoded is not None:
            values[setting_id.removeprefix("policy.")] = decoded
    return Policy(**values)


def load_policy(session: Session) -> Policy:
    """`read_policy` in a session's transaction."""
    return read_policy(driver_connection(session))


def due_date(last_visit: dt.date | None, registered_on: dt.date | None, freq_days: int, today: dt.date) -> dt.date:
    """Never visited: due `freq_days` after registration (or today, if unknown)."""
    start = last_visit or registered_on or today
    return start + dt.timedelta(days=freq_days)


def days_overdue(due: dt.date, today: dt.date) -> int:
    return max(0, (today - due).days)


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def birthday_at(birth: dt.date, years: int) -> dt.date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born 29 February
        return dt.date(birth.year + years, 3, 1)


def age_out_date(categories: list[str], birth: dt.date | None) -> dt.date | None:
    """When the first child category this resident holds stops applying."""
    if birth is None:
        return None
    ages = [CHILD_CATEGORIES[c] for c in categories if c in CHILD_CATEGORIES]
    if not ages:
        return None
    return birthday_at(birth, min(ages))


def ageing_out(categories: list[str], birth: dt.date | None, today: dt.date, window_days: int) -> dt.date | None:
    """The age-out date if it has passed or falls within the window, else None."""
    when = age_out_date(categories, birth)
    if when is None or when > today + dt.timedelta(days=window_days):
        return None
    return when


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)

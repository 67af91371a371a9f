"""The lines a monthly report lists: each key person of the month, each open referral, each visitor's
visits. Built by storage/reports/monthly.py; shown by the screens, the CLI and the report files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(slots=True)
class Person:
    """A key person of the month with every fact the report needs about them."""

    id: str
    name: str
    id_number: str | None
    sex: str | None
    age: int | None
    birth_date: dt.date | None
    village_code: str
    village: str
    grid_code: str
    grid: str
    categories: list[str]
    risk_level: str
    risk_since: dt.date | None
    last_seen: dt.date | None
    due_on: dt.date
    days_overdue: int
    visited: bool
    visited_how: str | None  # storage.register.due.IN_PERSON or OTHER_WAYS when visited
    overdue: bool
    high_risk: bool
    aged_out: bool
    age_out_on: dt.date | None
    status: str
    closed_on: dt.date | None
    close_reason: str
    open_referrals: int = 0
    sort_key: tuple = ()
    township_code: str = ""  # whose township the person is in: the county report's first table
    township: str = ""
    close_note: str = ""  # the remark made when the case was closed (退出原因说明)


@dataclass(slots=True)
class ReferralLine:
    id: str
    resident_id: str
    name: str
    id_number: str | None
    village_code: str
    village: str
    grid_code: str
    grid: str
    categories: list[str]
    agency: str
    reason: str
    status: str
    opened_on: dt.date | None
    days_open: int | None
    township_code: str = ""
    level: str | None = None  # village | township | county
    department: str = ""
    due_on: dt.date | None = None  # the follow-up deadline
    days_overdue: int | None = None  # past the deadline on the report day (negative: days left)


@dataclass(slots=True)
class WorkerLine:
    visitor: str
    grid_code: str
    grid: str
    visits: int
    home: int
    phone: int
    video: int
    proxy: int
    not_seen: int
    counted: int
    residents_visited: int
    residents_seen: int

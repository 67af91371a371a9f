"""The lines a monthly report lists: each key person of the month, each open referral, each visitor's
visits; and the figures of one row of its tables. Built by storage/reports/monthly.py; shown by the screens,
the CLI and the report files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.core.i18n import _
from storage.register.due import IN_PERSON, OTHER_WAYS


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
    # closed after the report day: still open on it, so its status then was not "closed" (a November report
    # printed in December listed under 未办结转介 a referral whose status read 已办结)
    closed_on: dt.date | None = None


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


@dataclass(slots=True)
class ReportRow:
    key: str | None  # village code, grid id or category code; None for the totals
    label: str  # the totals row keeps the msgid, so a report computed in one language shows in another
    key_persons: int = 0
    visited: int = 0
    in_person: int = 0  # visited, at least once in person
    other_ways: int = 0  # visited, by phone or video only (or another way the policy counts)
    overdue: int = 0
    emergency_high: int = 0
    open_referrals: int = 0
    aged_out: int = 0

    @property
    def shown_label(self) -> str:
        return _(self.label) if self.key is None else self.label

    @property
    def not_visited(self) -> int:
        return self.key_persons - self.visited

    @property
    def visit_rate(self) -> float | None:
        return self.visited / self.key_persons if self.key_persons else None

    def add(self, p: Person) -> None:
        self.add_counts(1, p.visited_how == IN_PERSON, p.visited_how == OTHER_WAYS)
        self.add_flags(p)

    def add_counts(self, key_persons: int, in_person: int, other_ways: int) -> None:
        """Key persons counted in SQL (month_sql.Group): how many, and how they were visited."""
        self.key_persons += key_persons
        self.visited += in_person + other_ways
        self.in_person += in_person
        self.other_ways += other_ways

    def add_flags(self, p: Person) -> None:
        """What the rule says of one listed key person beyond the counts (all nothing for the others)."""
        self.overdue += p.overdue
        self.emergency_high += p.high_risk
        self.open_referrals += p.open_referrals
        self.aged_out += p.aged_out

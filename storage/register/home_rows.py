"""The rows and figures Home shows (storage/register/home.py computes them): plain dataclasses, so the
start-up's quick read of the file needs nothing heavier than the standard library."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.register.policy import DEFAULT_POLICY, Policy

if TYPE_CHECKING:
    from storage.register.benefit_lists import WatchRow


@dataclass(slots=True)
class DueRow:
    id: str
    name: str
    masked_id: str
    grid_code: str
    categories: list[str]
    risk_level: str
    birth_date: dt.date | None
    registered_on: dt.date | None
    last_seen: dt.date | None
    due_on: dt.date
    days_overdue: int
    planned_on: dt.date | None = None  # the next visit the worker typed on the latest visit: their plan
    standing: str | None = None  # in the month of the day asked about: storage.register.due.month_standing

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(slots=True)
class Progress:
    key: str  # category code, grid id, or "" for everyone
    total: int = 0
    visited: int = 0
    overdue: int = 0

    @property
    def share(self) -> float:
        return self.visited / self.total if self.total else 0.0


@dataclass(slots=True)
class ReferralRow:
    id: str
    resident_id: str
    name: str
    agency: str
    reason: str
    status: str
    opened_on: dt.date | None
    due_on: dt.date | None = None  # the follow-up deadline
    level: str | None = None
    department: str = ""

    def overdue(self, today: dt.date) -> bool:
        return self.due_on is not None and self.due_on < today


@dataclass(slots=True)
class VisitRow:
    id: str
    resident_id: str
    name: str
    visit_date: dt.date | None
    method: str
    visitor: str


@dataclass(slots=True)
class GridRow:
    grid_code: str
    name: str
    progress: Progress
    last_bundle: dt.datetime | None = None
    missing: tuple[int, ...] = ()  # numbers of its workers' bundles never merged, below the newest one merged
    people: str = ""  # who keeps its register: "王芳、李敏" (storage/register/grid_people.py)
    # where more than one laptop sends the grid's bundles: (its worker's name, the numbers of its missing ones)
    missing_by: tuple[tuple[str, tuple[int, ...]], ...] = ()


@dataclass
class HomeData:
    today: dt.date
    role: str  # "worker" | "township" | "" (no identity yet)
    grid_code: str | None
    overall: Progress
    policy: Policy = DEFAULT_POLICY  # the visit policy the figures follow (its title says which, since when)
    by_category: list[Progress] = field(default_factory=list)
    overdue: list[DueRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # list name -> full length (lists stop at LIST_LIMIT)
    due_week: list[DueRow] = field(default_factory=list)
    high_risk: list[DueRow] = field(default_factory=list)
    ageing_out: list[tuple[DueRow, dt.date]] = field(default_factory=list)
    referrals: list[ReferralRow] = field(default_factory=list)
    recent: list[VisitRow] = field(default_factory=list)
    grids: list[GridRow] = field(default_factory=list)  # township only
    open_conflicts: int = 0
    possible_duplicates: int = 0  # pairs that may be one person registered twice (township)
    devices_waiting: int = 0  # devices whose bundles wait for the clerk's approval (township)
    nobody_enrolled: bool = False  # a township that has made no enrollment code and knows no worker's device yet
    practice_bundles: int = 0  # a demo township's practice bundles beside it (storage/demo/practice.py), none merged yet
    # findings not acknowledged by the township yet, newest first (storage/register/emergencies.py)
    emergencies: list = field(default_factory=list)
    # storage/register/benefit_lists.py: 应享未享 first, then benefits ending within 30 days
    benefits: list[WatchRow] = field(default_factory=list)
    unpaired: list[WatchRow] = field(default_factory=list)  # should have a paired helper and do not
    # visits left unfinished (storage/register/drafts.py) of residents on Home's lists: (resident id, name), newest
    # first; a draft of someone closed, merged or in another grid is not the worker's to go on with from here
    visit_drafts: list[tuple[str, str]] = field(default_factory=list)
    # a registration left unfinished (the new-resident form's draft, one per database): the name typed in it ("" if
    # none yet); None: no such draft. The form offers it back when opened (n)
    registration_draft: str | None = None
    # key persons the township moved to this worker's grid, not opened nor visited since: (resident id, name), oldest
    # arrival first (storage/register/moved_here.py)
    moved_here: list[tuple[str, str]] = field(default_factory=list)
    registered_here: list[tuple[str, str]] = field(default_factory=list)  # registered in this grid by the township
    arrivals: list[str] = field(default_factory=list)  # both, oldest arrival first: the resident ids t opens
    # the start-up's first figures: the benefit lists and the duplicates' count not read yet, they follow
    # (storage/register/home_later.py)
    later: bool = False

    @property
    def bundles_missing(self) -> int:
        """Gaps in the numbers of the workers' bundles merged (township), from the grids' rows."""
        return sum(len(g.missing) for g in self.grids)

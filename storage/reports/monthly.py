"""The township's monthly report: coverage, overdue, risk, referrals and age-outs.

`monthly_report` is the one function behind the Reports screen, `gridcare
report` and the XLSX/CSV files, so the figures are the same everywhere. The
definitions it follows are written out in docs/reports.md; the SQL is in
storage/register/report_query.py.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.core.china_day import china_today
from storage.core.collector import collector_paused
from storage.core.db import Database, driver_connection
from storage.core.i18n import N_
from storage.core.models import Identity, utc_now
from storage.register import report_query as q
from storage.register.benefit_lists import Watch
from storage.register.categories import RISK_ORDER
from storage.register.due import month_bounds
from storage.register.emergencies import find_emergencies
from storage.register.placed import placements
from storage.register.policy import Policy
from storage.register.policy_text import county_policies_title, policy_title
from storage.reports.beside import Pending, on_own_connection, server_settings, start_beside
from storage.reports.county_passes import Pass, place_names, policy_changes, report_passes, township_of, trend_of
from storage.reports.followup import Followup, assessment_rows, compute_followup, worsened_rows
from storage.reports.lines import Person, ReferralLine, ReportRow, WorkerLine
from storage.reports.months import report_day
from storage.reports.people import Month, place_label, read_people, referral_lines, village_key
from storage.reports.tally import tally
from storage.reports.trend import Trend

if TYPE_CHECKING:
    from sqlmodel import Session

    from storage.register.policy_history import PolicyHistory

Progress = Callable[[int, int], None]
# the coverage sheet's cells of one village and grid: (village, grid, {category: figures}, the grid's subtotal)
Place = tuple[str, str, dict[str, "ReportRow"], "ReportRow"]

GROUPINGS: dict[str, str] = {"township": N_("Township"), "village": N_("Village"), "grid": N_("Grid"),
                             "category": N_("Category")}
# the tables of a report: a county's is per township first (and per village below it)
TOWNSHIP_GROUPINGS = ("village", "grid", "category")
COUNTY_GROUPINGS = ("township", "village", "grid", "category")
MEASURES: dict[str, str] = {
    "key_persons": N_("Key persons"),
    "visited": N_("Visited"),
    "visit_rate": N_("Visit rate"),
    "overdue": N_("Overdue"),
    "emergency_high": N_("Emergency + high risk"),
    "open_referrals": N_("Open referrals"),
    "aged_out": N_("Aged out"),
}
LISTS: dict[str, str] = {
    "not_visited": N_("Not visited this month"),
    "overdue": N_("Overdue"),
    "emergency_high": N_("Emergency and high risk"),
    "open_referrals": N_("Open referrals"),
    "aged_out": N_("Aged out"),
    "visits_by_worker": N_("Visits by worker"),
    "overdue_referrals": N_("Overdue referrals"),
    "worsened": N_("Worsened this month"),
    "emergencies": N_("Emergencies of the month"),
}
# issue #15: the lists a clerk acts on, as on Home (storage/register/benefit_lists.py), on the report day
BENEFIT_LISTS: dict[str, str] = {
    "unclaimed_benefits": N_("Subsidies eligible, not received"),
    "benefits_ending": N_("Benefits ending within 30 days"),
    "unpaired": N_("Not paired with a helper"),
}
LISTS.update(BENEFIT_LISTS)
# which list a figure of the summary drills down to
DRILL: dict[str, str] = {
    "key_persons": "key_persons", "visited": "visited", "visit_rate": "not_visited", "overdue": "overdue",
    "emergency_high": "emergency_high", "open_referrals": "open_referrals", "aged_out": "aged_out",
}


@dataclass
class MonthlyReport:
    year: int
    month: int
    first: dt.date
    last: dt.date
    day: dt.date  # the day overdue, risk and open referrals are taken at
    township_code: str
    township_name: str
    grid_code: str | None  # a worker's report covers their own grid
    grid_name: str
    policy: Policy  # the visit policy the figures were computed under: the one in force on `day` (a county's:
    # the defaults, for the townships that set none by then; each other township's in township_policies)
    generated_at: dt.datetime
    listed: list[Person] = field(default_factory=list)  # the key persons a list names (month_sql: not plain)
    referrals: list[ReferralLine] = field(default_factory=list)
    workers: list[WorkerLine] = field(default_factory=list)
    rows: dict[str, list[ReportRow]] = field(default_factory=dict)
    totals: ReportRow = field(default_factory=lambda: ReportRow(None, ""))
    groupings: tuple[str, ...] = TOWNSHIP_GROUPINGS  # the keys of GROUPINGS this report has tables for
    followup: Followup | None = None  # the assessment, emergency and overdue-referral sheets
    trend: Trend | None = None  # the visit rate in the twelve months up to this one, per grid
    watch: Watch | None = None  # 应享未享, benefits ending, unpaired: on the report day
    township_policies: dict[str, Policy] = field(default_factory=dict)  # a county's: each township's that set one
    policy_replaced_on: dt.date | None = None  # a township's: when another policy took over from `policy` (past month)
    # per (village code, grid id): (village, grid, {category: figures}, the grid's subtotal): the coverage sheet
    places: dict[tuple[str, str], Place] = field(default_factory=dict)
    village_townships: dict[str, set[str]] = field(default_factory=dict)  # a village row's key -> its people's townships
    read_everyone: Callable[[], list[Person]] | None = None  # every key person, one by one (people)
    read_category: Callable[[str], list[Person]] | None = None  # the key persons of one category (of_category)
    read_quiet: Callable[[], list[Person]] | None = None  # the not visited that are not listed (not_visited)
    _everyone: list[Person] | None = None
    _not_visited: list[Person] | None = None
    _in_category: dict[str, list[Person]] = field(default_factory=dict)
    # the Reports screen reads them in its worker while the user may drill down: read once, the other waits
    _reading: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _reading_quiet: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def is_county(self) -> bool:
        return self.groupings == COUNTY_GROUPINGS

    def policy_title(self) -> str:
        """Which policy the figures follow: the database's, or at a county each township's own."""
        if self.is_county:
            return county_policies_title(len(self.township_policies))
        return policy_title(self.policy, self.policy_replaced_on)

    @property
    def people(self) -> list[Person]:
        """Every key person of the month with the rule applied to each (by sort_key): read when first asked
        (a drill-down into all the key persons of a row; at a county, seconds)."""
        with self._reading, collector_paused():
            if self._everyone is None:
                self._everyone = self.read_everyone() if self.read_everyone is not None else list(self.listed)
        return self._everyone

    def of_category(self, category: str) -> list[Person]:
        """A category's key persons: of everyone when read; else read for it alone (a county's first drill into a
        category read all 120,000 key persons: 3.5–4.5 s; its 26,618 left-behind children alone: about 1 s)."""
        with self._reading, collector_paused():
            if self._everyone is None and self.read_category is not None:
                if category not in self._in_category:
                    self._in_category[category] = self.read_category(category)
                return self._in_category[category]
        return [p for p in self.people if category in p.categories]

    @property
    def month_text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def not_visited(self) -> list[Person]:
        """The key persons not visited in the month: the listed ones, and those month_sql counts on its own
        (read when first asked: early in a month, most of a county's key persons)."""
        with self._reading_quiet:
            if self._not_visited is None:
                quiet = self.read_quiet() if self.read_quiet is not None else []
                self._not_visited = sorted([p for p in self.listed if not p.visited] + quiet,
                                           key=lambda p: p.sort_key)
        return self._not_visited

    @property
    def overdue(self) -> list[Person]:
        return sorted((p for p in self.listed if p.overdue), key=lambda p: (-p.days_overdue, p.sort_key))

    @property
    def emergency_high(self) -> list[Person]:
        return sorted((p for p in self.listed if p.high_risk), key=lambda p: (RISK_ORDER[p.risk_level], p.sort_key))

    @property
    def aged_out(self) -> list[Person]:
        return sorted((p for p in self.listed if p.aged_out), key=lambda p: (p.age_out_on, p.sort_key))

    def list_rows(self, name: str) -> list:
        """A list of the report by its key in LISTS (only that one sorted: a county's lists hold 120,000 people,
        and making every list for each one asked for took a second of `gridcare report` at a county)."""
        f = self.followup or Followup()
        w = self.watch or Watch(self.day)
        lists: dict[str, Callable[[], list]] = {
            "not_visited": lambda: self.not_visited, "overdue": lambda: self.overdue,
            "emergency_high": lambda: self.emergency_high, "open_referrals": lambda: self.referrals,
            "aged_out": lambda: self.aged_out, "visits_by_worker": lambda: self.workers,
            "overdue_referrals": lambda: self.overdue_referrals, "worsened": lambda: f.worsened,
            "emergencies": lambda: f.emergencies, "unclaimed_benefits": lambda: w.unclaimed,
            "benefits_ending": lambda: w.ending, "unpaired": lambda: w.unpaired}
        return lists[name]()

    @property
    def overdue_referrals(self) -> list[ReferralLine]:
        """Open on the report day with a follow-up deadline before it, longest overdue first."""
        late = [f for f in self.referrals if f.due_on is not None and f.due_on < self.day]
        return sorted(late, key=lambda f: (f.due_on, f.grid, f.name, f.id))

    def is_read(self, measure: str, grouping: str = "", key: str | None = None) -> bool:
        """Whether the people behind a figure are at hand (else `behind` reads them: seconds at a county)."""
        target = DRILL[measure]
        if target in ("key_persons", "visited"):
            return self._everyone is not None or grouping == "category" and key in self._in_category
        return target != "not_visited" or self._not_visited is not None

    def behind(self, grouping: str, key: str | None, measure: str) -> list:
        """The residents (or referrals) behind one figure of the summary; key None: the totals row."""
        target = DRILL[measure]
        if target == "open_referrals":
            rows: list = self.referrals
        elif target in ("key_persons", "visited"):
            people = self.of_category(key) if grouping == "category" and key is not None else self.people
            rows = [p for p in people if target == "key_persons" or p.visited]
        else:
            rows = self.list_rows(target)
        if key is None:
            return list(rows)
        if grouping == "township":
            return [r for r in rows if r.township_code == key]
        if grouping == "village":  # "": residents with no village yet (at a county, "330521101-": a township's)
            return [r for r in rows if village_key(r.village_code or "", r.township_code, self.is_county) == key]
        if grouping == "grid":
            return [r for r in rows if r.grid_code == key]
        return [r for r in rows if key in r.categories]

    def counts(self) -> dict[str, object]:
        t = self.totals
        return {"month": self.month_text, "key_persons": t.key_persons, "visited": t.visited, "overdue": t.overdue,
                "emergency_high": t.emergency_high, "open_referrals": t.open_referrals, "aged_out": t.aged_out}


def month_of(s: Session, year: int, month: int, today: dt.date, grid_code: str | None,
             township: str | None = None) -> tuple[MonthlyReport, list[Pass], Month, PolicyHistory]:
    """A month's report with no figures yet, what its people are read by (a worker's: its own grid's; a
    county's `township`: that township's alone), and the policies it is counted under."""
    first, last = month_bounds(year, month)
    day = report_day(year, month, today)
    ident = s.get(Identity, 1)
    conn = s.connection()
    if ident is not None and ident.role == "worker":
        grid_code = ident.grid_code
    county = ident is not None and ident.role == "county"
    # the month is counted under the policy in force on its statistics day, not the one in force now
    history = policy_changes(conn, county)
    passes, own = report_passes(history, day, county)
    villages, grids = place_names(conn, county)
    m = Month(first, last, day, grid_code, county, villages, grids, q.township_names(conn) if county else {},
              placements(conn, day), township if county else None)
    report = MonthlyReport(
        year=year, month=month, first=first, last=last, day=day,
        township_code=(ident.county_code if county else ident.township_code) if ident else "",
        township_name=(ident.county_name if county else ident.township_name) if ident else "",
        grid_code=grid_code, grid_name=grids.get(grid_code, grid_code or "") if grid_code else "",
        # a county's: the defaults, which the townships that set none work under
        policy=passes[0].policy, policy_replaced_on=None if county else history.replaced_on(day),
        generated_at=utc_now(), groupings=COUNTY_GROUPINGS if county else TOWNSHIP_GROUPINGS,
        township_policies=own,
    )
    return report, passes, m, history


@collector_paused()  # (a county's: a million objects that live on; storage/core/collector.py)
def monthly_report(db: Database, year: int, month: int, *, today: dt.date | None = None,
                   grid_code: str | None = None, progress: Progress | None = None,
                   with_trend: bool = False, with_lists: bool = False) -> MonthlyReport:
    """The report of one month; `with_trend`: also the rate of the twelve months up to it (about as costly
    again: the workbook, the Reports screen and the terminal show it); `with_lists`: also the not visited that
    not_visited reads when asked, read now beside the rest (the terminal and the files show every list)."""
    step = progress or (lambda done, total: None)
    with db.session() as s:
        conn = s.connection()
        report, passes, m, history = month_of(s, year, month, today or china_today(), grid_code)
        first, last, day, grid_code, grids = m.first, m.last, m.day, m.grid_code, m.grids
        step(0, 5)
        roots = q.alias_roots(conn)
        server_settings(conn)
        # the grouped key persons, visits by worker and the benefit lists: on a server, on a connection of
        # their own while this one reads the rest (storage/reports/beside.py)
        beside = start_beside(db, conn, passes, first, last, day, grid_code, m.placed)
        # the twelve months' rate (one grouped pass over a year of visits: seconds at a county), on a connection of
        # its own too; on SQLite, read here as before the rest
        trend = on_own_connection(db, conn, lambda c: trend_of(c, report, history, grids), "trend") if with_trend \
            else None
        quiet: Pending[list[Person]] | None = None
        try:
            # who worsened and the emergencies name key persons: read one by one with the lists' own
            worse = worsened_rows(conn, first, day)
            found = find_emergencies(driver_connection(s), first, day, grid_code, placed=m.placed)
            extra = sorted({rid for rid, _on, _changes in worse}
                           | {roots.get(e.resident_id, e.resident_id) for e in found})

            def quiet_of(c: Any) -> list[Person]:  # (extra: listed, so never quiet)
                return list(read_people(c, passes, m, roots, listed=extra, quiet=True).values())

            quiet = on_own_connection(db, conn, quiet_of, "quiet") if with_lists else None
            step(1, 5)
            people = read_people(conn, passes, m, roots, listed=extra)
            step(2, 5)
            referral_rows = q.open_referrals(conn, day)
            report.referrals = referral_lines(people, referral_rows, roots, day)
            step(3, 5)
            report.followup = compute_followup(conn, people, worse, found, roots)
            step(4, 5)
        finally:
            for part in (beside, trend, quiet):  # (their connections back in the pool whatever happened here)
                if part is not None:
                    part.settle()
        if trend is not None:
            report.trend = trend.result()
        parts = beside.result()
        groups, worker_rows, report.watch = parts.groups, parts.workers, parts.watch
        report.watch.name_places(lambda row: place_label(m, row.village_code, m.townships.get(
            town := township_of(row.grid_code, row.village_code), town)), grids)

    report.listed = sorted(people.values(), key=lambda p: p.sort_key)
    report.workers = sorted(
        (WorkerLine(visitor or "", g or "", grids.get(g, g or ""), *(int(n or 0) for n in counts))
         for visitor, g, *counts in worker_rows),
        key=lambda w: (w.grid, w.visitor))
    labelled = tally(report, [g for _one, g in groups], m)
    report.followup.assessment_rows, report.followup.assessment_total = assessment_rows(labelled)

    def read_everyone(category: str | None = None) -> list[Person]:
        with db.session() as s:
            conn = s.connection()
            everyone = read_people(conn, passes, m, roots, category=category)
            referral_lines(everyone, q.open_referrals(conn, day), roots, day)  # counts them on each person
        return sorted((p for p in everyone.values() if category is None or category in p.categories),
                      key=lambda p: p.sort_key)

    def read_quiet() -> list[Person]:
        if quiet is not None:
            return quiet.result()
        with db.session() as s:
            conn = s.connection()
            server_settings(conn)
            return quiet_of(conn)

    report.read_everyone, report.read_category, report.read_quiet = read_everyone, read_everyone, read_quiet
    step(5, 5)
    return report


def add_trend(db: Database, report: MonthlyReport) -> Trend:
    """The twelve months' rates up to the report's month, each under the policies in force on its statistics day."""
    with db.session() as s:
        conn = s.connection()
        server_settings(conn)  # its grouped rows sorted in memory, as the report's
        _villages, grids = place_names(conn, report.is_county)
        report.trend = trend_of(conn, report, policy_changes(conn, report.is_county), grids)
    return report.trend

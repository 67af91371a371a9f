"""The township's monthly report: coverage, overdue, risk, referrals and age-outs.

`monthly_report` is the one function behind the Reports screen, `gridcare
report` and the XLSX/CSV files, so the figures are the same everywhere. The
definitions it follows are written out in docs/reports.md; the SQL is in
storage/register/report_query.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storage.core.db import Database, driver_connection
from storage.core.i18n import N_, _
from storage.core.models import Identity, utc_now
from storage.core.places import village_label
from storage.register import report_query as q
from storage.register.benefit_lists import Watch, benefit_watch
from storage.register.categories import RISK_ORDER, SHOWN_CATEGORIES, with_derived
from storage.register.due import IN_PERSON, OTHER_WAYS, DueFacts, days_overdue, due_on, month_bounds, month_standing
from storage.register.policy import Policy, age_on, age_out_date, load_policy
from storage.reports.county_passes import key_persons_of, report_passes, township_of, trend_of
from storage.reports.followup import Followup, compute_followup
from storage.reports.lines import Person, ReferralLine, WorkerLine
from storage.reports.months import report_day
from storage.reports.trend import Trend

Progress = Callable[[int, int], None]

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
HIGH_RISK = ("emergency", "high")


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
        self.key_persons += 1
        self.visited += p.visited
        self.in_person += p.visited_how == IN_PERSON
        self.other_ways += p.visited_how == OTHER_WAYS
        self.overdue += p.overdue
        self.emergency_high += p.high_risk
        self.open_referrals += p.open_referrals
        self.aged_out += p.aged_out


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
    policy: Policy  # the visit policy the figures were computed under (a county's: the defaults, for the
    # townships that set none; each other township's in township_policies)
    generated_at: dt.datetime
    people: list[Person] = field(default_factory=list)
    referrals: list[ReferralLine] = field(default_factory=list)
    workers: list[WorkerLine] = field(default_factory=list)
    rows: dict[str, list[ReportRow]] = field(default_factory=dict)
    totals: ReportRow = field(default_factory=lambda: ReportRow(None, ""))
    groupings: tuple[str, ...] = TOWNSHIP_GROUPINGS  # the keys of GROUPINGS this report has tables for
    followup: Followup | None = None  # the assessment, emergency and overdue-referral sheets
    trend: Trend | None = None  # the visit rate in the twelve months up to this one, per grid
    watch: Watch | None = None  # 应享未享, benefits ending, unpaired: on the report day
    township_policies: dict[str, Policy] = field(default_factory=dict)  # a county's: each township's that set one

    @property
    def month_text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def not_visited(self) -> list[Person]:
        return [p for p in self.people if not p.visited]

    @property
    def overdue(self) -> list[Person]:
        return sorted((p for p in self.people if p.overdue), key=lambda p: (-p.days_overdue, p.sort_key))

    @property
    def emergency_high(self) -> list[Person]:
        return sorted((p for p in self.people if p.high_risk), key=lambda p: (RISK_ORDER[p.risk_level], p.sort_key))

    @property
    def aged_out(self) -> list[Person]:
        return sorted((p for p in self.people if p.aged_out), key=lambda p: (p.age_out_on, p.sort_key))

    def list_rows(self, name: str) -> list:
        """A list of the report by its key in LISTS."""
        f = self.followup or Followup()
        return {"not_visited": self.not_visited, "overdue": self.overdue, "emergency_high": self.emergency_high,
                "open_referrals": self.referrals, "aged_out": self.aged_out,
                "visits_by_worker": self.workers, "overdue_referrals": self.overdue_referrals,
                "worsened": f.worsened, "emergencies": f.emergencies, **self._benefit_lists()}[name]

    def _benefit_lists(self) -> dict[str, list]:
        w = self.watch or Watch(self.day)
        return {"unclaimed_benefits": w.unclaimed, "benefits_ending": w.ending, "unpaired": w.unpaired}

    @property
    def overdue_referrals(self) -> list[ReferralLine]:
        """Open on the report day with a follow-up deadline before it, longest overdue first."""
        late = [f for f in self.referrals if f.due_on is not None and f.due_on < self.day]
        return sorted(late, key=lambda f: (f.due_on, f.grid, f.name, f.id))

    def behind(self, grouping: str, key: str | None, measure: str) -> list:
        """The residents (or referrals) behind one figure of the summary; key None: the totals row."""
        target = DRILL[measure]
        if target == "open_referrals":
            rows: list = self.referrals
        elif target in ("key_persons", "visited"):
            rows = [p for p in self.people if target == "key_persons" or p.visited]
        else:
            rows = self.list_rows(target)
        if key is None:
            return list(rows)
        if grouping == "township":
            return [r for r in rows if r.township_code == key]
        if grouping == "village":
            return [r for r in rows if (r.village_code or "") == key]  # "": residents with no village yet
        if grouping == "grid":
            return [r for r in rows if r.grid_code == key]
        return [r for r in rows if key in r.categories]

    def counts(self) -> dict[str, object]:
        t = self.totals
        return {"month": self.month_text, "key_persons": t.key_persons, "visited": t.visited, "overdue": t.overdue,
                "emergency_high": t.emergency_high, "open_referrals": t.open_referrals, "aged_out": t.aged_out}


def _sort_key(grid: str, name: str, pinyin: str, rid: str) -> tuple:
    return (grid, pinyin or name, name, rid)


def monthly_report(db: Database, year: int, month: int, *, today: dt.date | None = None,
                   grid_code: str | None = None, progress: Progress | None = None,
                   with_trend: bool = False) -> MonthlyReport:
    """The report of one month; `with_trend`: also the rate of the twelve months up to it (about as costly
    again: the workbook, the Reports screen and the terminal show it)."""
    today = today or dt.date.today()
    first, last = month_bounds(year, month)
    day = report_day(year, month, today)
    step = progress or (lambda done, total: None)
    with db.session() as s:
        ident = s.get(Identity, 1)
        policy = load_policy(s)
        conn = s.connection()
        if ident is not None and ident.role == "worker":
            grid_code = ident.grid_code
        county = ident is not None and ident.role == "county"
        villages, grids = q.place_names(conn)
        townships = q.township_names(conn) if county else {}
        report = MonthlyReport(
            year=year, month=month, first=first, last=last, day=day,
            township_code=(ident.county_code if county else ident.township_code) if ident else "",
            township_name=(ident.county_name if county else ident.township_name) if ident else "",
            grid_code=grid_code, grid_name=grids.get(grid_code, grid_code or "") if grid_code else "",
            policy=policy, generated_at=utc_now(), groupings=COUNTY_GROUPINGS if county else TOWNSHIP_GROUPINGS,
        )
        step(0, 5)
        passes, report.township_policies = report_passes(conn, policy, county)
        if county:
            report.policy = passes[0].policy  # the townships that set none work under the defaults
        roots = q.alias_roots(conn)
        rows: dict[str, Any] = {}
        policy_of: dict[str, Policy] = {}
        worker_rows: list = []
        risk_moved: set[str] = set()
        for one in passes:  # one pass per distinct policy of the townships (a township: one)
            part = key_persons_of(conn, one, first, last, day, grid_code, roots, risk_moved)
            rows.update(part)
            policy_of.update(dict.fromkeys(part, one.policy))
            worker_rows += [w for w in q.visits_by_worker(conn, one.policy, first, last, grid_code)
                            if one.has(township_of(w[1] or "", ""))]
        began = q.risk_began(conn, {r.id: r.risk_level for r in rows.values() if r.id not in risk_moved}, day)
        for row in rows.values():  # a duplicate's finding: from its own date
            row.risk_from = row.risk_since if row.id in risk_moved else began.get(row.id, row.risk_since)
        step(2, 5)
        referral_rows = q.open_referrals(conn, day)
        report.watch = benefit_watch(driver_connection(s), day, grid_code)
        report.watch.name_places(villages, grids)
        step(3, 5)
        if with_trend:
            report.trend = trend_of(conn, report, passes, roots, grids)
        step(4, 5)

    people: dict[str, Person] = {}
    for r in rows.values():
        standing = month_standing(first, last, r.registered_on, r.status, r.closed_on, r.visits)
        if standing is None:  # closed in the month before any visit that counts: not a key person of it
            continue
        village = village_label(r.village_code, villages) if r.village_code else _("No village")
        town_code = township_of(r.grid_code, r.village_code)
        town = townships.get(town_code, town_code)
        if county and r.village_code:  # a county's villages are listed below their townships
            village = town + village
        grid = grids.get(r.grid_code, r.grid_code)
        due = due_on(policy_of[r.id], DueFacts(r.last_seen, r.registered_on, r.risk_level, r.risk_from, r.categories,
                                      r.birth_date, r.frequency_override), day)
        open_at_day = r.status != "closed" or (r.closed_on is not None and r.closed_on > day)
        open_at_end = r.status != "closed" or (r.closed_on is not None and r.closed_on > last)
        out_on = age_out_date(r.categories, r.birth_date)
        visited = standing in (IN_PERSON, OTHER_WAYS)
        people[r.id] = Person(
            id=r.id, name=r.name, id_number=r.id_number, sex=r.sex, age=age_on(r.birth_date, day),
            birth_date=r.birth_date, village_code=r.village_code, village=village, grid_code=r.grid_code, grid=grid,
            categories=with_derived(r.categories, age_on(r.birth_date, day)), risk_level=r.risk_level,
            risk_since=r.risk_since, last_seen=r.last_seen,
            due_on=due, days_overdue=days_overdue(due, day) if open_at_day else 0,
            visited=visited, visited_how=standing if visited else None, overdue=open_at_day and due < day,
            high_risk=open_at_day and r.risk_level in HIGH_RISK,
            aged_out=out_on is not None and out_on <= last and (open_at_end or r.close_reason == "aged_out"),
            age_out_on=out_on, status=r.status, closed_on=r.closed_on, close_reason=r.close_reason, close_note=r.close_note,
            sort_key=_sort_key(grid, r.name, r.pinyin, r.id), township_code=town_code, township=town,
        )
    for ref_id, resident_id, agency, reason, status, opened_on, level, department, due in referral_rows:
        p = people.get(roots.get(resident_id, resident_id))
        if p is None:
            continue
        p.open_referrals += 1
        report.referrals.append(ReferralLine(
            id=ref_id, resident_id=p.id, name=p.name, id_number=p.id_number, village_code=p.village_code,
            village=p.village, grid_code=p.grid_code, grid=p.grid, categories=p.categories, agency=agency,
            reason=reason, status=status, opened_on=opened_on,
            days_open=(day - opened_on).days if opened_on else None, township_code=p.township_code, level=level,
            department=department, due_on=due, days_overdue=(day - due).days if due else None))
    report.referrals.sort(key=lambda f: (f.opened_on or dt.date.min, f.grid, f.name, f.id))
    report.people = sorted(people.values(), key=lambda p: p.sort_key)
    report.workers = sorted(
        (WorkerLine(visitor or "", g or "", grids.get(g, g or ""), *(int(n or 0) for n in counts))
         for visitor, g, *counts in worker_rows),
        key=lambda w: (w.grid, w.visitor))
    _tally(report, villages, grids)
    with db.session() as s:
        report.followup = compute_followup(s.connection(), report, roots)
    step(5, 5)
    return report


def add_trend(db: Database, report: MonthlyReport) -> Trend:
    """The twelve months' rates up to the report's month, under the policies the report was computed with."""
    with db.session() as s:
        conn = s.connection()
        _villages, grids = q.place_names(conn)
        ident = s.get(Identity, 1)
        passes, _own = report_passes(conn, report.policy, ident is not None and ident.role == "county")
        report.trend = trend_of(conn, report, passes, q.alias_roots(conn), grids)
    return report.trend


def _tally(report: MonthlyReport, villages: dict[str, str], grids: dict[str, str]) -> None:
    by: dict[str, dict[str, ReportRow]] = {g: {} for g in GROUPINGS}
    total = ReportRow(None, N_("Total"))  # translated where shown: see shown_label
    for p in report.people:
        total.add(p)
        keys = {"township": [p.township_code], "village": [p.village_code], "grid": [p.grid_code],
                "category": p.categories}
        for grouping, codes in keys.items():
            for code in codes:
                row = by[grouping].get(code)
                if row is None:
                    label = {"township": p.township, "village": p.village, "grid": p.grid}.get(grouping) or _(
                        SHOWN_CATEGORIES.get(code, code))
                    row = by[grouping][code] = ReportRow(code, label)
                row.add(p)
    order = {c: i for i, c in enumerate(SHOWN_CATEGORIES)}
    rows = {
        "township": sorted(by["township"].values(), key=lambda r: r.key or ""),
        "village": sorted(by["village"].values(), key=lambda r: (r.key == "", r.key)),
        "grid": sorted(by["grid"].values(), key=lambda r: r.key or ""),
        "category": sorted(by["category"].values(), key=lambda r: (order.get(r.key, len(order)), r.key)),
    }
    report.rows = {g: rows[g] for g in report.groupings}  # a township's report has no table of townships
    report.totals = total

"""The monthly report's follow-up sheets: the six-dimension assessment, emergencies, overdue referrals.

Computed for the key persons of the month (storage/reports/monthly.py), so every figure here
counts the same people as the rest of the report. Definitions: docs/reports.md.

- Assessment per village: each key person's latest assessment on or before the report day;
  how many are 中度 / 重度 on each dimension (a household here is a registered key person).
- Worsened this month: an assessment dated in the month that grades a dimension worse than the
  assessment before it (不适用 compares with nothing).
- Emergencies of the month: findings (storage/register/emergencies.py) dated in the month, with
  the response: hours from the finding to the township's acknowledgement, days to the next visit.
- Overdue referrals: open on the report day, with a follow-up deadline before it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.core.db import driver_connection
from storage.register.assessments import DIMENSIONS, Worsening, worsened
from storage.register.report_query import as_date, text

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from storage.reports.lines import Person
    from storage.reports.monthly import MonthlyReport


@dataclass(slots=True)
class AssessmentRow:
    key: str | None  # village code; None for the totals
    label: str
    key_persons: int = 0
    assessed: int = 0
    moderate: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0))
    severe: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0))

    @property
    def not_assessed(self) -> int:
        return self.key_persons - self.assessed


@dataclass(slots=True)
class WorsenedLine:
    person: Person
    assessed_on: dt.date
    changes: list[Worsening]

    def __getattr__(self, name: str) -> Any:  # the person's columns (name, village, grid...) as the lists have them
        return getattr(self.person, name)


@dataclass(slots=True)
class EmergencyLine:
    person: Person
    key: str
    found_on: dt.date
    found_at: dt.datetime
    mandatory: bool
    emergency_level: bool
    acknowledged_at: dt.datetime | None
    acknowledged_by: str
    hours_to_acknowledge: float | None
    next_visit_on: dt.date | None
    days_to_next_visit: int | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.person, name)


@dataclass
class Followup:
    assessment_rows: list[AssessmentRow] = field(default_factory=list)
    assessment_total: AssessmentRow = field(default_factory=lambda: AssessmentRow(None, ""))
    worsened: list[WorsenedLine] = field(default_factory=list)
    emergencies: list[EmergencyLine] = field(default_factory=list)

    @property
    def worsened_residents(self) -> int:
        return len({w.person.id for w in self.worsened})


_GRADES_SQL = ("SELECT a.id, a.resident_id, a.assessed_on, " + ", ".join(f"a.{d}" for d in DIMENSIONS) +
               ", (SELECT min(e.hlc) FROM event e WHERE e.record_type = 'assessment' AND e.record_id = a.id)"
               " FROM assessment a WHERE NOT a.deleted AND a.assessed_on <= :day")


def _histories(conn: Connection, day: dt.date, roots: dict[str, str], wanted: set[str]) -> dict[str, list[dict]]:
    """Each key person's assessments up to `day` (with merged duplicates' ones), oldest first."""
    out: dict[str, list[tuple]] = {}
    for row in conn.execute(text(_GRADES_SQL), {"day": day.isoformat()}):
        rid = roots.get(row[1], row[1])
        if rid in wanted:
            grades = dict(zip(DIMENSIONS, row[3:3 + len(DIMENSIONS)], strict=True))
            out.setdefault(rid, []).append((as_date(row[2]), row[-1] or 0, row[0], grades))
    return {rid: [{"assessed_on": d, **g} for d, _h, _i, g in sorted(rows, key=lambda r: r[:3])]
            for rid, rows in out.items()}


def compute_followup(conn: Connection, report: MonthlyReport, roots: dict[str, str]) -> Followup:
    """The follow-up sheets of `report` (its people already computed)."""
    from storage.register.emergencies import find_emergencies, with_next_visits

    people = {p.id: p for p in report.people}
    out = Followup()
    histories = _histories(conn, report.day, roots, set(people))
    rows: dict[str, AssessmentRow] = {}
    total = out.assessment_total
    for p in report.people:
        row = rows.get(p.village_code)
        if row is None:
            row = rows[p.village_code] = AssessmentRow(p.village_code, p.village)
        history = histories.get(p.id, [])
        for target in (row, total):
            target.key_persons += 1
            target.assessed += bool(history)
            for dim in DIMENSIONS:
                grade = history[-1][dim] if history else None
                target.moderate[dim] += grade == "moderate"
                target.severe[dim] += grade == "severe"
        for before, after in zip([None, *history[:-1]] if history else [], history, strict=True):
            if before is not None and report.first <= after["assessed_on"] <= report.day:
                changes = worsened(after, before)
                if changes:
                    out.worsened.append(WorsenedLine(p, after["assessed_on"], changes))
    out.assessment_rows = sorted(rows.values(), key=lambda r: (r.key == "", r.key))
    out.worsened.sort(key=lambda w: (w.person.sort_key, w.assessed_on))
    raw = driver_connection(conn)  # sqlite3's, or the server's behind sqlite3's calls
    found = [e for e in find_emergencies(raw, report.first, report.day, report.grid_code)
             if roots.get(e.resident_id, e.resident_id) in people]
    for e in with_next_visits(raw, found):
        out.emergencies.append(EmergencyLine(
            people[roots.get(e.resident_id, e.resident_id)], e.key, e.found_on, e.found_at, e.mandatory,
            e.emergency_level, e.acknowledged_at, e.acknowledged_by, e.hours_to_acknowledge(), e.next_visit_on,
            e.days_to_next_visit()))
    out.emergencies.sort(key=lambda e: (e.found_at, e.key))
    return out


def notes_of(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}

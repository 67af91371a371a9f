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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storage.core import json_text
from storage.core.db import driver_connection
from storage.register.assessments import DIMENSIONS, Worsening, worsened
from storage.register.report_query import as_date, text

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from storage.reports.lines import Person


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


def worsened_rows(conn: Connection, first: dt.date, day: dt.date) -> list[tuple[str, dt.date, list[Worsening]]]:
    """(record, date, what worsened) of each assessment dated first..day that grades a dimension worse than the
    assessment before it (a merged duplicate's assessments in its record's history); one query, every resident."""
    from storage.reports.month_sql import ROOTS_CTES, assessment_ctes

    before = "".join(f", lag(ah.{d}) OVER w AS before_{d}" for d in DIMENSIONS)
    sql = (f"{ROOTS_CTES}, {assessment_ctes(assessed_in_month=True)} SELECT * FROM (SELECT ah.rid, ah.assessed_on,"
           + ", ".join(f" ah.{d}" for d in DIMENSIONS) + f", lag(ah.id) OVER w AS before_id{before}"
           " FROM ah WINDOW w AS (PARTITION BY ah.rid ORDER BY ah.assessed_on, ah.tie, ah.id)) x"
           " WHERE x.assessed_on >= :first AND x.before_id IS NOT NULL")
    n = len(DIMENSIONS)
    out = []
    for row in conn.execute(text(sql), {"first": first.isoformat(), "day": day.isoformat()}).all():
        changes = worsened(dict(zip(DIMENSIONS, row[2:2 + n], strict=True)),
                           dict(zip(DIMENSIONS, row[3 + n:3 + 2 * n], strict=True)))
        on = as_date(row[1])
        if changes and on is not None:
            out.append((row[0], on, changes))
    return out


def assessment_rows(groups: list[tuple[str, str, Any]]) -> tuple[list[AssessmentRow], AssessmentRow]:
    """The assessment sheet per village and its total, from month_sql's groups ((village code, label, group))."""
    rows: dict[str, AssessmentRow] = {}
    total = AssessmentRow(None, "")
    for code, label, g in groups:
        row = rows.get(code)
        if row is None:
            row = rows[code] = AssessmentRow(code, label)
        for target in (row, total):
            target.key_persons += g.key_persons
            target.assessed += g.assessed
            for dim in DIMENSIONS:
                target.moderate[dim] += g.moderate[dim]
                target.severe[dim] += g.severe[dim]
    from storage.reports.people import village_order

    return sorted(rows.values(), key=lambda r: village_order(r.key)), total


def compute_followup(conn: Connection, people: dict[str, Person], worse: list[tuple[str, dt.date, list[Worsening]]], found: list[Any],
                     roots: dict[str, str]) -> Followup:
    """The follow-up lists of `report`: who worsened (`worse`) and the emergencies (`found`, from
    find_emergencies) among its key persons (`people` holds each of them that is in either)."""
    from storage.register.emergencies import with_next_visits

    out = Followup()
    out.worsened = [WorsenedLine(people[rid], on, changes) for rid, on, changes in worse if rid in people]
    out.worsened.sort(key=lambda w: (w.person.sort_key, w.assessed_on))
    raw = driver_connection(conn)  # sqlite3's, or the server's behind sqlite3's calls
    found = [e for e in found if roots.get(e.resident_id, e.resident_id) in people]
    for e in with_next_visits(raw, found):
        out.emergencies.append(EmergencyLine(
            people[roots.get(e.resident_id, e.resident_id)], e.key, e.found_on, e.found_at, e.mandatory,
            e.emergency_level, e.acknowledged_at, e.acknowledged_by, e.hours_to_acknowledge(), e.next_visit_on,
            e.days_to_next_visit()))
    out.emergencies.sort(key=lambda e: (e.found_at, e.key))
    return out


def notes_of(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        value = json_text.loads(value)
    return value if isinstance(value, dict) else {}

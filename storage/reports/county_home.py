"""A county's Home: its townships at a glance, the last bundle each sent, its emergencies, the month's rate.

The figures are the monthly report's (storage/reports/monthly.py) for the month so far, per township:
one definition of "key person", "visited", "overdue" and "at risk" for the county's screen, its report
and each township's own report. The bundles are the county's bookkeeping of what each township sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from storage.core.db import Database
    from storage.reports.lines import Person

EMERGENCY_LIMIT = 200  # rows of the emergencies list (the report lists them all)


@dataclass(slots=True)
class TownshipGlance:
    code: str
    name: str
    key_persons: int = 0
    visited: int = 0
    overdue: int = 0
    emergency_high: int = 0
    last_bundle: dt.datetime | None = None  # when the county last merged a bundle of this township
    last_seq: int = 0
    missing: list[int] = field(default_factory=list)  # bundle numbers not received

    @property
    def visit_rate(self) -> float | None:
        return self.visited / self.key_persons if self.key_persons else None


@dataclass
class CountyHome:
    today: dt.date
    county_code: str
    county_name: str
    month_text: str
    totals: TownshipGlance
    townships: list[TownshipGlance] = field(default_factory=list)
    emergencies: list[Person] = field(default_factory=list)  # emergency level now, oldest finding first
    emergency_count: int = 0


def county_home(db: Database, today: dt.date) -> CountyHome:
    from sqlalchemy import func, select
    from sqlmodel import col

    from storage.core.bundle_gaps import missing_numbers
    from storage.core.models import BundleReceived, Device, Enrollment, Identity, Township
    from storage.reports.monthly import monthly_report

    report = monthly_report(db, today.year, today.month, today=today)
    with db.session() as s:
        ident = s.get(Identity, 1)
        names: dict[str, str] = dict(s.execute(
            select(col(Township.id), col(Township.name)).where(col(Township.deleted).is_(False))).all())
        sent = s.execute(
            select(col(Device.township_code), func.max(BundleReceived.merged_at), func.max(BundleReceived.seq))
            .join(Device, col(Device.device_id) == col(BundleReceived.device_id))
            .where(col(Device.kind) == "township").group_by(col(Device.township_code))).all()
        received = s.execute(select(col(Device.township_code), col(Device.device_id), col(BundleReceived.seq),
                                    col(BundleReceived.full))
                             .join(Device, col(Device.device_id) == col(BundleReceived.device_id))
                             .where(col(Device.kind) == "township")).all()
        # townships the county expects to hear from: given an enrollment code, or a key approved, but maybe silent
        # (at a county an enrollment names the township in grid_code, with its name; a device's name is its clerk's)
        expected: list[tuple[str, str]] = [
            (str(code), str(name or "")) for code, name in s.execute(
                select(col(Enrollment.grid_code), col(Enrollment.worker_name))).all()]
        expected += [(str(row[0]), "") for row in s.execute(select(col(Device.township_code)).where(
            col(Device.kind) == "township", col(Device.status) == "approved")).all()]
    glances: dict[str, TownshipGlance] = {}

    def glance(code: str) -> TownshipGlance:
        if code not in glances:
            glances[code] = TownshipGlance(code, names.get(code, code))
        return glances[code]

    for row in report.rows.get("township", []):
        g = glance(row.key or "")
        g.key_persons, g.visited, g.overdue, g.emergency_high = row.key_persons, row.visited, row.overdue, row.emergency_high
    for code, when, seq in sent:
        g = glance(str(code))
        g.last_bundle = when if isinstance(when, dt.datetime) or when is None else dt.datetime.fromisoformat(str(when))
        g.last_seq = int(cast(int, seq) or 0)
    for code, name in expected:  # a silent township is on the list too, its last bundle "never"
        if name and not names.get(code):
            names[code] = name
        glance(code)
    got: dict[tuple[str, str], list[tuple[int, bool]]] = {}
    for code, device, seq, full in received:
        got.setdefault((str(code), str(device)), []).append((int(cast(int, seq)), bool(full)))
    for (code, _device), seqs in sorted(got.items()):  # each sender's gaps, as merge_paths names them
        glance(code).missing += missing_numbers(seqs)
    t = report.totals
    totals = TownshipGlance("", "", t.key_persons, t.visited, t.overdue, t.emergency_high)
    emergencies = sorted((p for p in report.listed if p.high_risk and p.risk_level == "emergency"),
                         key=lambda p: (p.risk_since or dt.date.min, p.sort_key))
    return CountyHome(today=today, county_code=ident.county_code if ident else "",
                      county_name=ident.county_name if ident else "", month_text=report.month_text, totals=totals,
                      townships=sorted(glances.values(), key=lambda g: g.code),
                      emergencies=emergencies[:EMERGENCY_LIMIT], emergency_count=len(emergencies))

"""Emergency findings, and the township's acknowledgement of each.

An emergency finding is
- a visit with 须立即上报 ticked (`mandatory_report`), or
- a risk assessment (a visit's `risk_after`, or a risk change) that puts the resident at the
  emergency level when the assessment before it did not: re-confirming an emergency on the daily
  follow-up visits is follow-up, not a new finding.

Each has a key, "visit:<visit id>" or "risk:<risk record id>", which is also the id of its
acknowledgement record (`emergency_ack`), written by the township only. Nothing here is
stored: findings are read off the visits and the risk history, on any database.

When it was found: the clock of the event that made it an emergency (the moment it was saved
on the worker's laptop), never before the start of the day the visit is dated; the age shown
at the township counts from there. Everything reads through a DB-API connection with plain
SQL, as Home does (storage/register/home.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage.core import hlc
from storage.core.china_day import china_day_start
from storage.core.db import Database, driver_connection
from storage.core.errors import UserError
from storage.core.i18n import _, moment_text
from storage.core.json_text import json_object
from storage.core.offices import person_text
from storage.register.report_query import as_date

if TYPE_CHECKING:
    from collections.abc import Mapping

    from storage.core.models import RiskAssessment, Visit

log = logging.getLogger(__name__)

HORIZON_DAYS = 30  # Home lists findings of the last 30 days not yet acknowledged; the report keeps them all
LEVEL = "emergency"


@dataclass(slots=True)
class Emergency:
    key: str
    resident_id: str
    name: str
    grid_code: str
    village_code: str | None
    found_on: dt.date
    found_at: dt.datetime  # UTC
    mandatory: bool  # 须立即上报 was ticked
    emergency_level: bool  # the finding set the risk to emergency
    visit_id: str | None
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str = ""
    next_visit_on: dt.date | None = None  # the first visit after the finding (the report's response time)
    keys: tuple[str, ...] = ()  # every finding of the resident that day: `key` is the first of them

    def age_hours(self, now: dt.datetime) -> int:
        return max(0, int((now - self.found_at).total_seconds() // 3600))

    def hours_to_acknowledge(self) -> float | None:
        if self.acknowledged_at is None:
            return None
        return max(0.0, (self.acknowledged_at - self.found_at).total_seconds() / 3600)

    def days_to_next_visit(self) -> int | None:
        return None if self.next_visit_on is None else (self.next_visit_on - self.found_on).days


MAX_NOTE = 200  # an acknowledgement's note (a merge refuses a longer one: storage/register/field_rules.py)


def parse_key(key: str) -> tuple[str, str]:
    """("visit" | "risk", record id) of an emergency key; UserError for anything else."""
    kind, _sep, rid = (key or "").partition(":")
    if kind not in ("visit", "risk") or not rid:
        raise UserError(_("No such emergency: {key}.").format(key=key))
    return kind, rid


def _chunks(ids: list[str], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _fields(value: Any) -> dict[str, Any]:
    """An event's fields as the list reads them: a change edited into text that is not JSON marks nothing (the
    finding is still listed, from its record; its time from the next change that marks it, or its day), as a
    change that is not an object marks nothing."""
    found = json_object(value)
    if found is None:
        log.warning("an emergency finding's change is not JSON: read as marking nothing")
        return {}
    return found


def _previous_levels(raw: sqlite3.Connection, rows: list[tuple]) -> dict[str, str | None]:
    """Risk row id -> the level of the resident's assessment just before it (by date, then clock), or None.

    One read of the candidates' residents' histories (ix_risk_resident), not a query per candidate.
    """
    residents = sorted({r[1] for r in rows})
    history: dict[str, list[tuple]] = {}
    for chunk in _chunks(residents):
        for rid, resident, day, stamp, level in raw.execute(
                "SELECT id, resident_id, assessed_on, hlc, level FROM risk_assessment WHERE NOT deleted"
                f" AND resident_id IN ({_marks(len(chunk))})", chunk).fetchall():
            history.setdefault(resident, []).append((day or "", stamp or 0, rid, level))
    out: dict[str, str | None] = {}
    for rid, resident, day, stamp in rows:
        before = [h for h in history.get(resident, ()) if h[2] != rid and (h[0], h[1]) < (day or "", stamp or 0)]
        out[rid] = max(before)[3] if before else None
    return out


def _ticked(raw: Any) -> str:
    """Visits ticked 须立即上报: SQLite finds them by the partial index only if the query's term is the
    index's own (`= 1`); PostgreSQL has no boolean = integer, and its index says the same thing as a boolean."""
    return "mandatory_report = 1" if isinstance(raw, sqlite3.Connection) else "mandatory_report"


def _candidates(raw: sqlite3.Connection, since: dt.date, until: dt.date) -> dict[str, dict[str, Any]]:
    """key -> what may be a finding, dated since..until: every assessment at the emergency level (whether it
    raised the level is `_escalations`' question), and every visit ticked 须立即上报."""
    found: dict[str, dict[str, Any]] = {}
    span = (since.isoformat(), until.isoformat())
    for rid, resident, day, stamp in raw.execute(
            "SELECT id, resident_id, assessed_on, hlc FROM risk_assessment WHERE level = 'emergency'"
            " AND NOT deleted AND assessed_on BETWEEN ? AND ?", span).fetchall():
        visit = rid[len("visit:"):] if rid.startswith("visit:") else None
        found[rid if visit else "risk:" + rid] = {"resident_id": resident, "day": day, "visit_id": visit,
                                                  "mandatory": False, "level": True, "risk": (rid, stamp)}
    for vid, resident, day in raw.execute(
            f"SELECT id, resident_id, visit_date FROM visit WHERE {_ticked(raw)} AND NOT deleted"
            " AND visit_date BETWEEN ? AND ?", span).fetchall():
        entry = found.setdefault("visit:" + vid, {"resident_id": resident, "day": day, "visit_id": vid, "level": False})
        entry["mandatory"] = True
    return found


def _escalations(raw: sqlite3.Connection, found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The candidates that are findings: an emergency level counts only where the level before it was not."""
    rows = [(f["risk"][0], f["resident_id"], f["day"], f["risk"][1]) for f in found.values() if f.get("risk")]
    previous = _previous_levels(raw, rows) if rows else {}
    out = {}
    for key, f in found.items():
        if f.get("risk") and previous[f["risk"][0]] == LEVEL:  # a follow-up that confirms the emergency
            if not f["mandatory"]:
                continue
            f = {**f, "level": False}
        out[key] = f
    return out


def _marked(kind: str, fields: dict[str, Any]) -> bool:
    """Whether an event of a visit or risk record makes it an emergency finding."""
    if kind == "visit":
        return fields.get("risk_after") == LEVEL or bool(fields.get("mandatory_report"))
    return fields.get("level") == LEVEL


def _found_at(raw: sqlite3.Connection, keys: list[str]) -> dict[str, int]:
    """key -> the clock of the first event that made the record an emergency finding."""
    by_kind: dict[str, list[str]] = {"visit": [], "risk": []}
    for key in keys:
        kind, rid = key.split(":", 1)
        by_kind[kind].append(rid)
    out: dict[str, int] = {}
    for kind, ids in by_kind.items():
        for chunk in _chunks(sorted(ids)):
            for rid, stamp, fields in raw.execute(
                    f"SELECT record_id, hlc, fields FROM event WHERE record_type = ? AND record_id IN ({_marks(len(chunk))})"
                    " ORDER BY hlc", (kind, *chunk)).fetchall():
                key = f"{kind}:{rid}"
                if key not in out and _marked(kind, _fields(fields)):
                    out[key] = stamp
    return out


def _instant(stamp: int | None, day: dt.date) -> dt.datetime:
    start = china_day_start(day)  # a visit dated a day was made no earlier than its start, in China
    if not stamp:
        return start
    return max(start, dt.datetime.fromtimestamp(hlc.wall_ms(stamp) / 1000, dt.timezone.utc))


def parse_instant(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def find_emergencies(source: Any, since: dt.date, until: dt.date, grid_code: str | None = None, *,
                     open_only: bool = False, placed: Mapping[str, tuple[str, str]] | None = None) -> list[Emergency]:
    """Every emergency finding dated since..until (of one grid, or all), newest first, with its acknowledgement.

    `source`: a Session or a sqlite3 connection. `open_only`: only those not acknowledged (Home's question:
    the acknowledged ones, most of them, are set aside before the work of telling findings from follow-ups).
    `placed`: a past month's report's (storage/register/placed.py): the grid and village of a key person moved
    since, as on the report's day, instead of today's.
    """
    raw = driver_connection(source)
    found = _candidates(raw, since, until)
    if not found:
        return []
    residents: dict[str, tuple] = {}
    ids = sorted({f["resident_id"] for f in found.values()})
    for chunk in _chunks(ids):
        for row in raw.execute(
                "SELECT id, name, grid_code, village_code, merged_into, deleted FROM resident"
                f" WHERE id IN ({_marks(len(chunk))})", chunk).fetchall():
            residents[row[0]] = row
    acks: dict[str, tuple] = {}
    for chunk in _chunks(sorted(found)):
        for key, at, by in raw.execute(
                "SELECT id, acknowledged_at, acknowledged_by FROM emergency_ack WHERE NOT deleted"
                f" AND id IN ({_marks(len(chunk))})", chunk).fetchall():
            acks[key] = (parse_instant(at), by or "")

    def incident(f: dict[str, Any]) -> tuple[str, str]:
        r = residents.get(f["resident_id"])
        return ((r[4] or r[0]) if r else f["resident_id"], f["day"])

    if open_only:
        done = {incident(found[key]) for key in acks}
        found = {key: f for key, f in found.items() if incident(f) not in done}
    found = _escalations(raw, found)
    keys = sorted(found)
    stamps = _found_at(raw, keys)
    # one incident, one finding: a resident's findings of one day (the risk raised on the resident page,
    # then the visit with 须立即上报 ticked) are one, under the key of the first; acknowledged if any is
    groups: dict[tuple[str, str], Emergency] = {}
    for key in sorted(keys, key=lambda k: (stamps.get(k, 0), k)):
        f = found[key]
        r = residents.get(f["resident_id"])
        if r is None or r[5]:  # a resident not (or no longer) on this database
            continue
        grid, village = (placed or {}).get(r[4] or r[0]) or (r[2], r[3])
        if grid_code and grid != grid_code:
            continue
        day = as_date(f["day"])
        if day is None:  # (never: _candidates chose the finding by its day)
            continue
        at, by = acks.get(key, (None, ""))
        e = groups.get((r[4] or r[0], f["day"]))
        if e is None:
            groups[(r[4] or r[0], f["day"])] = Emergency(
                key=key, resident_id=r[4] or r[0], name=r[1] or "", grid_code=grid or "", village_code=village,
                found_on=day, found_at=_instant(stamps.get(key), day), mandatory=f["mandatory"],
                emergency_level=f["level"], visit_id=f["visit_id"], acknowledged_at=at, acknowledged_by=by,
                keys=(key,))
            continue
        e.keys += (key,)
        e.mandatory, e.emergency_level = e.mandatory or f["mandatory"], e.emergency_level or f["level"]
        e.visit_id = e.visit_id or f["visit_id"]
        if at is not None and (e.acknowledged_at is None or at < e.acknowledged_at):
            e.acknowledged_at, e.acknowledged_by = at, by
    out = list(groups.values())
    out.sort(key=lambda e: (e.found_at, e.key), reverse=True)
    return out


def open_emergencies(source: Any, today: dt.date, grid_code: str | None = None) -> list[Emergency]:
    """Findings of the last HORIZON_DAYS not acknowledged yet, newest first: the top of Home."""
    return [e for e in find_emergencies(source, today - dt.timedelta(days=HORIZON_DAYS), today, grid_code,
                                        open_only=True) if e.acknowledged_at is None]


def with_next_visits(source: Any, emergencies: list[Emergency]) -> list[Emergency]:
    """Fill in each finding's next visit: the first visit of the resident made after it.

    One query per 500 residents (a county's month has thousands of findings), and the clock of a visit
    read only for one on the day of the finding: a later day is after it whatever the clocks say.
    """
    raw = driver_connection(source)
    if not emergencies:
        return emergencies
    since = min(e.found_on for e in emergencies).isoformat()
    visits: dict[str, list[tuple[str, dt.date]]] = {}
    for chunk in _chunks(sorted({e.resident_id for e in emergencies})):
        for rid, vid, day in raw.execute(
                f"SELECT v.resident_id, v.id, v.visit_date FROM visit v WHERE v.resident_id IN ({_marks(len(chunk))})"
                " AND NOT v.deleted AND v.visit_date >= ?", (*chunk, since)):
            when = as_date(day)
            if when is not None:
                visits.setdefault(rid, []).append((vid, when))
    same_day = sorted({vid for e in emergencies for vid, when in visits.get(e.resident_id, ()) if when == e.found_on})
    stamps: dict[str, int] = {}
    for chunk in _chunks(same_day):
        stamps.update(raw.execute(f"SELECT record_id, min(hlc) FROM event WHERE record_type = 'visit' AND record_id"
                                  f" IN ({_marks(len(chunk))}) GROUP BY record_id", chunk).fetchall())
    for e in emergencies:
        found_stamp = hlc.pack(int(e.found_at.timestamp() * 1000), 0)
        # in date order (ties as the old per-resident query left them: by id, a stable order on both engines)
        for vid, when in sorted(visits.get(e.resident_id, ()), key=lambda v: (v[1], v[0])):
            if vid == e.visit_id or when < e.found_on:
                continue
            if when > e.found_on or (stamps.get(vid) or 0) > found_stamp:
                e.next_visit_on = when
                break
    return emergencies


def finding_source(s: Any, kind: str, rid: str) -> tuple[Visit | RiskAssessment | None, dt.date | None]:
    """The visit or risk assessment behind a finding's key, and its day (None, None: no such record)."""
    from storage.core.models import RiskAssessment, Visit

    if kind == "visit":
        visit = s.get(Visit, rid)
        return visit, (visit.visit_date if visit is not None else None)
    risk = s.get(RiskAssessment, rid)
    return risk, (risk.assessed_on if risk is not None else None)


def acknowledge(db: Database, key: str, *, note: str = "", now: dt.datetime | None = None):
    """The township acknowledges a finding: an event, so every copy (and the worker, by the return bundle) agrees."""
    from storage.core.changes import load_identity, writer
    from storage.core.models import EmergencyAck

    kind, rid = parse_key(key)
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise UserError(_("Too long: at most {n} characters.").format(n=MAX_NOTE))
    with db.write() as s:
        ident = load_identity(s)
        if ident.role != "township":
            raise UserError(_("Only the township acknowledges emergencies."))
        source, day = finding_source(s, kind, rid)
        group = [e for e in find_emergencies(s, day, day) if key in e.keys] if source and not source.deleted and day else []
        if source is None or not group:
            raise UserError(_("No such emergency: {key}.").format(key=key))
        if group[0].acknowledged_at is not None:
            raise UserError(_("Already acknowledged by {who} at {when}.").format(
                who=person_text(group[0].acknowledged_by), when=moment_text(group[0].acknowledged_at)))
        w = writer(s)
        w.write("emergency_ack", key, {"resident_id": source.resident_id, "acknowledged_at": now.isoformat(),
                                       "acknowledged_by": ident.worker_name or ident.township_name, "note": note})
        s.flush()
        return s.get(EmergencyAck, key)


def finding_of_visit(db: Database, visit_id: str) -> str | None:
    """The key of the finding this visit is, or None (a visit that is no emergency finding)."""
    from storage.core.models import Visit

    with db.session() as s:
        v = s.get(Visit, visit_id)
        if v is None or v.deleted or v.visit_date is None or not (v.mandatory_report or v.risk_after == LEVEL):
            return None
        key = "visit:" + visit_id
        found = [e for e in find_emergencies(s, v.visit_date, v.visit_date) if key in e.keys]
        return key if found else None


def latest_finding(db: Database, resident_id: str, day: dt.date, kind: str = "risk") -> str | None:
    """The key of the newest finding of `kind` about a resident dated `day` (after a risk change), or None."""
    with db.session() as s:
        keys = [k for e in find_emergencies(s, day, day) if e.resident_id == resident_id for k in e.keys
                if k.startswith(kind + ":")]
    return keys[-1] if keys else None


def finding_words(e) -> str:
    """What an emergency finding is, in words: "紧急、须立即上报" / "Emergency; to be reported at once"."""
    from storage.register.categories import RISK_LEVELS, label

    level = label(RISK_LEVELS, "emergency") if e.emergency_level else ""
    if level and e.mandatory:  # one phrase: the English list joined the label "Must be…" after a comma
        return _("{level}; to be reported at once").format(level=level)
    return level or (_("Must be reported at once") if e.mandatory else "")

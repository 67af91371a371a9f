"""SQLModel tables.

Two kinds of table live here:

* the change log (`Event`) and local bookkeeping (`Identity`, `Device`,
  `BundleReceived`, `AuditEntry`) — never derived, never synced as state;
* the current state that screens read (`Resident`, `Visit`, ...). Every row of
  these is derived from the events of its record (see storage/core/changes.py), so
  two databases holding the same events hold the same state.

Cross-record references (a visit's resident) carry no foreign key: bundles may
arrive in any order, so a visit can legitimately be merged before the resident
it belongs to.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, Index, String, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class UtcDateTime(TypeDecorator):
    """An instant stored as ISO 8601 text in UTC; naive values are taken as UTC.

    Our own type, so that every sqlmodel release (0.0.48 on Python 3.10,
    0.0.50 on 3.11+, which differ on naive datetimes) stores the same thing.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        parsed = dt.datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _instant(**kw) -> Any:
    return Field(sa_column=Column(UtcDateTime(), **kw))


def _clock(**kw) -> Any:
    """A hybrid logical clock value: 64 bits (PostgreSQL's INTEGER is 32; SQLite's INTEGER is 64 either way)."""
    return Field(sa_type=BigInteger, **kw)


def _optional_instant() -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))

# --- change log and local bookkeeping ---------------------------------------


class Event(SQLModel, table=True):
    """One write by one person: the fields it sets on one record."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_record", "record_type", "record_id"),
        Index("ix_event_export", "device_id", "exported_seq"),
    )

    id: str = Field(primary_key=True)  # f"{device_id}-{hlc}": unique, deterministic
    record_type: str
    record_id: str
    fields: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    hlc: int = _clock()
    device_id: str
    base_hlc: int = _clock(default=0)  # the newest event of this record the writer had seen
    author: str = ""
    # local only: the bundle of this device that carried the event (None: not yet); on a township
    # database, the bundle to the county that carried it (storage/sync/county_export.py)
    exported_seq: Optional[int] = None


class Identity(SQLModel, table=True):
    """Who this database is: one row, created by `init` (or `demo`)."""

    __tablename__ = "identity"

    id: int = Field(default=1, primary_key=True)
    role: str  # "worker" | "township" | "county"
    device_id: str
    township_code: str
    township_name: str
    grid_code: Optional[str] = None
    grid_name: Optional[str] = None
    worker_name: str = ""
    created_at: dt.datetime = _instant(nullable=False)
    last_hlc: int = _clock(default=0)
    # public keys (see storage/core/keys.py); the private ones are in <database>.keys
    device_age_recipient: str = ""
    device_sign_public: str = ""
    township_age_recipient: str = ""
    township_sign_public: str = ""
    # schema 2 held the private keys here; since schema 3 always empty (storage/core/private_keys.py).
    # Kept as columns: an old file's NOT NULL columns must still accept a new identity row.
    device_age_secret: str = ""
    device_sign_secret: str = ""
    township_age_secret: str = ""
    township_sign_secret: str = ""
    demo: bool = False
    # worker role: the proof of the clerk's enrollment code, sent in every bundle's manifest
    # (an HMAC over this device's keys and grid, storage/core/enrollment.py); "" if set up without one.
    # township role: the same proof of the county's code (over its device keys and the township),
    # sent in every bundle to the county (storage/sync/county_trust.py)
    enroll_proof: str = ""
    # the county level (schema 9): a county database's code, name and public keys; a township's county
    # and that county's public key. The county's private keys are in <database>.keys too.
    county_code: str = ""
    county_name: str = ""
    county_age_recipient: str = ""
    county_sign_public: str = ""


class Device(SQLModel, table=True):
    """Devices whose bundles this township merges: enrolled by a code, or approved by the clerk.

    A device writes only its own grid's records (storage/sync/authorise.py). Revoked: its
    bundles are refused from then on (a lost laptop); what it sent before stays.
    """

    __tablename__ = "device"

    device_id: str = Field(primary_key=True)
    sign_public: str
    age_recipient: str = ""
    kind: str = "worker"
    township_code: str = ""
    grid_code: Optional[str] = None
    worker_name: str = ""
    first_seen: dt.datetime = _instant(nullable=False)
    last_seen: dt.datetime = _instant(nullable=False)
    status: str = "approved"  # approved | revoked
    enrolled_by: str = ""  # code | clerk | first use (registered before enrollment existed)
    revoked_at: Optional[dt.datetime] = _optional_instant()


class DeviceRequest(SQLModel, table=True):
    """A device whose bundle came without a valid enrollment proof: it waits for the clerk.

    Keyed by device id AND key: an impostor claiming a real device's id (ids are readable in
    file names) waits beside it and never takes its place.
    """

    __tablename__ = "device_request"

    device_id: str = Field(primary_key=True)
    sign_public: str = Field(primary_key=True)
    age_recipient: str = ""
    kind: str = "worker"
    township_code: str = ""
    grid_code: Optional[str] = None  # the grid it claims
    worker_name: str = ""  # the name it claims
    status: str = "waiting"  # waiting | rejected
    reason: str = ""  # no_code | bad_code | code_used
    first_seen: dt.datetime = _instant(nullable=False)
    last_seen: dt.datetime = _instant(nullable=False)
    # the bundle files that waited (merged again once the device is approved)
    files: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Enrollment(SQLModel, table=True):
    """A one-time enrollment code the clerk gave a worker. Only a key derived from the code
    (scrypt) is kept: enough to check a device's proof, not to read the code back."""

    __tablename__ = "enrollment"

    id: str = Field(primary_key=True)
    township_code: str
    grid_code: str  # grid id (township-grid)
    worker_name: str = ""
    code_key: str  # hex
    created_at: dt.datetime = _instant(nullable=False)
    used_by: Optional[str] = None  # the device enrolled with it
    used_at: Optional[dt.datetime] = _optional_instant()


class BundleReceived(SQLModel, table=True):
    __tablename__ = "bundle_received"

    device_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    file_name: str = ""
    payload_sha256: str = ""
    event_count: int = 0
    merged_at: dt.datetime = _instant(nullable=False)


class CountyExport(SQLModel, table=True):
    """A township's bundles to its county: numbered on their own, so the county can name a missing one."""

    __tablename__ = "county_export"

    seq: int = Field(primary_key=True)
    file_name: str = ""
    payload_sha256: str = ""
    event_count: int = 0
    full: bool = False
    written_at: dt.datetime = _instant(nullable=False)


class BundleRefused(SQLModel, table=True):
    """A bundle refused for what it holds (a damaged or oversized payload, a value no record may hold),
    by its signed checksum: merging the folder again says so without unpacking it again (issue #19).

    `release`: the gridcare release that refused it; a later release reads the bundle again, since
    what it accepts may have grown (a record type or code it learnt).
    """

    __tablename__ = "bundle_refused"

    payload_sha256: str = Field(primary_key=True)
    release: str = ""
    code: str = ""
    message: str = ""
    file_name: str = ""
    refused_at: dt.datetime = _instant(nullable=False)


class AuditEntry(SQLModel, table=True):
    """Who exported, merged, reported, backed up or restored what, and when."""

    __tablename__ = "audit_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime = _instant(nullable=False)
    actor: str = ""
    action: str
    file: str = ""
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --- derived state ------------------------------------------------------------


class Township(SQLModel, table=True):
    __tablename__ = "township"

    id: str = Field(primary_key=True)  # township code
    name: str = ""
    deleted: bool = False


class Village(SQLModel, table=True):
    __tablename__ = "village"

    id: str = Field(primary_key=True)  # 12-digit statistical code
    name: str = ""
    township_code: str = ""
    deleted: bool = False


class Grid(SQLModel, table=True):
    __tablename__ = "grid"

    id: str = Field(primary_key=True)  # f"{township_code}-{grid code}"
    code: str = ""
    name: str = ""
    township_code: str = ""
    village_code: Optional[str] = None
    worker_name: str = ""
    deleted: bool = False


class Resident(SQLModel, table=True):
    __tablename__ = "resident"
    __table_args__ = (
        Index("ix_resident_grid", "grid_code", "status"),
        Index("ix_resident_initials", "name_initials"),
        Index("ix_resident_id_rev", "id_rev"),
        Index("ix_resident_phone", "phone"),
    )

    id: str = Field(primary_key=True)
    name: str = Field(default="", index=True)
    name_initials: str = ""  # "zs cs": every reading, see storage/register/names.py
    name_pinyin: str = ""
    id_number: Optional[str] = Field(default=None, index=True)
    id_rev: Optional[str] = None  # reversed ID number: the tail search is a prefix search
    sex: Optional[str] = None  # "M" | "F"
    birth_date: Optional[dt.date] = None
    phone: str = ""
    address: str = ""
    township_code: str = ""
    village_code: Optional[str] = None
    grid_code: str = ""  # grid id (township-grid)
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    child_subtype: Optional[str] = None
    guardian_name: str = ""
    guardian_phone: str = ""
    guardian_relation: str = ""
    father_name: str = ""
    father_status: str = ""
    mother_name: str = ""
    mother_status: str = ""
    disability_card: Optional[str] = None
    disability_category: Optional[int] = None
    disability_grade: Optional[int] = None
    risk_level: str = "low"  # derived: the latest RiskAssessment
    visit_frequency_days: Optional[int] = None  # per-resident override of the policy
    status: str = "active"  # "active" | "closed"
    close_reason: str = ""
    closed_on: Optional[dt.date] = None
    close_note: str = ""  # the remark made when closing (schema 10; before it, appended to notes)
    registered_on: Optional[dt.date] = None
    notes: str = ""
    merged_into: Optional[str] = None  # duplicate merged into another resident
    # the paired helper (结对帮扶人) belongs to the resident, not to a visit (schema 4)
    helper_name: str = ""
    helper_phone: str = ""
    helper_unit: str = ""
    helper_since: Optional[dt.date] = None
    deleted: bool = False


class Visit(SQLModel, table=True):
    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_resident_date", "resident_id", "visit_date"),
        Index("ix_visit_date", "visit_date"),
        # the few visits ticked 须立即上报, found without reading a month of visits (storage/register/emergencies.py)
        Index("ix_visit_mandatory", "visit_date", sqlite_where=text("mandatory_report = 1"),
              postgresql_where=text("mandatory_report")),
    )

    id: str = Field(primary_key=True)
    resident_id: str = ""
    grid_code: str = ""
    visit_date: Optional[dt.date] = None
    method: str = "home"  # home | phone | video | proxy
    visitor: str = ""
    met_with: str = ""
    resident_seen: bool = True  # seen in person (见到本人): a home visit that found the person
    # the person themself was reached: seen on a home visit, spoken with on a phone or video call
    # (联系到本人); never on a visit through someone else. Visits recorded before schema 4 have
    # it from storage/core/visit_contact.py when their events do not set it.
    contact_made: Optional[bool] = None
    observations: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    hazards: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    risk_after: Optional[str] = None
    mandatory_report: bool = False
    next_visit_on: Optional[dt.date] = None
    notes: str = ""
    deleted: bool = False


class Referral(SQLModel, table=True):
    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_resident", "resident_id"), Index("ix_referral_status", "status"))

    id: str = Field(primary_key=True)
    resident_id: str = ""
    visit_id: Optional[str] = None
    agency: str = ""  # minzheng | police | school | clinic | disabled_fed | women_fed | other
    reason: str = ""
    status: str = "open"  # open | in_progress | closed
    opened_on: Optional[dt.date] = None
    closed_on: Optional[dt.date] = None
    outcome: str = ""
    level: Optional[str] = None  # the level it goes to: village | township | county (None: older records)
    department: str = ""  # the office at that level, as the worker names it
    due_on: Optional[dt.date] = None  # follow up by this day; overdue while open after it
    deleted: bool = False


class RiskAssessment(SQLModel, table=True):
    """Risk history. Rows come from `risk` events and from visits with `risk_after`."""

    __tablename__ = "risk_assessment"
    __table_args__ = (Index("ix_risk_resident", "resident_id", "assessed_on"),
                      Index("ix_risk_level", "level", "assessed_on"))  # emergencies: storage/register/emergencies.py

    id: str = Field(primary_key=True)  # the risk record id, or "visit:" + visit id
    resident_id: str = ""
    level: str = "low"
    reason: str = ""
    assessed_on: Optional[dt.date] = None
    assessor: str = ""
    source: str = "manual"  # manual | visit
    hlc: int = _clock(default=0)
    deleted: bool = False


class Benefit(SQLModel, table=True):
    """One period of an assistance status (低保对象, 特困人员, ...) or of a subsidy received (两项补贴).

    Kinds: storage/register/categories.py BENEFIT_KINDS. Whether a resident should receive a
    subsidy is computed (storage/register/eligibility.py), never stored.
    """

    __tablename__ = "benefit"
    __table_args__ = (Index("ix_benefit_resident", "resident_id"),)

    id: str = Field(primary_key=True)
    resident_id: str = ""
    kind: str = ""
    start_on: Optional[dt.date] = None  # None: since a date nobody recorded
    end_on: Optional[dt.date] = None  # None: open-ended
    note: str = ""
    deleted: bool = False


class Assessment(SQLModel, table=True):
    """The six-dimension assessment (docs/design.md §1): one grade per dimension, at registration or a visit.

    Every dimension is graded, 不适用 included, so a missing grade never reads as "no difficulty".
    Codes: storage/register/assessments.py (GRADES).
    """

    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_resident", "resident_id", "assessed_on"),)

    id: str = Field(primary_key=True)
    resident_id: str = ""
    visit_id: Optional[str] = None  # None: made at registration or on its own
    assessed_on: Optional[dt.date] = None
    assessor: str = ""
    economy: Optional[str] = None
    health: Optional[str] = None
    education: Optional[str] = None
    housing: Optional[str] = None
    employment: Optional[str] = None
    social: Optional[str] = None
    notes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # dimension -> note
    deleted: bool = False


class EmergencyAck(SQLModel, table=True):
    """The township's acknowledgement of an emergency finding (storage/register/emergencies.py).

    The id is the finding's key ("visit:<id>" or "risk:<id>"), so every copy that holds the
    acknowledgement agrees on what it acknowledges, and a second one is an edit of the first.
    """

    __tablename__ = "emergency_ack"
    __table_args__ = (Index("ix_emergency_ack_resident", "resident_id"),)

    id: str = Field(primary_key=True)
    resident_id: str = ""  # the finding's resident: the return bundle of its grid carries it
    acknowledged_at: str = ""  # ISO 8601 instant in UTC (text: the same bytes on every path)
    acknowledged_by: str = ""
    note: str = ""
    deleted: bool = False


class Setting(SQLModel, table=True):
    """Township-wide settings (visit policy), synced like any record."""

    __tablename__ = "setting"

    id: str = Field(primary_key=True)
    value: Any = Field(default=None, sa_column=Column(JSON))
    deleted: bool = False


class Conflict(SQLModel, table=True):
    """A field two people edited without seeing each other's edit (derived)."""

    __tablename__ = "conflict"
    __table_args__ = (Index("ix_conflict_record", "record_type", "record_id"),)

    id: str = Field(primary_key=True)  # record_type:record_id:field:loser event
    record_type: str
    record_id: str
    field: str
    winner_event: str
    winner_value: Any = Field(default=None, sa_column=Column(JSON))
    winner_author: str = ""
    winner_device: str = ""
    winner_hlc: int = _clock(default=0)
    loser_event: str
    loser_value: Any = Field(default=None, sa_column=Column(JSON))
    loser_author: str = ""
    loser_device: str = ""
    loser_hlc: int = _clock(default=0)


# record_type in the change log -> state table
RECORD_TABLES: dict[str, type[SQLModel]] = {
    "township": Township,
    "village": Village,
    "grid": Grid,
    "resident": Resident,
    "visit": Visit,
    "referral": Referral,
    "risk": RiskAssessment,
    "benefit": Benefit,
    "setting": Setting,
    "assessment": Assessment,
    "emergency_ack": EmergencyAck,
}

# fields a record's events may not set: derived or bookkeeping
DERIVED_FIELDS: dict[str, frozenset[str]] = {
    "resident": frozenset({"id", "risk_level", "id_rev", "deleted"}),
    "risk": frozenset({"id", "hlc", "source", "deleted"}),
}

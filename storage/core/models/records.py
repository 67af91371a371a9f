"""The record tables: the current state screens read, one table per record type of the change log.

Every row is derived from the events of its record (storage/core/changes.py), so two databases holding the
same events hold the same state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from storage.core.models.columns import CodeList, FlatObject, clock_field


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
    # the village's name as the grid's worker gave it (schema 11): a worker's village record stays on its laptop,
    # so the township and the county name a village they hold no record of by this (places.village_names)
    village_name: str = ""
    worker_name: str = ""
    deleted: bool = False


# the register search's prefix stages on a server, each in its order: the name, the pinyin initials, the ID number's
# tail (its reverse's prefix), the phone
SEARCH_ORDERS = {"name": ("name",), "initials": ("name_initials", "name"), "id_rev": ("id_rev",), "phone": ("phone",)}


_GUARDIAN_DIGITS = "replace(guardian_phone, '-', '')"
PG_PHONE_INDEXES = (("phone_rev", "reverse(phone)", None),
                    ("guardian_digits", _GUARDIAN_DIGITS, text("guardian_phone <> ''")),
                    ("guardian_rev", f"reverse({_GUARDIAN_DIGITS})", text("guardian_phone <> ''")))


class Resident(SQLModel, table=True):
    __tablename__ = "resident"
    __table_args__ = (
        Index("ix_resident_grid", "grid_code", "status"),
        Index("ix_resident_initials", "name_initials"),
        Index("ix_resident_id_rev", "id_rev"),
        Index("ix_resident_phone", "phone"),
        # the names with more than one reading ("zs cs", a fifth of them), whose other readings a search scans
        # (storage/register/search_sql.py EngineSql.other_reading): the scan reads these, not every resident
        Index("ix_resident_initials_other", "name_initials", sqlite_where=text("instr(name_initials, ' ') > 0"),
              postgresql_where=text("strpos(name_initials, ' ') > 0")),
        # the children found by their guardian's phone (storage/register/search_stages.py): a scan of this index's
        # ~40,000 entries at a county, 17 ms, where a scan of the table took 69 ms a keystroke
        Index("ix_resident_guardian_phone", "guardian_phone", sqlite_where=text("guardian_phone <> ''"),
              postgresql_where=text("guardian_phone <> ''")),
        # the few merged duplicates, found at each register search without reading every resident
        # (storage/register/search_merged.py)
        Index("ix_resident_merged", "merged_into", sqlite_where=text("merged_into IS NOT NULL"),
              postgresql_where=text("merged_into IS NOT NULL")),
        # the register's order (storage/register/search.py BROWSE_ORDER, byte by byte), so that a page of a due
        # filter on a server walks it and stops at 50 rather than judging 120,000 residents and sorting them
        # (a county's overdue page 1.6 s → 0.02 s). Not on SQLite: a file has no statistics to choose it well by,
        # and a township's pages take 20–70 ms without it.
        Index("ix_resident_browse", text('name_pinyin COLLATE "C"'), text('name COLLATE "C"'), "id")
        .ddl_if(dialect="postgresql"),
        # the search's prefix stages compare byte by byte there too (`COLLATE "C"`: the upper bound of a prefix is
        # a byte's), which an index in the database's collation cannot serve, even when that collation is C: one per
        # stage, in the stage's order (storage/register/search.py _stages)
        *(Index(f"ix_resident_{name}_c", *(text(f'{c} COLLATE "C"') for c in columns), "id")
          .ddl_if(dialect="postgresql") for name, columns in SEARCH_ORDERS.items()),
        # a phone's end (the last digits a clerk reads off a call) as the prefix of its reverse, and a guardian's
        # number without its dash, from either end: each a range of an index where the LIKEs read the whole table
        # on a server (a county's tail typed: 60-80 ms a stage; storage/register/search_stages.py)
        *(Index(f"ix_resident_{name}_c", text(f'{expr} COLLATE "C"'), postgresql_where=where).ddl_if(dialect="postgresql")
          for name, expr, where in PG_PHONE_INDEXES),
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
    categories: list[str] = Field(default_factory=list, sa_column=Column(CodeList, nullable=False))
    flags: list[str] = Field(default_factory=list, sa_column=Column(CodeList, nullable=False))
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
    observations: dict[str, Any] = Field(default_factory=dict, sa_column=Column(FlatObject, nullable=False))
    hazards: list[str] = Field(default_factory=list, sa_column=Column(CodeList, nullable=False))
    needs: list[str] = Field(default_factory=list, sa_column=Column(CodeList, nullable=False))
    services: list[str] = Field(default_factory=list, sa_column=Column(CodeList, nullable=False))
    risk_after: Optional[str] = None
    mandatory_report: bool = False
    next_visit_on: Optional[dt.date] = None
    notes: str = ""
    delete_reason: str = ""  # why it was deleted, written with the deletion (schema 12)
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
    delete_reason: str = ""  # why it was deleted (with its visit), written with the deletion (schema 12)
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
    hlc: int = clock_field(default=0)
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
    notes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(FlatObject, nullable=False))  # dimension: note
    delete_reason: str = ""  # why it was deleted (with its visit), written with the deletion (schema 12)
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

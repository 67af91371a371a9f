"""The change log (`Event`) and the identity that writes it (`Identity`: this database's device, role, clock and keys).

Neither is derived from events; `Identity` never travels.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from storage.core.models.columns import clock_field, instant_field


class Event(SQLModel, table=True):
    """One write by one person: the fields it sets on one record."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_record", "record_type", "record_id"),
        Index("ix_event_export", "device_id", "exported_seq"),
        # the residents whose grid or village was written after a past report's day (storage/register/placed.py):
        # found among the few resident events since, not by reading every resident's
        Index("ix_event_resident_clock", "hlc", sqlite_where=text("record_type = 'resident'"),
              postgresql_where=text("record_type = 'resident'")),
    )

    id: str = Field(primary_key=True)  # f"{device_id}-{hlc}": unique, deterministic
    record_type: str
    record_id: str
    fields: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    hlc: int = clock_field()
    device_id: str
    base_hlc: int = clock_field(default=0)  # the newest event of this record the writer had seen
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
    created_at: dt.datetime = instant_field(nullable=False)
    last_hlc: int = clock_field(default=0)
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

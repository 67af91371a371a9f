"""What a database keeps of the others it exchanges bundles with: the devices it merges (enrolled, waiting,
the enrollment codes), and the bundles received, sent to the county and refused. Local: never synced.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.core.models.columns import instant_field, optional_instant_field


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
    first_seen: dt.datetime = instant_field(nullable=False)
    last_seen: dt.datetime = instant_field(nullable=False)
    status: str = "approved"  # approved | revoked
    enrolled_by: str = ""  # code | clerk | first use (registered before enrollment existed)
    revoked_at: Optional[dt.datetime] = optional_instant_field()


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
    first_seen: dt.datetime = instant_field(nullable=False)
    last_seen: dt.datetime = instant_field(nullable=False)
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
    created_at: dt.datetime = instant_field(nullable=False)
    used_by: Optional[str] = None  # the device enrolled with it
    used_at: Optional[dt.datetime] = optional_instant_field()


class BundleReceived(SQLModel, table=True):
    __tablename__ = "bundle_received"

    device_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    file_name: str = ""
    payload_sha256: str = ""
    event_count: int = 0
    merged_at: dt.datetime = instant_field(nullable=False)
    # a full bundle carries everything its device wrote before it: the numbers below it are no longer missing
    full: bool = False


class CountyExport(SQLModel, table=True):
    """A township's bundles to its county: numbered on their own, so the county can name a missing one."""

    __tablename__ = "county_export"

    seq: int = Field(primary_key=True)
    file_name: str = ""
    payload_sha256: str = ""
    event_count: int = 0
    full: bool = False
    written_at: dt.datetime = instant_field(nullable=False)


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
    refused_at: dt.datetime = instant_field(nullable=False)

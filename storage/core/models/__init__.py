"""SQLModel tables, one module per subject; every name is importable from here (`from storage.core.models import Visit`).

Two kinds of table live here:

* the change log and local bookkeeping — never derived, never synced as state: `Event` and `Identity`
  (log.py), the devices and bundles of sync (sync.py), `AuditEntry` (audit.py);
* the current state that screens read: the record tables (records.py, `Resident`, `Visit`, ...) and
  `Conflict` (conflicts.py). Every row of these is derived from the events of its record (see
  storage/core/changes.py), so two databases holding the same events hold the same state.

Cross-record references (a visit's resident) carry no foreign key: bundles may
arrive in any order, so a visit can legitimately be merged before the resident
it belongs to.
"""

# The modules are imported in this order on purpose: a table is registered on SQLModel.metadata when its class is
# defined, and create_all makes a new database's tables in that order (the order of `sqlite3 DB .schema`), which
# stays what it was when every table was in one file.
# isort: off
from storage.core.models.columns import UtcDateTime, utc_now
from storage.core.models.log import Event, Identity
from storage.core.models.sync import BundleReceived, BundleRefused, CountyExport, Device, DeviceRequest, Enrollment
from storage.core.models.audit import AuditEntry
from storage.core.models.records import (
    DERIVED_FIELDS,
    RECORD_TABLES,
    Assessment,
    Benefit,
    EmergencyAck,
    Grid,
    Referral,
    Resident,
    RiskAssessment,
    Setting,
    Township,
    Village,
    Visit,
)
from storage.core.models.conflicts import Conflict
# isort: on

__all__ = [
    "DERIVED_FIELDS",
    "RECORD_TABLES",
    "Assessment",
    "AuditEntry",
    "Benefit",
    "BundleReceived",
    "BundleRefused",
    "Conflict",
    "CountyExport",
    "Device",
    "DeviceRequest",
    "EmergencyAck",
    "Enrollment",
    "Event",
    "Grid",
    "Identity",
    "Referral",
    "Resident",
    "RiskAssessment",
    "Setting",
    "Township",
    "UtcDateTime",
    "Village",
    "Visit",
    "utc_now",
]

"""What a state row holds that no event sets, and the one way an event is stamped.

Every way of writing state goes through these: the ORM write of one event
(`storage.core.changes.Writer`), the set-based fold of a merge or a roster import
(`storage.core.fold.rebuild`) and the demo generator's rows (`storage.core.fold.state_row`).
So a record folded by any of them is the same row.

Light on purpose (no SQLAlchemy): the schema upgrade (storage/core/db.py) uses `id_rev`
before the ORM is imported at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storage.core.visit_contact import legacy_contact

Getter = Callable[[str], Any]  # reads one column of a state row, whatever its form (dict, ORM object, tuple)


def id_rev(number: str | None) -> str | None:
    """A resident's ID number reversed: the "last digits" search is then an index prefix."""
    return number[::-1] if number else None


def event_id(device_id: str, hlc: int) -> str:
    """Unique and deterministic: one device never stamps two events with one clock value."""
    return f"{device_id}-{hlc}"


def stamp_event(device_id: str, author: str, record_type: str, record_id: str, fields: dict[str, Any], hlc: int,
                base_hlc: int) -> dict[str, Any]:
    """One change event as the log (and a bundle) holds it; `fields` are JSON values already.

    The base is kept below the event's own clock: a record may hold an event stamped past this device's
    clock (between 2099 and the horizon, storage/core/hlc.py OBSERVE_CEILING), and a base at or above
    the event's clock is refused by every merge as malformed.
    """
    return {"id": event_id(device_id, hlc), "record_type": record_type, "record_id": record_id, "fields": fields,
            "hlc": hlc, "device_id": device_id, "base_hlc": min(base_hlc, hlc - 1), "author": author}


# --- derive(): the columns no event sets, per record type -----------------------------------------
# `get` reads the record's folded field values, the model's default for a field no event set;
# `newest` is the clock of its newest event.

def _plain(record_id: str, get: Getter, deleted: bool, newest: int) -> dict[str, Any]:
    return {"id": record_id, "deleted": deleted}


def _resident(record_id: str, get: Getter, deleted: bool, newest: int) -> dict[str, Any]:
    return {"id": record_id, "deleted": deleted, "id_rev": id_rev(get("id_number"))}


def _risk(record_id: str, get: Getter, deleted: bool, newest: int) -> dict[str, Any]:
    # assessments of one day are ordered by the clock of their newest event
    return {"id": record_id, "deleted": deleted, "hlc": newest}


Deriver = Callable[[str, Getter, bool, int], dict[str, Any]]  # (record id, get, deleted, newest) -> columns
def _visit(record_id: str, get: Getter, deleted: bool, newest: int) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record_id, "deleted": deleted}
    if get("contact_made") is None:  # recorded before the app asked (schema < 4): storage/core/visit_contact.py
        out["contact_made"] = legacy_contact(get("method"), get("resident_seen"), get("met_with"))
    return out


_DERIVE: dict[str, Deriver] = {"resident": _resident, "risk": _risk, "visit": _visit}


def deriver(record_type: str) -> Deriver:
    """`derive` for one record type (a bulk fold looks it up once, not per row)."""
    return _DERIVE.get(record_type, _plain)


def derive(record_type: str, record_id: str, get: Getter, deleted: bool, newest: int) -> dict[str, Any]:
    """The columns of a record's state row that no event sets: id, deleted, and those derived from fields."""
    return deriver(record_type)(record_id, get, deleted, newest)


def visit_risk(get: Getter, newest: int) -> dict[str, Any] | None:
    """The risk assessment a visit makes: it exists iff the visit re-assessed the risk (risk_after set).

    `get` reads the visit's state row; the result holds the risk row's columns (the rest default).
    """
    if get("deleted") or not get("risk_after"):
        return None
    return {"id": visit_risk_id(get("id")), "resident_id": get("resident_id"), "level": get("risk_after"),
            "assessed_on": get("visit_date"), "assessor": get("visitor"), "source": "visit", "reason": "",
            "hlc": newest, "deleted": False}


def visit_risk_id(visit_id: str) -> str:
    return "visit:" + visit_id


# The column of a state row naming the resident whose risk level (the latest assessment) a new
# state of the record may move. A refolded resident starts from defaults, so its risk comes from
# its assessments again; a visit's risk row and a risk assessment move their resident's.
RISK_OWNER: dict[str, str] = {"resident": "id", "risk": "resident_id", "visit": "resident_id"}

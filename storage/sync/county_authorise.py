"""Which township a record belongs to: the check a county runs on each chunk of a township's bundle.

The county's twin of storage/sync/authorise.py (a worker device writes only its own grid's records at
its township): a township's key speaks only for its own township's records. A township never holds
another township's records (it refuses its workers' events that name another township), so one event of
a township's bundle that touches another township's record refuses the bundle whole. A record belongs to a
township:
- by its id: the `township` record is the township's code; a grid's id is `{township}-{code}`; a village's,
  its 12-digit code (county 6 + township 3 + village 3) or `{township}-{name}`;
- by the fields its events set: `township_code`, and the grid (`grid_code`) and village (`village_code`)
  they put it in, known by their ids as above;
- a resident, also by its state at the county (its `township_code`); a resident it is merged into
  (`merged_into`) must be the township's too;
- visits, referrals, risk and benefit records, assessments and acknowledgements of emergencies, by their
  resident: the one the county holds them under, and the one the event sets.
Settings (the visit policy) are every township's under one id, told apart by the device that wrote them
(storage/register/township_policies.py): storage/sync/county_trust.py refuses another township's device.

Lookups are per chunk, a set of ids to a table (never a query per event). What this cannot see, as at a
township: a record the county has never seen, set in no township by the event (an edit of another
township's resident, arriving before that township's first bundle). Record ids are 64 random bits and a
township only learns its own records' ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from storage.core.i18n import _
from storage.core.models import Assessment, Benefit, EmergencyAck, Referral, Resident, RiskAssessment, Township, Visit
from storage.core.text import printable
from storage.sync.authorise import NotAllowed, _rows

# records that belong to a resident (resident_id): the township of that resident decides
_OWNED = {"visit": Visit, "referral": Referral, "risk": RiskAssessment, "benefit": Benefit,
          "assessment": Assessment, "emergency_ack": EmergencyAck}


def place_township(place_id: Any) -> str:
    """The township a grid or village id names (`330521101-G01`, `330521101201`, `330521101-柳溪村`)."""
    text = str(place_id)
    if len(text) == 12 and text.isdigit():
        return text[:9]
    return text.split("-", 1)[0] if "-" in text else text


def _label(ev: dict[str, Any]) -> str:
    return printable(f"{ev['record_type']} {ev['record_id']}", limit=60)


def own_records_check(s: Session, township: str) -> Callable[[list[dict[str, Any]]], None]:
    """Raise NotAllowed (naming the first record at fault and its township) unless every event of a chunk
    touches only township `township`'s records."""

    def deny(ev: dict[str, Any], other: Any) -> NotAllowed:
        code = printable(str(other), limit=20)
        known = s.get(Township, str(other))
        name = printable(known.name, limit=20) if known is not None and known.name else ""
        where = _("{code} ({name})").format(code=code, name=name) if name else code
        return NotAllowed(_("record {record} belongs to township {other}, not to {township}; a township sends only "
                            "its own records.").format(record=_label(ev), other=where, township=township))

    def check(chunk: list[dict[str, Any]]) -> None:
        residents: dict[str, dict[str, Any]] = {}  # resident id -> the first event about it
        owned: dict[str, dict[str, dict[str, Any]]] = {}  # record type -> record id -> its first event
        for ev in chunk:
            rtype, rid, fields = ev["record_type"], ev["record_id"], ev["fields"]
            if "township_code" in fields and fields["township_code"] != township:
                raise deny(ev, fields["township_code"])
            for name in ("grid_code", "village_code"):
                place = fields.get(name)
                if place and place_township(place) != township:  # (None: a resident taken out of a village)
                    raise deny(ev, place_township(place))
            if rtype == "township" and rid != township:
                raise deny(ev, rid)
            if rtype in ("grid", "village") and place_township(rid) != township:
                raise deny(ev, place_township(rid))
            if rtype == "resident":
                residents.setdefault(rid, ev)
                if isinstance(fields.get("merged_into"), str):
                    residents.setdefault(fields["merged_into"], ev)
            elif rtype in _OWNED:
                owned.setdefault(rtype, {}).setdefault(rid, ev)
                if isinstance(fields.get("resident_id"), str):
                    residents.setdefault(fields["resident_id"], ev)
        for rtype, events in owned.items():  # the resident the county holds each record under
            for rid, holder in _rows(s, _OWNED[rtype], "resident_id", events).items():
                if holder and isinstance(holder, str):
                    residents.setdefault(holder, events[rid])
        if not residents:
            return
        for rid, code in _rows(s, Resident, "township_code", residents).items():
            if code and code != township:
                raise deny(residents[rid], code)

    return check

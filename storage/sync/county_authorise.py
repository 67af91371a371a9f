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

    dash = f"{township}-"

    def ours(place: Any) -> bool:
        """A grid or village id of this township (as place_township reads it, without its cost per event)."""
        return type(place) is str and (place.startswith(dash) or (
            len(place) == 12 and place.startswith(township) and place.isdigit()))

    def check(chunk: list[dict[str, Any]]) -> None:
        # a pass over the events with no lookup: sets of ids (a county's bundle is 20,000 events a chunk)
        residents: set[str] = set()  # the residents the chunk's events concern: their own, or their records'
        owned: dict[str, set[str]] = {rtype: set() for rtype in _OWNED}
        for ev in chunk:
            rtype, rid, fields = ev["record_type"], ev["record_id"], ev["fields"]
            if fields.get("township_code", township) != township:
                raise deny(ev, fields["township_code"])
            place = fields.get("grid_code")
            if place and not ours(place):
                raise deny(ev, place_township(place))
            place = fields.get("village_code")
            if place and not ours(place):  # (None: a resident taken out of a village)
                raise deny(ev, place_township(place))
            if rtype == "resident":
                residents.add(rid)
                other = fields.get("merged_into")
                if type(other) is str:
                    residents.add(other)
            elif rtype in owned:
                owned[rtype].add(rid)
                other = fields.get("resident_id")
                if type(other) is str:
                    residents.add(other)
            elif rtype == "township":
                if rid != township:
                    raise deny(ev, rid)
            elif rtype in ("grid", "village") and not ours(rid):
                raise deny(ev, place_township(rid))
        holders: dict[tuple[str, str], Any] = {}  # (record type, id) -> the resident the county holds it under
        for rtype, ids in owned.items():
            if ids:
                for rid, holder in _rows(s, _OWNED[rtype], "resident_id", ids).items():
                    if holder and type(holder) is str:
                        holders[(rtype, rid)] = holder
                        residents.add(holder)
        if not residents:
            return
        elsewhere = {rid: code for rid, code in _rows(s, Resident, "township_code", residents).items()
                     if code and code != township}
        if elsewhere:  # the first event about one of them, named
            for ev in chunk:
                fields = ev["fields"]
                for rid in (ev["record_id"] if ev["record_type"] == "resident" else None, fields.get("merged_into"),
                            fields.get("resident_id"), holders.get((ev["record_type"], ev["record_id"]))):
                    if type(rid) is str and rid in elsewhere:
                        raise deny(ev, elsewhere[rid])
            raise deny(chunk[0], next(iter(elsewhere.values())))  # (not reached: every id came from an event)

    return check

"""Who may write what: the check a township runs on a worker device's bundle before merging it.

A worker device writes only as itself, only its own grid's records:
- every event names the device as its writer (`device_id`), the device's worker as its
  `author`, and has the id the device's writer gives it (`{device_id}-{hlc}`), so a device can
  neither speak for another nor take the ids of another's future events;
- record types: its grid's record, residents, and their visits, referrals, risk and benefit records
  and six-dimension assessments; no resident merged into another (`merged_into`): the clerk merges
  duplicates, and every report follows the chains of merges, which a device could make as long as it liked.
  Townships, villages, settings (the visit policy) and the acknowledgements of emergencies are the
  township's: a worker never writes them, and its own copies of them stay on its laptop (a bundle of the release before
  enrollment may repeat the township's name exactly as the township has it: that changes nothing);
- a resident is its grid's if the township holds it in that grid, or held it there before
  (a resident the township moved on, about whom the worker still wrote offline), or if no
  event the township holds has put it in a grid yet (it is being registered, or only later
  edits of it arrived so far: any `grid_code` it sets must be the device's grid). Visits, referrals,
  risk and benefit records and assessments belong to the grid of their resident,
  found through the record as the township holds it, or through the bundle itself for a
  record it creates. Such a record names its grid: the device's own, or the grid its resident
  was moved to when the move had reached the worker before it wrote (a real visit, by the grid
  that had the person; refusing it refused the worker's bundle, and every full one after it,
  for good).

Anything else refuses the whole bundle with one line naming the record. Only township bundles
relay other devices' events (a worker trusts its township's key; see merge.py).

What this cannot see: a record the township has never seen. A device that knew the id of a
resident registered in another grid, before that grid's bundle reached the township, could
write about it first. Record ids are 64 random bits, and a device only ever learns the ids
of its own grid's records (a township bundle for a grid carries nothing else), so it has no
such id to use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from storage.core import json_text, places
from storage.core.i18n import _
from storage.core.models import Assessment, Benefit, Referral, Resident, RiskAssessment, Visit
from storage.core.text import printable

WORKER_TYPES = ("grid", "resident", "visit", "referral", "risk", "benefit", "assessment")
# records that belong to a resident (resident_id): the grid of that resident decides
_OWNED = {"visit": Visit, "referral": Referral, "risk": RiskAssessment, "benefit": Benefit,
          "assessment": Assessment}
_UNKNOWN = object()  # a resident the township has never seen


class NotAllowed(Exception):
    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def _label(ev: dict[str, Any]) -> str:
    """The record as the clerk reads it: 探访 c64daa07…, not "visit" (an unknown type as the file gives it)."""
    from storage.core.schema import RECORD_LABELS

    rtype = ev["record_type"]
    kind = _(RECORD_LABELS[rtype]) if isinstance(rtype, str) and rtype in RECORD_LABELS else str(rtype)
    return printable(f"{kind} {ev['record_id']}", limit=60)


def _deny(ev: dict[str, Any], why: str) -> NotAllowed:
    return NotAllowed(_("record {record}: {why}").format(record=_label(ev), why=why))


def _rows(s: Session, model: Any, column: str, ids: Iterable[str]) -> dict[str, Any]:
    from storage.core.bulk import for_connection

    conn = s.connection()
    return for_connection(conn).column_by_id(conn, model.__tablename__, column, sorted(set(ids)))


def _past_grids(s: Session, resident_ids: Iterable[str]) -> dict[str, set[Any]]:
    """Every grid each resident was put in by an event the township holds (all of them passed this check)."""
    from storage.core.bulk import for_connection

    ids = sorted(set(resident_ids))
    grids: dict[str, set[Any]] = {rid: set() for rid in ids}
    conn = s.connection()
    for rid, fields in for_connection(conn).event_fields(conn, "resident", ids):
        if isinstance(fields, str):
            fields = json_text.loads(fields)
        if isinstance(fields, dict) and "grid_code" in fields:
            grids[rid].add(json.dumps(fields["grid_code"]))
    return grids


def _repeats_township_name(ev: dict[str, Any], township_code: str, township_name: str | None) -> bool:
    """A worker set up by the release before enrollment wrote its township's name into its first
    bundle. Such an event is let through when it names this township exactly as the township
    calls itself: it changes nothing. Any other name, field or township is refused."""
    return (township_name is not None and ev["record_type"] == "township" and ev["record_id"] == township_code
            and ev["fields"] == {"name": township_name})


def _village_of(fields: dict[str, Any], township_code: str) -> bool:
    """Whether any village the event sets is of this township: its county refuses the township's whole bundle for
    a grid or resident in another township's village (storage/sync/county_authorise.py)."""
    village = fields.get("village_code")
    if type(village) is not str or not places.VILLAGE_REF.fullmatch(village):
        return True  # none, or not a village id: the value checks name it (storage/register/field_rules.py)
    return places.village_township(village) == township_code


def check_worker_events(s: Session, events: list[dict[str, Any]], *, device_id: str, worker: str, grid_id: str,
                        township_code: str, township_name: str | None = None) -> None:
    """Raise NotAllowed (its text names the first record at fault) unless a worker device
    `device_id` of grid `grid_id` may write every one of `events`."""
    grid_short = grid_id.split("-", 1)[-1]
    resident_events: list[dict[str, Any]] = []
    owned: dict[str, list[dict[str, Any]]] = {t: [] for t in _OWNED}
    # a visit (or referral, ...) naming the grid its resident was moved to: written at the old grid after the move
    # had reached it (walk G, 1); allowed only where that is the resident's grid now and was this device's before
    named_elsewhere: list[dict[str, Any]] = []
    for ev in events:
        fields = ev["fields"]
        if ev["device_id"] != device_id:
            raise _deny(ev, _("written by another device ({device}); a worker's bundle carries only its own changes.").format(
                device=printable(ev["device_id"], limit=20)))
        if ev["id"] != f"{device_id}-{ev['hlc']}":
            raise _deny(ev, _("its change id {id} is not one this device gives.").format(id=printable(ev["id"], limit=40)))
        if str(ev.get("author") or "") != worker:
            raise _deny(ev, _("written in the name of {author}, not of this device's worker {worker}.").format(
                author=printable(str(ev.get("author") or ""), limit=20), worker=printable(worker, limit=20)))
        rtype = ev["record_type"]
        if rtype not in WORKER_TYPES and not _repeats_township_name(ev, township_code, township_name):
            raise _deny(ev, _("only the township writes this kind of record."))
        if fields.get("township_code", township_code) != township_code or not _village_of(fields, township_code):
            raise _deny(ev, _("it names another township."))
        if rtype == "grid":
            if ev["record_id"] != grid_id or fields.get("code", grid_short) != grid_short:
                raise _deny(ev, _("a device writes only its own grid's record."))
        elif rtype == "township":
            continue  # its own name, repeated (above)
        elif rtype == "resident":
            if "grid_code" in fields and fields["grid_code"] != grid_id:
                raise _deny(ev, _("it puts the resident in another grid; only the township moves residents."))
            if "merged_into" in fields:
                raise _deny(ev, _("it merges residents registered twice; only the township does."))
            resident_events.append(ev)
        else:
            if "grid_code" in fields and fields["grid_code"] != grid_id:
                if not isinstance(fields["grid_code"], str):
                    raise _deny(ev, _("it names another grid."))
                named_elsewhere.append(ev)
            if "resident_id" in fields and not isinstance(fields["resident_id"], str):
                raise _deny(ev, _("its resident is not a record id."))
            owned[rtype].append(ev)
    _check_owners(s, grid_id, resident_events, owned, named_elsewhere)


def _check_owners(s: Session, grid_id: str, resident_events: list[dict[str, Any]],
                  owned: dict[str, list[dict[str, Any]]], named_elsewhere: list[dict[str, Any]]) -> None:
    # the residents each event concerns: a resident event's own record; for a visit, referral or
    # risk record, its resident as the township holds it (moving another grid's visit here is not
    # allowed) and the resident the event sets. Each distinct resident is judged once.
    holders = {t: _rows(s, model, "resident_id", (ev["record_id"] for ev in owned[t]))
               for t, model in _OWNED.items() if owned[t]}
    concerned: dict[Any, dict[str, Any]] = {}  # resident id -> the first event about it
    for ev in resident_events:
        concerned.setdefault(ev["record_id"], ev)
    for rtype, evs in owned.items():
        held = holders.get(rtype, {})
        for ev in evs:
            rid = held.get(ev["record_id"], _UNKNOWN)
            if rid is not _UNKNOWN:
                concerned.setdefault(rid, ev)
            rid = ev["fields"].get("resident_id", _UNKNOWN)
            if rid is not _UNKNOWN:
                concerned.setdefault(rid, ev)
    current = _rows(s, Resident, "grid_code", concerned)
    for ev in named_elsewhere:
        rid = ev["fields"].get("resident_id", holders.get(ev["record_type"], {}).get(ev["record_id"], _UNKNOWN))
        if rid is _UNKNOWN or current.get(rid) != ev["fields"]["grid_code"]:
            raise _deny(ev, _("it names another grid."))
    elsewhere = [rid for rid, grid in current.items() if grid != grid_id]
    if not elsewhere:
        return
    past = _past_grids(s, elsewhere)
    mine = json.dumps(grid_id)
    for rid in elsewhere:
        grids = past.get(rid, set())
        if grids and mine not in grids:  # no grids yet: only edits have arrived, never the registration
            raise _deny(concerned[rid], _("the resident belongs to grid {grid}, not to this device's.").format(
                grid=printable(str(current[rid]).split("-", 1)[-1], limit=20)))

"""The roster import's last step: one event per change, appended and folded in one pass.

`storage.roster.importer` plans the changes (parse, match, check, diff); this writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlmodel import col

from storage.core import hlc as clock
from storage.core.bulk import for_connection
from storage.core.changes import new_id, writing_identity
from storage.core.derive import stamp_event
from storage.core.fields import to_json_value
from storage.core.fold import rebuild
from storage.core.i18n import _
from storage.core.models import Event
from storage.core.schema import clean
from storage.core.text import storable_value

if TYPE_CHECKING:
    from storage.roster.importer import RowPlan

Progress = Callable[[int, int], None]


def write_changes(s: Any, plans: list[RowPlan], today: dt.date, progress: Progress | None, total: int) -> None:
    """Append one event per change (as `Writer.write` would) and fold the touched records in one pass.

    `Writer.write` flushes and refreshes the risk per call (~5 ms); for 300 rows the
    set-based fold that merges use is ~10x faster and gives the same state.
    """
    ident = writing_identity(s)
    changes = [plan for plan in plans if plan.row.status != "invalid"]
    updated = [plan.existing.id for plan in changes if plan.existing is not None and plan.diff]
    base = _newest_events(s, updated)
    events: list[dict[str, Any]] = []
    known: dict[tuple[str, str], list[dict[str, Any]]] = {}
    touched: list[tuple[str, str]] = []
    stamp = ident.last_hlc

    def add(record_type: str, record_id: str, fields: dict[str, Any], *, new: bool) -> None:
        nonlocal stamp
        stamp = clock.tick(stamp)
        ev = stamp_event(ident.device_id, ident.worker_name, record_type, record_id,
                         clean(record_type, {k: storable_value(to_json_value(v)) for k, v in fields.items()}), stamp,
                         0 if new else base.get(record_id, 0))
        events.append(ev)
        touched.append((record_type, record_id))
        if new:
            known[(record_type, record_id)] = [ev]

    done = len(plans)
    for plan in changes:
        diff = plan.diff
        if plan.row.status == "new":
            plan.row.resident_id = new_id()
            add("resident", plan.row.resident_id, {**diff, "registered_on": diff.get("registered_on") or today,
                                                      "status": "active"}, new=True)
        elif plan.row.status == "update" and diff:
            assert plan.existing is not None  # an update is a row that matched a resident (importer.plan_change)
            add("resident", plan.existing.id, {k: v for k, v in diff.items()}, new=False)
        for _column, kind, since in plan.benefits:  # a status or subsidy the row names, not recorded yet
            add("benefit", new_id(), {"resident_id": plan.row.resident_id, "kind": kind, "start_on": since}, new=True)
        if plan.risk_changes:
            add("risk", new_id(), {"resident_id": plan.row.resident_id, "level": plan.risk, "assessed_on": today,
                                   "assessor": ident.worker_name, "reason": _("Roster import")}, new=True)
        done += 1
        if progress:
            progress(done, total)
    if not events:
        return
    ident.last_hlc = stamp
    s.add(ident)
    s.flush()
    conn = s.connection()
    for_connection(conn).insert_events_ignore(conn, events)
    rebuild(s, touched, known)


def _newest_events(s: Any, record_ids: list[str]) -> dict[str, int]:
    """Each resident's newest event: the version an update is made from (the event's base_hlc)."""
    newest: dict[str, int] = {}
    for i in range(0, len(record_ids), 500):
        query = select(col(Event.record_id), func.max(col(Event.hlc))).where(
            col(Event.record_type) == "resident", col(Event.record_id).in_(record_ids[i:i + 500])).group_by(
            col(Event.record_id))
        newest.update({rid: stamp for rid, stamp in s.execute(query)})
    return newest

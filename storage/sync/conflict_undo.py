"""Taking back a conflict decision the clerk has just made (k, t or e pressed on the wrong row).

A decision is one event of this computer's (storage/sync/conflicts.py). Until a bundle has carried it, no other
database holds it: taking it back removes that event and folds the record again from the events left, so the
record, and the question, are exactly as they were before the decision, here and everywhere the bundles go.
Once any bundle has been written after it (to a grid, or to the county), the decision may already be on a
worker's laptop, which would keep it while the township dropped it: it is no longer taken back, and the clerk
changes the value as any other (the resident's page), a change that travels like the decision did.

Each decision is written to the audit log with its event, in the decision's own transaction; the exports are
there too, after it. The log's order, not the computer's clock, says whether a bundle came after a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from storage.core.audit import add_entry
from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.fold import rebuild
from storage.core.i18n import N_, _
from storage.core.models import AuditEntry, Event

DECIDED = "conflict decision"
UNDONE = "conflict decision undone"
# what writes a bundle: a township's to a grid (export) or to the county; either may carry the decision away
SENT = ("export", "export_county")
NOTHING_TO_UNDO = N_("No conflict decision to undo.")
ALREADY_SENT = N_("The last decision has already gone out in a bundle (exported after it): it can no longer be "
                  "undone. Change the value on the record itself.")


@dataclass(frozen=True)
class Decision:
    """A decision that can still be taken back: its event, and what it decided, as the audit log names it."""

    event_id: str
    record_type: str
    record_id: str
    field: str
    record_label: str

    def undone_text(self) -> str:
        """What the screen and `gridcare conflicts undo` say once it is taken back."""
        from storage.core.text import printable
        from storage.register.field_labels import record_field_label

        return _("Decision on {record} · {field} undone: the conflict waits for review again.").format(
            record=printable(self.record_label, limit=40), field=record_field_label(self.record_type, self.field))


def record_decision(session: Session, event: Event, field: str, record_label: str) -> None:
    """The audit entry of a decision, in the decision's transaction (the question's field, the record's name)."""
    add_entry(session, DECIDED, counts={"record": record_label, "record_type": event.record_type, "field": field,
                                        "event": event.id})


def _last(session: Session) -> tuple[Decision | None, bool]:
    """(the newest decision not taken back, whether a bundle was written after it); (None, False) when none is."""
    undone: set[str] = set()
    sent = False
    rows = session.execute(select(col(AuditEntry.action), col(AuditEntry.counts)).where(
        col(AuditEntry.action).in_((DECIDED, UNDONE, *SENT))).order_by(col(AuditEntry.id).desc())).all()
    for action, stored in rows:
        counts: dict[str, Any] = stored if isinstance(stored, dict) else {}
        if action in SENT:
            sent = True
            continue
        event_id = str(counts.get("event") or "")
        if action == UNDONE:
            undone.add(event_id)
            continue
        if event_id in undone:
            continue
        ev = session.get(Event, event_id)
        if ev is None:  # a restored backup older than the decision: nothing left to take back
            continue
        return Decision(ev.id, ev.record_type, ev.record_id, str(counts.get("field") or ""),
                        str(counts.get("record") or ev.record_id)), sent or ev.exported_seq is not None
    return None, False


def last_decision(db: Database) -> Decision | None:
    """The decision `undo_decision` would take back, or None (none made, or a bundle went out since)."""
    with db.session() as s:
        found, sent = _last(s)
    return None if sent else found


def undo_decision(db: Database) -> Decision:
    """Take back the newest decision not yet sent in a bundle; the question waits for review again."""
    with db.write() as s:
        found, sent = _last(s)
        if found is None:
            raise UserError(_(NOTHING_TO_UNDO))
        if sent:
            raise UserError(_(ALREADY_SENT))
        s.execute(delete(Event).where(col(Event.id) == found.event_id))
        s.flush()
        rebuild(s, [(found.record_type, found.record_id)])
        add_entry(s, UNDONE, counts={"record": found.record_label, "record_type": found.record_type,
                                     "field": found.field, "event": found.event_id})
    return found

"""Writing change events: one event per write, and the state row updated in the same transaction.

Every write appends one `Event` and updates the record's state row in place (the newest
event wins every field it sets). A merge instead inserts foreign events and folds the
records they touch again (storage/core/fold.py); both derive the columns no event sets
with storage/core/derive.py, so a record written here and one folded there are the same row.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.core import hlc as clock
from storage.core.derive import RISK_OWNER, derive, stamp_event, visit_risk_id
from storage.core.errors import UserError, ValidationError
from storage.core.fields import check_fields, column_kinds, from_json_value, to_json_value
from storage.core.fold import rebuild, refresh_risk, visit_risk_row
from storage.core.i18n import N_, _
from storage.core.models import RECORD_TABLES, Event, Identity, RiskAssessment
from storage.core.schema import TEXT_MAX, clean, fields_problem, record_spec
from storage.core.text import storable_value


def new_id() -> str:
    """A record id made on this device: random, 16 hex characters."""
    return secrets.token_hex(8)


def _visit_risk(session: Session, visit: Any, newest: int) -> str | None:
    """A visit's risk row replaced; returns its resident if the risk history changed."""
    get = functools.partial(getattr, visit)
    existing = session.get(RiskAssessment, visit_risk_id(visit.id))
    derived = visit_risk_row(get, newest)
    if existing is not None:
        session.delete(existing)
        session.flush()
    if derived is not None:
        session.add(RiskAssessment(**derived))
    # the resident's risk can only move when one of its assessments did
    return visit.resident_id if (existing is not None or derived is not None) else None


def _check_values(record_type: str, fields: dict[str, Any]) -> None:
    """The kinds' limits (storage/core/schema.py) on a local write: what this device writes, a merge accepts.

    The forms and services check the code lists and their own limits first, with messages of their
    own; this catches what they let through (a case's notes grown past their limit by closing it).
    """
    problem = fields_problem(record_type, fields, record_spec(record_type))
    if problem is None:
        return
    spec = record_spec(record_type).get(problem.field)
    if problem.reason == "too_long" and spec is not None and spec.kind == "text":
        raise ValidationError(problem.field, _("Too long: at most {n} characters.").format(n=spec.max_len or TEXT_MAX))
    raise ValidationError(problem.field, _("This value cannot be stored."))


@dataclass
class Writer:
    """Appends events for one transaction; obtained from `writer(session)`."""

    session: Session
    identity: Identity

    def write(self, record_type: str, record_id: str, fields: dict[str, Any]) -> Event:
        table = RECORD_TABLES[record_type]
        # text no database stores (a pasted NUL, half a character) is cleaned here, for every form, the CLI and
        # the services alike (storage/core/text.py storable): what this device writes, every server merges
        fields = clean(record_type, {k: storable_value(to_json_value(v)) for k, v in fields.items()})
        check_fields(record_type, fields)
        _check_values(record_type, fields)
        s = self.session
        row = s.get(table, record_id)
        if row is not None and getattr(row, "deleted", False):
            raise UserError(_("This record was deleted and can no longer be changed."))
        if self.identity.role == "worker" and record_type in _GRID_BOUND:
            _own_grid(s, self.identity, record_type, row, fields)
        stamp = clock.tick(self.identity.last_hlc)
        self.identity.last_hlc = stamp
        base = s.execute(
            select(func.max(col(Event.hlc))).where(col(Event.record_type) == record_type, col(Event.record_id) == record_id)
        ).scalar() or 0
        ident = self.identity
        ev = Event(**stamp_event(ident.device_id, ident.worker_name, record_type, record_id, fields, stamp, base))
        s.add(ev)
        s.add(self.identity)
        if base >= stamp:
            # the record holds an event stamped past this clock (storage/core/hlc.py OBSERVE_CEILING): this
            # event is not the newest, so the record is folded again from all its events, as a merge would
            rebuild(s, [(record_type, record_id)])
            return ev
        # the newest event wins every field it sets, so state is updated in place
        left = getattr(row, "merged_into", None) if record_type == "resident" else None  # its family changes too
        if row is None:
            row = table(id=record_id)
        kinds = column_kinds(table)
        for name, value in fields.items():
            if name in kinds:
                setattr(row, name, from_json_value(kinds[name], value))
        get = functools.partial(getattr, row)
        deleted = bool(row.deleted or fields.get("deleted"))  # type: ignore[attr-defined]
        for name, value in derive(record_type, record_id, get, deleted, stamp).items():
            setattr(row, name, value)
        s.add(row)
        s.flush()
        if record_type == "visit":
            resident = _visit_risk(s, row, stamp)
        else:
            resident = getattr(row, RISK_OWNER[record_type]) if record_type in RISK_OWNER else None
        if resident is not None:
            s.flush()
            refresh_risk(s, [resident, left] if left else [resident])
        return ev

    def delete(self, record_type: str, record_id: str) -> Event:
        return self.write(record_type, record_id, {"deleted": True})


# what a worker writes only for its own grid's residents: the township refuses the rest (storage/sync/authorise.py)
_GRID_BOUND = frozenset({"resident", "visit", "referral", "risk", "benefit", "assessment"})


def _own_grid(s: Session, ident: Identity, record_type: str, row: Any, fields: dict[str, Any]) -> None:
    """A worker writes nothing more about a resident the township has moved to another grid: the visit was
    saved and shown as done here, then refused at the township with the whole bundle (walk G, 1)."""
    from storage.core.models import Resident

    resident = row if record_type == "resident" else None
    if record_type != "resident":
        rid = fields.get("resident_id") or getattr(row, "resident_id", None)
        resident = s.get(Resident, rid) if rid else None
    grid = getattr(resident, "grid_code", None)
    if resident is not None and grid and grid != ident.grid_code:
        raise UserError(_("{name} has been moved to grid {grid} by the township: that grid's worker visits and "
                          "records them now.").format(name=resident.name, grid=str(grid).split("-", 1)[-1]))


_MISSING = {"resident": N_("No such resident."), "visit": N_("No such visit."), "referral": N_("No such referral."),
            "benefit": N_("No such benefit record.")}


def live_row(session: Session, record_type: str, record_id: str) -> Any:
    """The state row of a record that exists and is not deleted, else a UserError saying so."""
    row = session.get(RECORD_TABLES[record_type], record_id)
    # (every record table has `deleted`; RECORD_TABLES is typed as plain SQLModel tables)
    if row is None or getattr(row, "deleted", False):
        raise UserError(_(_MISSING[record_type]))
    return row


def load_identity(session: Session) -> Identity:
    ident = session.get(Identity, 1)
    if ident is None:
        raise UserError(_("This database is not set up yet: run `gridcare init` (or `gridcare demo`) first."))
    return ident


# DESIGN §2: the county's state is the fold of its townships' events, and nothing goes back down from it. A change
# made there would reach no township and outvote theirs for good, so this database's own events are refused there.
COUNTY_MAKES_NO_CHANGES = N_("A county database only merges and reports: changes are made at the township.")
# and for the same reason it sends no bundle anywhere, nor takes a township's key to send one with
COUNTY_SENDS_NOTHING = N_("A county database does not export: it merges its townships' bundles and reports.")


def writing_identity(session: Session) -> Identity:
    """The identity this database stamps its own changes with; a UserError at a county, which makes none.

    Every local change goes through here (`writer`, the roster import's bulk write); what a county writes
    beside the records (merged events, enrollments, township keys, the audit log) does not.
    """
    ident = load_identity(session)
    if ident.role == "county":
        raise UserError(_(COUNTY_MAKES_NO_CHANGES))
    return ident


def writer(session: Session) -> Writer:
    return Writer(session, writing_identity(session))

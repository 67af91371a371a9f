"""Writing change events and deriving state from them.

Every write appends one `Event` and updates the state row in the same
transaction. A merge inserts foreign events and calls `rebuild()` for the
records they touch, which folds all events of each record again:

* per field, the event with the highest (hlc, device_id) wins;
* a delete (`deleted: true`) is sticky — no event, older or newer, undoes it;
* two events that set one field to different values where the winner had not
  seen the loser (loser.hlc > winner.base_hlc) are a conflict, kept for review.

State is a pure function of the set of events, so merge order does not matter.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, func, select, update
from sqlmodel import Session, SQLModel

from storage.core import hlc as clock
from storage.core.errors import UserError
from storage.core.i18n import N_, _
from storage.core.models import (
    DERIVED_FIELDS,
    RECORD_TABLES,
    Conflict,
    Event,
    Identity,
    Resident,
    RiskAssessment,
    Visit,
)
from storage.core.schema import REFUSED_ROW, FoldError, clean, refused_row
from storage.core.visit_contact import legacy_contact

Key = tuple[str, str]


def new_id() -> str:
    """A record id made on this device: random, 16 hex characters."""
    return secrets.token_hex(8)


def to_json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return value


_KINDS: dict[type, dict[str, str]] = {}


def _column_kinds(table: type[SQLModel]) -> dict[str, str]:
    kinds = _KINDS.get(table)
    if kinds is None:
        kinds = {}
        for col in table.__table__.columns:  # type: ignore[attr-defined]
            t = col.type
            kinds[col.name] = (
                "datetime" if isinstance(t, DateTime)
                else "date" if isinstance(t, Date)
                else "bool" if isinstance(t, Boolean)
                else "int" if isinstance(t, Integer)
                else "other"
            )
        _KINDS[table] = kinds
    return kinds


def from_json_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if kind == "datetime" and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if kind == "bool":
        return bool(value)
    if kind == "int" and not isinstance(value, bool):
        return int(value)
    return value


def _check_fields(record_type: str, table: type[SQLModel], fields: dict[str, Any]) -> None:
    kinds = _column_kinds(table)
    forbidden = DERIVED_FIELDS.get(record_type, frozenset({"id"}))
    for name in fields:
        if name == "deleted":
            continue
        if name not in kinds or name in forbidden:
            raise ValueError(f"{record_type} has no writable field {name!r}")


def _set_fields(row: SQLModel, table: type[SQLModel], fields: dict[str, Any]) -> None:
    kinds = _column_kinds(table)
    for name, value in fields.items():
        if name in kinds:
            setattr(row, name, from_json_value(kinds[name], value))


def _after_fold(session: Session, record_type: str, row: SQLModel, hlc: int) -> set[str]:
    """Derived columns and rows; returns residents whose risk must be refreshed."""
    if record_type == "resident":
        number = row.id_number  # type: ignore[attr-defined]
        row.id_rev = number[::-1] if number else None  # type: ignore[attr-defined]
        # a refolded row starts from defaults: its risk comes from the assessments again
        return {row.id}  # type: ignore[attr-defined]
    if record_type == "risk":
        row.hlc = hlc  # type: ignore[attr-defined]
        return {row.resident_id}  # type: ignore[attr-defined]
    if record_type == "visit":
        if row.contact_made is None:  # type: ignore[attr-defined]
            row.contact_made = legacy_contact(row.method, row.resident_seen, row.met_with)  # type: ignore[attr-defined]
        existing = session.get(RiskAssessment, "visit:" + row.id)  # type: ignore[attr-defined]
        derived = visit_risk_row(row.model_dump(), hlc)
        if existing is not None:
            session.delete(existing)
            session.flush()
        if derived is not None:
            session.add(RiskAssessment(**derived))
        # the resident's risk can only move when one of its assessments did
        return {row.resident_id} if (existing is not None or derived is not None) else set()  # type: ignore[attr-defined]
    return set()


def refresh_risk(session: Session, resident_ids: Iterable[str]) -> None:
    """resident.risk_level = the latest assessment (by date, then clock)."""
    ids = sorted(set(resident_ids))
    latest = (
        select(RiskAssessment.level)
        .where(RiskAssessment.resident_id == Resident.id, RiskAssessment.deleted == False)  # noqa: E712
        .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.hlc.desc())
        .limit(1)
        .scalar_subquery()
    )
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        session.execute(
            update(Resident).where(Resident.id.in_(chunk)).values(risk_level=func.coalesce(latest, "low")),
            execution_options={"synchronize_session": False},
        )
    wanted = set(ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Resident) and obj.id in wanted:
            session.expire(obj, ["risk_level"])


@dataclass
class Writer:
    """Appends events for one transaction; obtained from `writer(session)`."""

    session: Session
    identity: Identity

    def write(self, record_type: str, record_id: str, fields: dict[str, Any]) -> Event:
        table = RECORD_TABLES[record_type]
        fields = clean(record_type, {k: to_json_value(v) for k, v in fields.items()})
        _check_fields(record_type, table, fields)
        s = self.session
        row = s.get(table, record_id)
        if row is not None and getattr(row, "deleted", False):
            raise UserError(_("This record was deleted and can no longer be changed."))
        stamp = clock.tick(self.identity.last_hlc)
        self.identity.last_hlc = stamp
        base = s.execute(
            select(func.max(Event.hlc)).where(Event.record_type == record_type, Event.record_id == record_id)
        ).scalar() or 0
        ev = Event(
            id=f"{self.identity.device_id}-{stamp}",
            record_type=record_type,
            record_id=record_id,
            fields=fields,
            hlc=stamp,
            device_id=self.identity.device_id,
            base_hlc=base,
            author=self.identity.worker_name,
        )
        s.add(ev)
        s.add(self.identity)
        # the newest event wins every field it sets, so state is updated in place
        if row is None:
            row = table(id=record_id)
        _set_fields(row, table, fields)
        if fields.get("deleted"):
            row.deleted = True  # type: ignore[attr-defined]
        s.add(row)
        s.flush()
        residents = _after_fold(s, record_type, row, stamp)
        if residents:
            s.flush()
            refresh_risk(s, residents)
        return ev

    def delete(self, record_type: str, record_id: str) -> Event:
        return self.write(record_type, record_id, {"deleted": True})


_MISSING = {"resident": N_("No such resident."), "visit": N_("No such visit."), "referral": N_("No such referral.")}


def live_row(session: Session, record_type: str, record_id: str) -> Any:
    """The state row of a record that exists and is not deleted, else a UserError saying so."""
    row = session.get(RECORD_TABLES[record_type], record_id)
    if row is None or row.deleted:
        raise UserError(_(_MISSING[record_type]))
    return row


def load_identity(session: Session) -> Identity:
    ident = session.get(Identity, 1)
    if ident is None:
        raise UserError(_("This database is not set up yet: run `gridcare init` (or `gridcare demo`) first."))
    return ident


def writer(session: Session) -> Writer:
    return Writer(session, load_identity(session))


# --- folding (merge) -------------------------------------------------------
#
# Set-based: events are read as plain rows, folded in Python, and the state rows
# written back with bulk statements (the ORM's per-object work made merging the
# township's 40 bundles take minutes).

_TEMPLATES: dict[str, dict[str, Any]] = {}


def row_template(record_type: str) -> dict[str, Any]:
    """Every column of the state table with the model's default."""
    if record_type not in _TEMPLATES:
        model = RECORD_TABLES[record_type]
        _TEMPLATES[record_type] = {
            name: (info.default_factory() if info.default_factory is not None else info.default)
            for name, info in model.model_fields.items()
        }
    return dict(_TEMPLATES[record_type])  # mutable defaults are never mutated in place: fields replace them


def _derived(record_type: str, record_id: str, values: dict[str, Any], deleted: bool, newest: int) -> dict[str, Any]:
    """The columns of a state row that no event sets: id, deleted, and those derived from fields."""
    out: dict[str, Any] = {"id": record_id, "deleted": deleted}
    if record_type == "resident":
        number = values.get("id_number", Resident.model_fields["id_number"].default)
        out["id_rev"] = number[::-1] if number else None
    elif record_type == "risk":
        out["hlc"] = newest
    elif record_type == "visit" and values.get("contact_made") is None:
        # recorded before the app asked (schema < 4): storage/core/visit_contact.py
        visit = Visit.model_fields
        out["contact_made"] = legacy_contact(values.get("method", visit["method"].default),
                                             values.get("resident_seen", visit["resident_seen"].default),
                                             values.get("met_with", visit["met_with"].default))
    return out


def state_row(record_type: str, record_id: str, values: dict[str, Any], deleted: bool, newest: int) -> dict[str, Any]:
    """The state row that a record's folded field values give."""
    kinds = _column_kinds(RECORD_TABLES[record_type])
    row = row_template(record_type)
    for name, value in values.items():
        if name in kinds:
            row[name] = from_json_value(kinds[name], value)
    row.update(_derived(record_type, record_id, values, deleted, newest))
    return row


def _visit_risk_fields(get: Callable[[str], Any], newest: int) -> dict[str, Any] | None:
    """A visit that re-assessed the risk counts in the risk history; exists iff risk_after is set.

    `get(column)` reads the visit's state row, whatever its form (dict, or encoded tuple).
    """
    if get("deleted") or not get("risk_after"):
        return None
    return {"id": "visit:" + get("id"), "resident_id": get("resident_id"), "level": get("risk_after"),
            "assessed_on": get("visit_date"), "assessor": get("visitor"), "source": "visit", "reason": "",
            "hlc": newest, "deleted": False}


def visit_risk_row(visit: dict[str, Any], newest: int) -> dict[str, Any] | None:
    fields = _visit_risk_fields(visit.__getitem__, newest)
    if fields is None:
        return None
    row = row_template("risk")
    row.update(fields)
    return row


@dataclass
class _Ev:
    id: str
    fields: dict[str, Any]
    hlc: int
    device_id: str
    base_hlc: int
    author: str


def fold_events(record_type: str, record_id: str, events: list[_Ev]) -> tuple[dict[str, Any], bool, list[dict[str, Any]]]:
    """(field values, deleted, conflict rows) — a pure function of the set of events."""
    if len(events) == 1:  # most records: written once, never edited
        fields = events[0].fields
        return {k: v for k, v in fields.items() if k != "deleted"}, bool(fields.get("deleted")), []
    events = sorted(events, key=lambda e: (e.hlc, e.device_id))
    values: dict[str, tuple[Any, _Ev]] = {}
    history: dict[str, list[tuple[Any, _Ev]]] = defaultdict(list)
    deleted = False
    for ev in events:
        for name, value in ev.fields.items():
            if name == "deleted":
                deleted = deleted or bool(value)
                continue
            values[name] = (value, ev)
            history[name].append((value, ev))
    conflicts = []
    for name, (win_value, win) in values.items():
        for value, ev in history[name]:
            if ev is win or ev.hlc <= win.base_hlc or _same(value, win_value):
                continue
            conflicts.append(dict(
                id=f"{record_type}:{record_id}:{name}:{ev.id}", record_type=record_type, record_id=record_id,
                field=name, winner_event=win.id, winner_value=win_value, winner_author=win.author,
                winner_device=win.device_id, winner_hlc=win.hlc, loser_event=ev.id, loser_value=value,
                loser_author=ev.author, loser_device=ev.device_id, loser_hlc=ev.hlc,
            ))
    return {k: v for k, (v, _e) in values.items()}, deleted, conflicts


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _chunks(ids: list[str], size: int = 900) -> Iterable[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


_ENCODERS: dict[str, Any] = {}


def row_encoder(record_type: str) -> Any:
    """The record type's state table as a storage.core.sqlite_bulk.RowEncoder."""
    from sqlalchemy import JSON

    from storage.core.sqlite_bulk import RowEncoder

    if record_type not in _ENCODERS:
        model = RECORD_TABLES[record_type]
        kinds = dict(_column_kinds(model))
        for col in model.__table__.columns:  # type: ignore[attr-defined]
            if isinstance(col.type, JSON):
                kinds[col.name] = "json"
        _ENCODERS[record_type] = RowEncoder(model.__tablename__, kinds, row_template(record_type))  # type: ignore[attr-defined]
    return _ENCODERS[record_type]


def _encode_state(enc: Any, record_type: str, record_id: str, values: dict[str, Any], deleted: bool,
                  newest: int) -> list[Any]:
    """`state_row()` as the tuple SQLite stores (values may still hold 'deleted': it is overwritten)."""
    return enc.row({**values, **_derived(record_type, record_id, values, deleted, newest)})


def _encode_visit_risk(enc: Any, risk_enc: Any, visit: list[Any], newest: int) -> list[Any] | None:
    """`visit_risk_row()` from an encoded visit row."""
    index = enc.index
    fields = _visit_risk_fields(lambda column: visit[index[column]], newest)
    return None if fields is None else risk_enc.row(fields)


def rebuild(session: Session, keys: Iterable[Key], known: dict[Key, list[dict[str, Any]]] | None = None) -> list[tuple[str, str, str]]:
    """Re-derive the state of the given records from the change log.

    Returns their conflicts now, as (id, record type, field).

    `known`: for records whose every event is in hand and that have no state yet (a
    merge's or an import's new records), those events, so they need not be read back.
    """
    from storage.core.sqlite_bulk import delete_ids, replace_rows

    session.flush()
    conn = session.connection()
    known = known or {}
    by_type: dict[str, list[str]] = defaultdict(list)
    for record_type, record_id in set(keys):
        by_type[record_type].append(record_id)
    residents: set[str] = set()
    conflict_ids: list[tuple[str, str, str]] = []
    event_t = Event.__table__  # type: ignore[attr-defined]
    risk_enc = row_encoder("risk")
    for record_type in sorted(by_type):
        enc = row_encoder(record_type)
        for chunk in _chunks(sorted(by_type[record_type])):
            grouped: dict[str, list[_Ev]] = defaultdict(list)
            single: dict[str, dict[str, Any]] = {}  # records written once: their only event
            to_read = []
            for rid in chunk:
                in_hand = known.get((record_type, rid))
                if in_hand is None:
                    to_read.append(rid)
                elif len(in_hand) == 1:
                    single[rid] = in_hand[0]
                else:
                    grouped[rid] = [_Ev(e["id"], clean(record_type, e["fields"]), e["hlc"], e["device_id"], int(e.get("base_hlc") or 0),
                                        str(e.get("author") or "")) for e in in_hand]
            if to_read:
                query = select(event_t.c.record_id, event_t.c.id, event_t.c.fields, event_t.c.hlc, event_t.c.device_id,
                               event_t.c.base_hlc, event_t.c.author).where(
                    event_t.c.record_type == record_type, event_t.c.record_id.in_(to_read))
                for rid, eid, fields, stamp, device, base, author in conn.execute(query):
                    grouped[rid].append(_Ev(eid, clean(record_type, fields), stamp, device, base, author))
            rows, conflicts, risk_rows = [], [], []
            for rid in chunk:
                only = single.get(rid)
                try:
                    if only is not None:
                        fields = clean(record_type, only["fields"])
                        row = _encode_state(enc, record_type, rid, fields, bool(fields.get("deleted")), only["hlc"])
                        newest = only["hlc"]
                    else:
                        evs = grouped.get(rid, [])
                        values, deleted, found = fold_events(record_type, rid, evs)
                        newest = max((e.hlc for e in evs), default=0)
                        row = _encode_state(enc, record_type, rid, values, deleted, newest)
                        conflicts += found
                except (ValueError, TypeError, OverflowError) as exc:
                    raise FoldError(record_type, getattr(exc, "column", ""), "wrong_type") from exc
                rows.append(row)
                if record_type == "visit":
                    derived = _encode_visit_risk(enc, risk_enc, row, newest)
                    if derived:
                        risk_rows.append(derived)
                    residents.add(row[enc.index["resident_id"]])
                elif record_type == "risk":
                    residents.add(row[enc.index["resident_id"]])
                elif record_type == "resident":
                    residents.add(rid)
            try:
                enc.write(conn, rows)
            except REFUSED_ROW as exc:
                raise refused_row(record_type, enc.columns, exc) from exc
            stale = [rid for rid in chunk if rid not in single]  # records written once have none
            if stale:
                delete_ids(conn, "conflict", "record_id", stale, " AND record_type = ?", (record_type,))
            replace_rows(conn, "conflict", conflicts)
            conflict_ids += [(c["id"], record_type, c["field"]) for c in conflicts]
            if record_type == "visit":
                if stale:
                    delete_ids(conn, "risk_assessment", "id", ["visit:" + v for v in stale])
                risk_enc.write(conn, risk_rows)
    _forget(session, by_type)
    if residents:
        refresh_risk(session, residents)
    return conflict_ids


def _forget(session: Session, by_type: dict[str, list[str]]) -> None:
    """Objects the session holds for rebuilt rows are stale now."""
    wanted = {(RECORD_TABLES[t], i) for t, ids in by_type.items() for i in ids}
    for obj in list(session.identity_map.values()):
        if (type(obj), getattr(obj, "id", None)) in wanted or isinstance(obj, (Conflict, RiskAssessment)):
            session.expunge(obj)


def rebuild_all(session: Session) -> None:
    keys = session.execute(select(Event.record_type, Event.record_id).distinct()).all()
    rebuild(session, [(t, i) for t, i in keys])

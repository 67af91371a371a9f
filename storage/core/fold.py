"""Folding change events into state, set-based: a merge's, a roster import's, a rebuild's.

`rebuild()` reads the events of the records it is given, folds each record, and writes the
state rows back with bulk statements (the ORM's per-object work made merging the township's
40 bundles take minutes). The fold's laws:

* per field, the event with the highest (hlc, device_id) wins;
* a delete (`deleted: true`) is sticky — no event, older or newer, undoes it;
* two events that set one field to different values where the winner had not seen the loser
  (loser.hlc > winner.base_hlc) are a conflict, kept for review.

State is a pure function of the set of events, so merge order does not matter. The columns
no event sets come from storage/core/derive.py, as they do for a single write.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from storage.core.bulk import for_connection
from storage.core.conflict_keys import UNASKED
from storage.core.derive import RISK_OWNER, Getter, derive, deriver, visit_risk, visit_risk_id
from storage.core.fields import column_kinds, from_json_value, row_template, storage_kinds
from storage.core.merged_risk import merge_families, pointed_at, refresh_families
from storage.core.models import RECORD_TABLES, Conflict, Event, Resident, RiskAssessment
from storage.core.schema import REFUSED_ROW, FoldError, clean, refused_row
from storage.core.sqlite_bulk import RowEncoder

Key = tuple[str, str]
# an event as _read() selects it: record id, id, fields, hlc, device, base hlc, author (selected from the
# Core table, which SQLModel leaves untyped)
_EventRow = tuple[str, str, dict[str, Any], int, str, int, str]
CHUNK = 900  # records per statement: under SQLite's default limit of bound parameters
# on a server, ids travel as one array and each statement is a round trip that the server works through
# while Python waits: a county merge's chunk of 20,000 events in a few COPYs, not one per 900 records
# (10,000, not all 20,000 records' rows at once: memory)
SERVER_CHUNK = 10_000


def state_row(record_type: str, record_id: str, values: dict[str, Any], deleted: bool, newest: int) -> dict[str, Any]:
    """The state row (a dict of column values) that a record's folded field values give."""
    kinds = column_kinds(RECORD_TABLES[record_type])
    row = row_template(record_type)
    for name, value in values.items():
        if name in kinds:
            row[name] = from_json_value(kinds[name], value)
    row.update(derive(record_type, record_id, row.get, deleted, newest))
    return row


def visit_risk_row(get: Getter, newest: int) -> dict[str, Any] | None:
    """The whole risk row a visit's state gives (see `derive.visit_risk`), or None."""
    fields = visit_risk(get, newest)
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
        if (record_type, name) in UNASKED:
            continue
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


_ENCODERS: dict[str, RowEncoder] = {}


def row_encoder(record_type: str) -> RowEncoder:
    """The record type's state table as the tuples SQLite stores."""
    if record_type not in _ENCODERS:
        model = RECORD_TABLES[record_type]
        _ENCODERS[record_type] = RowEncoder(str(model.__tablename__), storage_kinds(model), row_template(record_type))
    return _ENCODERS[record_type]


def refresh_risk(session: Session, resident_ids: Iterable[str]) -> None:
    """resident.risk_level = the latest assessment (by date, then clock); of a record that duplicates were merged
    into, the latest of them all (storage/core/merged_risk.py: the records they point at are refreshed too)."""
    conn = session.connection()
    plain, families = merge_families(conn, (rid for rid in resident_ids if rid))
    refresh_families(conn, families)
    ids = sorted(plain)
    wanted = plain | families.keys()
    if conn.dialect.name == "postgresql":  # one statement for them all (a county merge refreshes thousands)
        from storage.core.pg_bulk import refresh_risk as refresh_on_server

        refresh_on_server(conn, ids)
        ids = []
    latest = (
        select(col(RiskAssessment.level))
        .where(col(RiskAssessment.resident_id) == Resident.id, col(RiskAssessment.deleted) == False)  # noqa: E712
        .order_by(col(RiskAssessment.assessed_on).desc(), col(RiskAssessment.hlc).desc())
        .limit(1)
        .scalar_subquery()
    )
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        session.execute(
            update(Resident).where(col(Resident.id).in_(chunk)).values(risk_level=func.coalesce(latest, "low")),
            execution_options={"synchronize_session": False},
        )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Resident) and obj.id in wanted:
            session.expire(obj, ["risk_level"])


# --- rebuild: read, fold, write ---------------------------------------------------------------


@dataclass
class _Read:
    """One chunk's events: records written once (their one event as a dict) and the others."""

    single: dict[str, dict[str, Any]] = field(default_factory=dict)
    grouped: dict[str, list[_Ev]] = field(default_factory=lambda: defaultdict(list))
    clean: bool = False  # the single events' fields are `clean`ed already


def _as_is(record_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    return fields


@dataclass
class _Folded:
    """One chunk's state rows, conflicts and visits' risk rows, and the residents whose risk may move."""

    rows: list[list[Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    risk_rows: list[list[Any]] = field(default_factory=list)
    residents: set[str] = field(default_factory=set)


def _read(conn: Connection, record_type: str, chunk: list[str], known: dict[Key, list[dict[str, Any]]],
          known_clean: bool) -> _Read:
    """The chunk's events: those in hand from `known` (`known_clean`: their fields `clean`ed already), the
    rest from the log."""
    read = _Read(clean=known_clean)
    tidy = _as_is if known_clean else clean
    to_read = []
    for rid in chunk:
        in_hand = known.get((record_type, rid))
        if in_hand is None:
            to_read.append(rid)
        elif len(in_hand) == 1:
            read.single[rid] = in_hand[0]
        else:
            read.grouped[rid] = [_Ev(e["id"], tidy(record_type, e["fields"]), e["hlc"], e["device_id"],
                                     int(e.get("base_hlc") or 0), str(e.get("author") or "")) for e in in_hand]
    if to_read and conn.dialect.name == "postgresql":
        from storage.core.pg_bulk import event_rows

        for rid, eid, fields, stamp, device, base, author in event_rows(conn, record_type, to_read):
            if type(fields) is not dict:
                raise _damaged(record_type, rid, conn.dialect.name != "sqlite")
            read.grouped[rid].append(_Ev(eid, clean(record_type, fields), stamp, device, base, author))
    elif to_read:
        event_t = Event.__table__  # type: ignore[attr-defined]
        query = select(event_t.c.record_id, event_t.c.id, event_t.c.fields, event_t.c.hlc, event_t.c.device_id,
                       event_t.c.base_hlc, event_t.c.author).where(
            event_t.c.record_type == record_type, event_t.c.record_id.in_(to_read))
        for rid, eid, fields, stamp, device, base, author in cast("Iterable[_EventRow]", conn.execute(query)):
            if type(fields) is not dict:
                raise _damaged(record_type, rid, conn.dialect.name != "sqlite")
            read.grouped[rid].append(_Ev(eid, clean(record_type, fields), stamp, device, base, author))
    return read


def _damaged(record_type: str, record_id: str, server: bool) -> Exception:
    """A change this database holds whose fields are JSON but not an object (the file edited by hand): the damaged
    file's line naming the record, not the bundle's fault ('could not be merged (AttributeError)' refused it)."""
    from storage.core.unreadable import said

    return said("event", record_type, record_id, server=server)


def _fold(record_type: str, chunk: list[str], read: _Read, enc: RowEncoder, risk_enc: RowEncoder) -> _Folded:
    """Each record's state row as SQLite stores it (the hot loop of a merge: rows are encoded straight to tuples)."""
    out = _Folded()
    index = enc.index
    is_visit = record_type == "visit"
    derived = deriver(record_type)
    defaults = enc.defaults
    owner = index[RISK_OWNER[record_type]] if record_type in RISK_OWNER else None
    for rid in chunk:
        only = read.single.get(rid)
        try:
            if only is not None:
                # may still hold 'deleted': derive() overwrites it
                values = only["fields"] if read.clean else clean(record_type, only["fields"])
                deleted, newest = bool(values.get("deleted")), only["hlc"]
            else:
                evs = read.grouped.get(rid, [])
                values, deleted, found = fold_events(record_type, rid, evs)
                newest = max((e.hlc for e in evs), default=0)
                out.conflicts += found
            full = {**defaults, **values}  # what derive() reads: a field no event set has the model's default
            full.update(derived(rid, full.get, deleted, newest))
            row = enc.row(full, complete=True)
        except (ValueError, TypeError, OverflowError) as exc:
            raise FoldError(record_type, getattr(exc, "column", ""), "wrong_type") from exc
        out.rows.append(row)
        if is_visit:
            risk = visit_risk(_getter(row, index), newest)
            if risk is not None:
                out.risk_rows.append(risk_enc.row(risk))
        if owner is not None:
            out.residents.add(row[owner])
    return out


def _getter(row: list[Any], index: dict[str, int]) -> Getter:
    """Reads a column of an encoded state row by name."""
    return lambda column: row[index[column]]


def _write(conn: Connection, record_type: str, chunk: list[str], read: _Read, folded: _Folded, enc: RowEncoder,
           risk_enc: RowEncoder, fresh: set[str]) -> None:
    """Replace the chunk's state rows, conflicts and visits' risk rows (`fresh`: ids known to have no state row)."""
    bulk = for_connection(conn)
    delete_ids, replace_rows = bulk.delete_ids, bulk.replace_rows
    try:
        enc.write(conn, folded.rows, fresh)
    except REFUSED_ROW as exc:
        raise refused_row(record_type, enc.columns, exc) from exc
    stale = [rid for rid in chunk if rid not in read.single]  # records written once have no conflicts or risk rows
    if stale:
        delete_ids(conn, "conflict", "record_id", stale, " AND record_type = ?", (record_type,))
    replace_rows(conn, "conflict", folded.conflicts)
    if record_type == "visit":
        if stale:
            delete_ids(conn, "risk_assessment", "id", [visit_risk_id(v) for v in stale])
        # not taken as fresh: a bundle may also carry a risk record under a visit's derived id
        risk_enc.write(conn, folded.risk_rows)


def rebuild(session: Session, keys: Iterable[Key], known: dict[Key, list[dict[str, Any]]] | None = None, *,
            known_clean: bool = False, risk_later: set[str] | None = None) -> list[tuple[str, str, str]]:
    """Re-derive the state of the given records from the change log.

    Returns their conflicts now, as (id, record type, field).

    `known`: for records whose every event is in hand and that have no state yet (a
    merge's or an import's new records), those events, so they need not be read back;
    `known_clean`: their fields are `clean`'s already (a merge's, judged by its value checks).
    `risk_later`: the residents whose risk level may have moved are added to it, for the caller to
    `refresh_risk` once (a merge, once per bundle: a resident's visits fall in many of its chunks).
    """
    session.flush()
    conn = session.connection()
    known = known or {}
    by_type: dict[str, list[str]] = defaultdict(list)
    for record_type, record_id in set(keys):
        by_type[record_type].append(record_id)
    residents: set[str] = set()
    conflict_ids: list[tuple[str, str, str]] = []
    risk_enc = row_encoder("risk")
    for record_type in sorted(by_type):
        enc = row_encoder(record_type)
        ids = sorted(by_type[record_type])
        step = CHUNK if conn.dialect.name == "sqlite" else SERVER_CHUNK
        for i in range(0, len(ids), step):
            chunk = ids[i : i + step]
            read = _read(conn, record_type, chunk, known, known_clean)
            folded = _fold(record_type, chunk, read, enc, risk_enc)
            # records with every event in hand had no state: nothing of theirs to replace
            fresh = {rid for rid in chunk if (record_type, rid) in known}
            if record_type == "resident":  # the records they were merged into before: their families change
                residents |= pointed_at(conn, [rid for rid in chunk if rid not in fresh])
            _write(conn, record_type, chunk, read, folded, enc, risk_enc, fresh)
            residents |= folded.residents
            conflict_ids += [(c["id"], record_type, c["field"]) for c in folded.conflicts]
    _forget(session, by_type)
    if risk_later is not None:
        risk_later |= residents
    elif residents:
        refresh_risk(session, residents)
    return conflict_ids


def _forget(session: Session, by_type: dict[str, list[str]]) -> None:
    """Objects the session holds for rebuilt rows are stale now."""
    wanted = {(RECORD_TABLES[t], i) for t, ids in by_type.items() for i in ids}
    for obj in list(session.identity_map.values()):
        if (type(obj), getattr(obj, "id", None)) in wanted or isinstance(obj, (Conflict, RiskAssessment)):
            session.expunge(obj)


def rebuild_all(session: Session) -> None:
    keys = session.execute(select(col(Event.record_type), col(Event.record_id)).distinct())
    rebuild(session, [(t, i) for t, i in cast("Iterable[Key]", keys)])  # (SQLModel's execute() leaves rows untyped)

"""Writing export bundles: a worker's new events to the township, the township's corrections to a grid."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.core.audit import record as audit
from storage.core.bulk import for_connection
from storage.core.changes import COUNTY_SENDS_NOTHING, load_identity
from storage.core.db import SCHEMA_VERSION, Database
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.json_text import DamagedValue
from storage.core.models import (
    RECORD_TABLES,
    Assessment,
    Benefit,
    BundleReceived,
    Device,
    EmergencyAck,
    Event,
    Grid,
    Identity,
    Referral,
    Resident,
    RiskAssessment,
    Visit,
)
from storage.core.private_keys import private_keys
from storage.sync.bundle_file import bundle_file_name, write_bundle
from storage.sync.bundle_place import place_bundle
from storage.sync.export_checks import check_change, unreadable_change

Progress = Callable[[int, int], None]
WITHDRAWN = "withdrawn"  # pending_counts: records entered and deleted again since the last bundle, of any type


@dataclass
class ExportResult:
    path: Path
    seq: int
    events: int
    counts: dict[str, int] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)


def _event_dict(ev: Event, server: bool) -> dict[str, Any]:
    check_change(ev.record_type, ev.record_id, ev.hlc, ev.fields, server=server)  # before the file is written
    return {"id": ev.id, "record_type": ev.record_type, "record_id": ev.record_id, "fields": ev.fields,
            "hlc": ev.hlc, "device_id": ev.device_id, "base_hlc": ev.base_hlc, "author": ev.author}


def _merge_only(fields: Any) -> bool:
    """A resident event that only merges duplicates (`merged_into`): a worker's is never sent (_sendable)."""
    return isinstance(fields, dict) and "merged_into" in fields and len(fields) == 1


def _sendable(events: list[Event]) -> list[Event]:
    """A worker's events as its township accepts them: a merge of duplicates (`merged_into`) that an earlier
    release's command line let a worker write is left out (only the clerk merges: storage/sync/authorise.py), not
    sent to be refused with the whole bundle, and with every full one after it."""
    kept = []
    for ev in events:
        if ev.record_type == "resident" and isinstance(ev.fields, dict) and "merged_into" in ev.fields:
            if _merge_only(ev.fields):
                continue
            fields = {k: v for k, v in ev.fields.items() if k != "merged_into"}
            ev = Event(**{**ev.model_dump(), "fields": fields})  # a copy: the laptop's own event stays as written
        kept.append(ev)
    return kept


def _next_seq(session, device_id: str) -> int:
    last = session.execute(select(func.max(BundleReceived.seq)).where(BundleReceived.device_id == device_id)).scalar()
    return (last or 0) + 1


def _own_events(ident: Identity):
    """A worker's own events of the kinds it may send (storage/sync/authorise.py): its copies of the
    township's records (township, villages, settings) stay on the laptop."""
    from storage.sync.authorise import WORKER_TYPES

    return select(Event).where(Event.device_id == ident.device_id, Event.record_type.in_(WORKER_TYPES))


def pending_counts(db: Database) -> dict[str, int]:
    """What a worker's next export will carry: how many records (people, visits...) of each type.

    Records, not events: a resident edited three times is one person to send, as the worker counts. A record
    entered and deleted again before it was ever sent counts as none of its type but under `WITHDRAWN`: it goes
    as deleted, and changes nothing the township counts.
    """
    from storage.sync.authorise import WORKER_TYPES

    with db.session() as s:
        ident = load_identity(s)
        waiting = (Event.device_id == ident.device_id, Event.exported_seq.is_(None))
        counts: dict[str, int] = {str(t): int(n) for t, n in s.execute(
            select(Event.record_type, func.count(func.distinct(Event.record_id))).where(
                *waiting, Event.record_type.in_(WORKER_TYPES), Event.record_type != "resident")
            .group_by(Event.record_type)).all()}
        # a person, unless all that waits is a merge _sendable leaves out (else: "1 to send", then "nothing new")
        # (`|| ''`: by ix_event_export, the laptop's waiting events, not by every resident event's row)
        people = {rid for rid, fields in s.execute(select(Event.record_id, Event.fields).where(
            *waiting, col(Event.record_type).concat("") == "resident")).all() if not _merge_only(fields)}
        if people:
            counts["resident"] = len(people)
        for rtype, ids in _entered_and_deleted(s, ident.device_id).items():
            counts[rtype] = max(0, counts.get(rtype, 0) - len(ids))
            counts[WITHDRAWN] = counts.get(WITHDRAWN, 0) + len(ids)
    return {kind: n for kind, n in counts.items() if n}


def _entered_and_deleted(session, device_id: str) -> dict[str, set[str]]:
    """Of each type, the records this laptop entered and deleted again since its last bundle, that nobody else
    wrote: the next bundle carries them (their events are the log; a kept referral may name the visit) as
    deleted, so they count in nothing at the township. Counted as visits, a visit entered by mistake and deleted
    read as one more visit waiting to go."""
    from storage.sync.authorise import WORKER_TYPES

    found: dict[str, set[str]] = {}
    for rtype in WORKER_TYPES:
        table: Any = RECORD_TABLES[rtype]  # (every record table has `id` and `deleted`; typed as plain tables)
        row_id, row_deleted = table.id, table.deleted
        other = aliased(Event)
        seen = select(other.id).where(other.record_type == rtype, other.record_id == row_id,
                                      or_(other.device_id != device_id, other.exported_seq.is_not(None)))
        # (`|| ''`: by ix_event_export, the laptop's waiting events, not by every event of the type)
        ids = set(session.execute(select(row_id).join(Event, Event.record_id == row_id).where(
            Event.device_id == device_id, Event.exported_seq.is_(None), col(Event.record_type).concat("") == rtype,
            row_deleted == True, ~exists(seen)).distinct()).scalars())  # noqa: E712
        if ids:
            found[rtype] = ids
    return found


def last_export(db: Database) -> BundleReceived | None:
    with db.session() as s:
        ident = load_identity(s)
        return s.execute(select(BundleReceived).where(BundleReceived.device_id == ident.device_id)
                         .order_by(BundleReceived.seq.desc()).limit(1)).scalars().first()


def _grid_record_ids(session, grid_id: str) -> dict[str, set[str]]:
    residents = set(session.execute(select(Resident.id).where(Resident.grid_code == grid_id)).scalars())
    ids: dict[str, set[str]] = {"resident": residents, "grid": {grid_id}}
    village = session.execute(select(Grid.village_code).where(Grid.id == grid_id)).scalar()
    if village:  # the grid's village by the name the township gives it (the worker's reports show it)
        ids["village"] = {village}
    if residents:
        for table, rtype in ((Visit, "visit"), (Referral, "referral"), (Benefit, "benefit"), (Assessment, "assessment"),
                             (EmergencyAck, "emergency_ack")):
            ids[rtype] = set()
            rlist = sorted(residents)
            for i in range(0, len(rlist), 900):
                ids[rtype] |= set(session.execute(select(table.id).where(table.resident_id.in_(rlist[i:i + 900]))).scalars())
        risk = set()
        rlist = sorted(residents)
        for i in range(0, len(rlist), 900):
            risk |= set(session.execute(select(RiskAssessment.id).where(
                RiskAssessment.resident_id.in_(rlist[i:i + 900]), RiskAssessment.source == "manual")).scalars())
        ids["risk"] = risk
    return ids


def _by_device_resident():
    """Resident events, read by ix_event_export (`|| ''`): a few devices' events, not every resident event of the
    township."""
    return col(Event.record_type).concat("") == "resident"


Moves = dict[str, frozenset[str]]  # a resident the township moved: every grid an event of it put them in


def township_moves(session, ident: Identity) -> Moves:
    """The residents the township has moved, each with every grid an event put them in (before or between moves):
    one read for a whole round of grids' bundles (`export --all-grids` read it again for each of its 40 grids)."""
    # only the township moves a resident (storage/sync/authorise.py), by an event of its own that sets grid_code on
    # a record it had seen (base_hlc): a change writes only the fields that change (register/residents.py)
    moved = sorted({rid for rid, fields in session.execute(select(Event.record_id, Event.fields).where(
        _by_device_resident(), Event.device_id == ident.device_id, Event.base_hlc > 0))
        if isinstance(fields, dict) and "grid_code" in fields})
    grids: dict[str, set[str]] = {rid: set() for rid in moved}
    for i in range(0, len(moved), 900):
        for rid, fields in session.execute(select(Event.record_id, Event.fields).where(
                Event.record_type == "resident", Event.record_id.in_(moved[i:i + 900]))):
            if isinstance(fields, dict) and isinstance(fields.get("grid_code"), str):
                grids[rid].add(fields["grid_code"])
    return {rid: frozenset(found) for rid, found in grids.items()}


def _moved_away(session, grid_id: str, residents: set[str], moves: Moves) -> set[str]:
    """Residents who were in this grid, or whom its workers wrote about, and now belong to another grid: the worker
    learns of the move. Its workers' writing alone missed those the township registered or imported in the grid and
    the worker only visited, who stayed on the old grid's laptop after the move (the walk of h-move: 覃春兰 and 孙强,
    moved from G01 to G02, were on both workers' lists). `moves`: township_moves."""
    devices = list(session.execute(select(Device.device_id).where(Device.grid_code == grid_id)).scalars())
    known = set(session.execute(select(Event.record_id).where(_by_device_resident(), Event.device_id.in_(devices))
                                .distinct()).scalars()) if devices else set()
    known |= {rid for rid, grids in moves.items() if grid_id in grids}  # were they in this grid
    return known - residents


def _grid_events(session, ident: Identity, grid_id: str, moves: Moves | None = None) -> Iterator[Event]:
    wanted = _grid_record_ids(session, grid_id)
    # only the resident record itself, none of the history written in the other grid
    moves = township_moves(session, ident) if moves is None else moves
    wanted["resident"] = wanted.get("resident", set()) | _moved_away(session, grid_id, wanted.get("resident", set()),
                                                                     moves)
    for rtype in ("township", "setting"):
        yield from session.execute(select(Event).where(Event.record_type == rtype).order_by(Event.hlc)).scalars()
    for rtype, ids in sorted(wanted.items()):
        rlist = sorted(ids)
        for i in range(0, len(rlist), 900):
            yield from session.execute(select(Event).where(Event.record_type == rtype, Event.record_id.in_(rlist[i:i + 900]))
                                       .order_by(Event.hlc)).scalars()


def _resolve_grid(session, ident: Identity, code: str) -> tuple[str, list[str]]:
    """The grid's id and the age recipients of every device enrolled for it (a worker may have two laptops)."""
    from storage.sync.grid_codes import grid_id_for

    grid_id = grid_id_for(ident, code, session)
    devices = session.execute(select(Device).where(Device.grid_code == grid_id, Device.kind == "worker",
                                                   Device.status == "approved").order_by(Device.device_id)).scalars()
    recipients = [d.age_recipient for d in devices if d.age_recipient]
    if not recipients:
        raise UserError(_("No device is enrolled for grid {grid}: enroll its worker (gridcare enroll), or approve "
                          "the device waiting for it (gridcare devices).").format(grid=code))
    return grid_id, recipients


def export_bundle(db: Database, out: Path | None = None, *, full: bool = False, grid_code: str | None = None,
                  progress: Progress | None = None, now: dt.datetime | None = None,
                  moves: Moves | None = None) -> ExportResult:
    """Write a bundle. The write lock is taken first and held until the events are marked as sent:
    a database busy elsewhere fails before any file is written, and nothing written meanwhile is
    marked as sent without being in the file. The file is written to a temporary name and renamed.
    `moves` (to a grid): the township's moves as township_moves read them for a round of grids; None: read here."""
    from storage.sync.authorise import WORKER_TYPES

    now = now or dt.datetime.now(dt.timezone.utc)
    out = Path(out) if out else Path.cwd()
    keys = private_keys(db.local_path)
    with db.write() as s:
        ident = load_identity(s)
        if ident.role == "county":
            raise UserError(_(COUNTY_SENDS_NOTHING))
        recipients: str | list[str]
        if grid_code:
            if ident.role != "township":
                raise UserError(_("Only a township database exports to a grid (--grid)."))
            grid_id, recipients = _resolve_grid(s, ident, grid_code)
            try:
                events = list(_grid_events(s, ident, grid_id, moves))
            except DamagedValue:
                raise unreadable_change(s.connection()) from None
            sign_secret, sign_public, kind = keys.township_sign_secret, ident.township_sign_public, "township"
        else:
            if ident.role == "township":
                raise UserError(_("A township exports to one grid: add --grid CODE."))
            if not ident.township_age_recipient:
                raise UserError(_("This database has no township key yet: add the file the clerk gave you with "
                                  "gridcare township-key FILE, or on the Sync screen (k)."))
            from storage.register.villages import carry_village_name

            carry_village_name(s)
            query = _own_events(ident).order_by(Event.hlc, Event.device_id)
            if not full:
                query = query.where(Event.exported_seq.is_(None))
            try:
                events = _sendable(list(s.execute(query).scalars()))
            except DamagedValue:
                raise unreadable_change(s.connection(), device=ident.device_id, unsent=not full) from None
            recipients, sign_secret, sign_public, kind = ident.township_age_recipient, keys.device_sign_secret, ident.device_sign_public, "worker"
            grid_id = ident.grid_code
        seq = _next_seq(s, ident.device_id)
        if not events:
            raise UserError(_("Nothing new to export since bundle {seq}.").format(seq=seq - 1))
        counts = dict(Counter(ev.record_type for ev in events))
        manifest = {
            "kind": kind, "schema_version": SCHEMA_VERSION, "township_code": ident.township_code,
            "grid_code": grid_id, "device_id": ident.device_id, "worker": ident.worker_name, "seq": seq,
            "full": bool(full), "age_recipient": ident.device_age_recipient, "sign_public": sign_public,
            "created_at": now.replace(microsecond=0).isoformat(), "counts": counts,
        }
        if kind == "worker" and ident.enroll_proof:
            manifest["enroll_proof"] = ident.enroll_proof
        grid_short = (grid_id or "").split("-", 1)[-1] or None
        path, seq = place_bundle(out, seq, lambda n: bundle_file_name(kind, ident.township_code, grid_short,
                                                                      ident.worker_name, ident.device_id, n, now))
        manifest["seq"] = seq
        if progress:
            progress(0, len(events))
        server = s.connection().dialect.name == "postgresql"  # (a server is not restored by gridcare)
        info = write_bundle(path, manifest, (_event_dict(ev, server) for ev in events), recipients, sign_secret)
        if progress:
            progress(len(events), len(events))
        # the file is durably in place; a crash before the commit leaves the events to go in the next bundle
        if kind == "worker":
            for_connection(s.connection()).mark_exported(s.connection(), ident.device_id, seq, WORKER_TYPES)
        s.add(BundleReceived(device_id=ident.device_id, seq=seq, file_name=path.name,
                             payload_sha256=info.manifest["payload_sha256"], event_count=len(events),
                             merged_at=dt.datetime.now(dt.timezone.utc), full=bool(full)))
    # absolute: the Sync screen offers its folder next time, whatever folder the command was typed in (walk G, 11)
    audit(db, "export", str(path.absolute()), {"seq": seq, "events": len(events), **counts})
    return ExportResult(path, seq, len(events), counts, info.manifest)

"""Merging bundles into this database.

Each bundle's signature, checksum and encryption are verified before anything is written; then it
is merged under ONE savepoint: the set union of its events, then the touched records re-derived, a
chunk of events at a time (each event line is checked as it is read: a malformed one part-way
rolls the savepoint back). A refused or interrupted bundle leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from storage.core import fresh_state, hlc
from storage.core.bulk import for_connection
from storage.core.changes import load_identity
from storage.core.collector import collector_paused
from storage.core.db import Database
from storage.core.fold import rebuild, refresh_risk
from storage.core.keys import fingerprint
from storage.core.models import (
    RECORD_TABLES,
    AuditEntry,
    BundleReceived,
    Device,
    Identity,
    Township,
)
from storage.core.private_keys import private_keys
from storage.register.duplicates import possible_duplicates
from storage.register.moved_here import MovedHere, arrived_since, here_before
from storage.sync.authorise import NotAllowed
from storage.sync.born_here import BornHere
from storage.sync.bundle_file import SUFFIX, BundleError, open_bundle
from storage.sync.conflicts import reviewed, reviewed_conflicts
from storage.sync.devices import Trust, hold, register
from storage.sync.merge_trust import authoriser, signer_check
from storage.sync.merge_tuning import analyze, large_cache, young_garbage_collected
from storage.sync.merged_away import edited_away, landed_away, merged_before, merged_since, moved_since
from storage.sync.read_ahead import chunks
from storage.sync.received import missing_bundles, township_label
from storage.sync.refused import audit_refusal, remember
from storage.sync.verdict import (
    NOT_THE_FILES_FAULT,
    BundleOutcome,
    expected_township,
    failed,
    from_newer,
    opened,
    reading_grid,
    refusal,
    said,
    seen_before,
    waiting,
)
from storage.sync.village_named import settle_named_village
from storage.sync.worker_changes import Changed, changed_since, register_now

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
BATCH_EVENTS = 50_000  # events merged per transaction: bounds what a kill loses and how long the lock is held
# a bundle's events are checked and written this many at a time, under the bundle's one savepoint:
# whatever its size, a bundle is never whole in memory
CHUNK_EVENTS = 20_000
# residents whose risk level is refreshed together: once per bundle (a resident's visits fall in many of its
# chunks), or sooner when this many are waiting, so that a bundle of many residents is not remembered whole
RISK_BATCH = 20_000


@dataclass
class MergeReport:
    bundles: list[BundleOutcome] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    conflicts: int = 0
    duplicates: int = 0
    missing: list[tuple[str, str, int]] = field(default_factory=list)  # (device, worker, seq)
    # (device, worker, fingerprint, township code: at a county, the township whose key it is; else "")
    new_devices: list[tuple[str, str, str, str]] = field(default_factory=list)
    # a worker's residents the township merged into another record: (name, whether that record is here)
    merged_away: list[tuple[str, bool]] = field(default_factory=list)
    moved_away: list[tuple[str, str]] = field(default_factory=list)  # a worker's residents moved: (name, grid)
    moved_here: list[MovedHere] = field(default_factory=list)  # the township moved them to this worker's grid
    registered_here: list[MovedHere] = field(default_factory=list)  # the township registered them in this grid
    changed: list[Changed] = field(default_factory=list)  # a worker's residents whose fields the township changed
    # at a township: residents merged away before a bundle's edit of them arrived, (the edit, the kept record's name)
    landed_away: list[tuple[Changed, str]] = field(default_factory=list)
    at_worker: bool = False  # merged into a worker's database: the conflicts are the township's to decide
    at_county: bool = False  # merged into a county's: the senders (and the bundles missing) are townships

    @property
    def refused(self) -> list[BundleOutcome]:
        return [b for b in self.bundles if b.status == "refused"]

    @property
    def waiting(self) -> list[BundleOutcome]:
        return [b for b in self.bundles if b.status == "waiting"]


def bundle_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, plus every bundle in the folders named, in a stable order."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found += sorted(q for q in p.iterdir() if q.is_file() and q.suffix == SUFFIX)
        else:
            found.append(p)
    return list(dict.fromkeys(found))


def age_secrets(db: Database) -> list[str]:
    """The keys a bundle to this database is encrypted to, from its key file."""
    with db.session() as s:
        role = load_identity(s).role
    keys = private_keys(db.local_path, role)
    return [keys.township_age_secret, keys.county_age_secret, keys.device_age_secret]


def _merge_into(s: Session, path: Path, secrets: list[str]) -> BundleOutcome:
    """Merge one bundle inside the caller's transaction, under a savepoint: all of it or none."""
    name = path.name
    already = seen_before(s, path)
    if already is not None:
        return already
    ident = load_identity(s)
    trusts: list[Trust] = []
    try:
        manifest, events = open_bundle(path, secrets, expected_township(ident), signer_check(s, ident, name, trusts),
                                       reading_grid(ident))
    except BundleError as exc:
        return refusal(name, exc)
    except NOT_THE_FILES_FAULT:
        raise
    except Exception as exc:  # noqa: BLE001 - logged with its traceback and reported, never hidden
        return failed(s, name, exc)
    with contextlib.closing(events):
        return _merge_opened(s, path, manifest, events, trusts[0] if trusts else None)


def _merge_opened(s: Session, path: Path, manifest: dict[str, Any], events: Iterator[dict[str, Any]],
                  trust: Trust | None) -> BundleOutcome:
    """A bundle whose envelope passed every check: held for the clerk, skipped, or merged under a savepoint."""
    outcome = opened(path.name, manifest)
    name, device_id, seq = path.name, outcome.device_id, outcome.seq
    if trust is not None and trust.waiting:
        hold(s, manifest, trust, path)
        waiting(s, outcome, manifest, trust)
        return outcome
    seen = s.get(BundleReceived, (device_id, seq))
    if seen is not None and seen.payload_sha256 == manifest["payload_sha256"]:
        outcome.status = "already"
        return outcome
    refused = dict(device_id=device_id, seq=seq, worker=outcome.worker, grid=outcome.grid, township=outcome.township)
    outcome.second_of_its_number = seen is not None  # and another payload: both merged (set union), and said
    try:
        with s.begin_nested():
            _apply(s, path, manifest, events, outcome, trust)
    except BundleError as exc:  # found while its events were read: the savepoint was rolled back
        s.expunge_all()
        problem = from_newer(exc.problem, manifest)
        remember(s, manifest["payload_sha256"], name, exc.code, problem)
        return refusal(name, exc, **refused) if problem == exc.problem else said(name, "refused", exc.code, problem,
                                                                                 **refused)
    except NotAllowed as exc:  # a record this device may not write: the savepoint was rolled back
        s.expunge_all()
        return said(name, "refused", "not_allowed", from_newer(exc.problem, manifest), **refused)
    except NOT_THE_FILES_FAULT:
        raise
    except Exception as exc:  # noqa: BLE001 - logged with its traceback and reported, never hidden
        return failed(s, name, exc)  # the savepoint was rolled back
    if outcome.second_of_its_number and not outcome.events_new:  # one of the two again: all of it is here
        outcome.status, outcome.second_of_its_number = "already", False
    return outcome


@dataclass
class _Tally:
    """What the chunks of one bundle added up to."""

    events: int = 0  # event lines, repeated ones too
    new: int = 0
    added: int = 0
    updated: int = 0
    conflicts: int = 0
    newest: int = 0
    records: int = 0
    risk_moved: set[str] = field(default_factory=set)  # residents whose risk level is refreshed once, at the end
    watch_away: bool = False  # a township's merge: edits of records it merged away are named (merged_away.py)
    landed_away: set[tuple[str, str]] = field(default_factory=set)  # (resident, field): merged_away.edited_away
    born: BornHere = field(default_factory=BornHere)  # the records this bundle added, told apart from updates


def _apply(s: Session, path: Path, manifest: dict[str, Any], events: Iterator[dict[str, Any]],
           outcome: BundleOutcome, trust: Trust | None) -> None:
    """The bundle's events, CHUNK_EVENTS at a time: for each chunk, who may write its events (a worker
    device's bundle: storage/sync/authorise.py; a township's at a county: storage/sync/county_trust.py),
    then their values, then written and folded.

    Whatever the bundle's size, no more than a chunk is held; a bad value or line in a later chunk
    raises BundleError (a record the device may not write, NotAllowed), and the caller's savepoint
    takes the earlier chunks back.
    """
    now = dt.datetime.now(dt.timezone.utc)
    ident = s.get(Identity, 1)
    tally = _Tally(watch_away=ident is not None and ident.role == "township")
    authorise = authoriser(s, ident, trust)
    # on a server, the next chunk is read and checked while this one is written (storage/sync/read_ahead.py);
    # closed here, whatever is raised: its thread leaves the file before the caller closes it
    ahead = s.connection().dialect.name != "sqlite"
    with contextlib.closing(chunks(events, CHUNK_EVENTS, path.name, ahead=ahead)) as stream:
        for chunk in stream:
            if authorise is not None:  # first: "written by another device" says more than the values it forged
                authorise(chunk.events)
            if chunk.problem is not None:
                raise chunk.problem
            _apply_chunk(s, chunk.events, chunk.cleaned, tally)
            young_garbage_collected()
            if len(tally.risk_moved) >= RISK_BATCH:  # a later chunk that moves one of them again adds it again
                refresh_risk(s, tally.risk_moved)
                tally.risk_moved.clear()
    if tally.risk_moved:
        refresh_risk(s, tally.risk_moved)
    ident = s.get(Identity, 1)
    ident.last_hlc = hlc.observe(ident.last_hlc, tally.newest)
    s.add(ident)
    if ident.role == "township" and manifest.get("kind") == "worker" and manifest.get("grid_code"):
        # a grid put in a village by its name alone, which this township knows by its code (storage/sync/village_named.py)
        tally.conflicts = max(0, tally.conflicts - settle_named_village(s, ident.township_code, manifest["grid_code"]))
    if trust is not None and trust.kind == "township":
        from storage.sync.county_trust import register_township

        outcome.new_device, outcome.released = register_township(s, manifest, trust, now)
    elif trust is not None:
        outcome.new_device = register(s, manifest, trust, now)
    received = s.get(BundleReceived, (outcome.device_id, outcome.seq)) or BundleReceived(
        device_id=outcome.device_id, seq=outcome.seq, merged_at=now)
    received.file_name, received.payload_sha256 = path.name, manifest["payload_sha256"]
    received.event_count, received.merged_at = tally.events, now
    received.full = manifest.get("full") is True
    s.add(received)
    outcome.events_new = tally.new
    outcome.landed_away = tally.landed_away
    outcome.added, outcome.updated, outcome.conflicts = tally.added, tally.updated, tally.conflicts
    s.add(AuditEntry(at=now, actor=ident.worker_name, action="merge", file=str(path.absolute()),
                     counts={"device": outcome.device_id, "seq": outcome.seq, "events": tally.events,
                             "new_events": tally.new, "records": tally.records}))
    s.flush()


def _apply_chunk(s: Session, events: list[dict[str, Any]], cleaned: dict[int, dict[str, Any]], tally: _Tally) -> None:
    """The set union of one chunk's events, then the records they touch re-derived.

    An id met twice keeps its first event, as INSERT OR IGNORE does (and as an earlier chunk's, or
    another bundle's, copy already in the database does): what is folded is what is stored.
    `cleaned`: the fields the value checks cleaned (by id() of the event): the events of new records
    are folded with them, as they were judged, instead of being cleaned again.
    """
    conn = s.connection()
    bulk = for_connection(conn)
    first: dict[str, dict[str, Any]] = {}
    for ev in events:
        first.setdefault(ev["id"], ev)
    present = bulk.existing_event_ids(conn, list(first))
    new = [ev for eid, ev in first.items() if eid not in present]
    keys = {(ev["record_type"], ev["record_id"]) for ev in new}
    by_type: dict[str, list[str]] = {}
    for rtype, rid in keys:
        by_type.setdefault(rtype, []).append(rid)
    bulk.insert_events_ignore(conn, new, checked=True)  # just looked up, under the write lock
    existing = {t: bulk.existing_state_ids(conn, str(RECORD_TABLES[t].__tablename__), ids)
                for t, ids in by_type.items()}
    # only records that had state can have had conflicts before this chunk
    before = reviewed_conflicts(s, existing)
    fresh: dict[tuple[str, str], list[dict[str, Any]]] = {}
    rewritten: set[tuple[str, str]] = set()  # `clean` changed their fields: the events as stored are not as folded
    for ev in new:
        key = (ev["record_type"], ev["record_id"])
        if ev["record_id"] not in existing[key[0]]:  # no state yet, so no events before these
            fields = cleaned.get(id(ev))
            fresh.setdefault(key, []).append(ev if fields is None else {**ev, "fields": fields})
            if fields is not None:
                rewritten.add(key)
    served = fresh_state.served(fresh, rewritten)  # most new records' state, derived by the database
    after = reviewed(rebuild(s, keys - served.keys(), {k: v for k, v in fresh.items() if k not in served},
                             known_clean=True, risk_later=tally.risk_moved))
    if tally.watch_away and existing.get("resident"):  # (records new here were merged away nowhere)
        tally.landed_away |= edited_away(conn, new, existing["resident"])
    if served:  # after the fold: a visit's risk row replaces a risk record folded under its id, as the fold's does
        fresh_state.derive_in_sql(conn, served, tally.risk_moved)
    tally.events += len(events)
    tally.new += len(new)
    tally.newest = max(tally.newest, max((ev["hlc"] for ev in first.values()), default=0))
    tally.conflicts += len(after - before)
    had = {(t, rid) for t, ids in existing.items() for rid in ids}
    tally.updated += tally.born.updated(had)
    tally.added += len(keys - had)
    tally.born.add(keys - had)
    tally.records += len(keys)


def merge_paths(db: Database, paths: Iterable[Path], progress: Progress | None = None) -> MergeReport:
    """Merge bundles, several to a transaction (a commit per bundle was a third of a township merge).

    Each bundle is still all or nothing (a savepoint); a kill loses at most the
    current batch, which re-running the merge completes.
    """
    files = bundle_files(paths)
    secrets = age_secrets(db) if files else []
    report = MergeReport()
    away = merged_before(db) if files else None
    register = register_now(db) if files else None
    arriving = here_before(db) if files else None
    merged_now: dict[tuple[str, int, str], str] = {}  # a bundle merged in this run: the file it came from
    i = 0
    while i < len(files):
        with db.write() as s, large_cache(s):
            pending = 0
            while i < len(files) and pending < BATCH_EVENTS:
                if progress:
                    progress(i, len(files))
                with collector_paused():
                    outcome = _merge_into(s, files[i], secrets)
                i += 1
                pending += outcome.events_new + 1
                if outcome.status != "waiting":  # merged after all (released in this run): it waits no more
                    report.bundles = [b for b in report.bundles if not (b.status == "waiting" and b.file == outcome.file)]
                report.bundles.append(outcome)
                bundle = (outcome.device_id, outcome.seq, outcome.payload)
                if outcome.status == "new" and outcome.payload:
                    merged_now.setdefault(bundle, outcome.file)
                elif outcome.status == "already" and bundle in merged_now:
                    outcome.copy_of = merged_now[bundle]
                if outcome.status == "refused":
                    audit_refusal(s, files[i - 1], outcome.code, outcome.device_id, outcome.seq, outcome.problem)
                report.added += outcome.added
                report.updated += outcome.updated
                report.conflicts += outcome.conflicts
                if outcome.new_device:
                    device = s.get(Device, outcome.device_id)
                    report.new_devices.append((outcome.device_id, outcome.worker, fingerprint(device.sign_public),
                                               _township_named(s, outcome.township) if device.kind == "township" else ""))
                # a township that gave the county's code after sending bundles: the ones that waited, now
                if outcome.released:
                    ahead = {p.absolute() for p in files[i:]}
                    files += [Path(f) for f in outcome.released if Path(f).is_file() and Path(f).absolute() not in ahead]
    if progress:
        progress(len(files), len(files))
    if not db.is_sqlite and report.added + report.updated:
        analyze(db)
    report.missing = missing_bundles(db)
    with db.session() as s:
        report.at_county = load_identity(s).role == "county"
    report.duplicates = len(possible_duplicates(db))
    if away is not None:
        report.at_worker = True
        report.merged_away = merged_since(db, away)
        report.moved_away = moved_since(db, away, arriving.own if arriving is not None else None)
    if register is not None:
        report.changed = changed_since(db, register)
    if arriving is not None:
        report.moved_here, report.registered_here = arrived_since(db, arriving)
    edited = set().union(*(b.landed_away for b in report.bundles))
    if edited:
        report.landed_away = landed_away(db, edited)
    return report


def _township_named(s: Session, code: str) -> str:
    """A township as the county knows it: its name (from its records, merged just now) and its code."""
    township = s.get(Township, code)
    return township_label(township.name if township is not None and not township.deleted else None, code)

"""What the Sync screen shows before it runs: the folder to use and the bundles found there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from sqlalchemy import select

from storage.core.audit import last_folder
from storage.core.db import Database
from storage.core.i18n import _
from storage.core.models import BundleReceived, Device, Grid, Township
from storage.core.paths import practice_dir
from storage.core.text import printable
from storage.sync.bundle_file import BundleError, read_manifest, verify_file
from storage.sync.merge import bundle_files


@dataclass(frozen=True)
class BundleListing:
    path: Path
    worker: str = ""
    grid: str = ""  # a worker's bundle's grid ("" in a township's to its county)
    township: str = ""  # the township's name (as this database knows it, else as the bundle says), else its code
    device_id: str = ""
    seq: int = 0
    created: dt.datetime | None = None
    events: int = 0
    merged: bool = False  # this (device, bundle number) is already in the database
    problem: str = ""  # the header cannot be read: the merge will refuse it
    kind: str = ""  # who sent it (the manifest's): "worker", "township" (to a grid, or to its county)
    # what merging it would do (preview_folder; "" from scan_folder): new | already | refused | waiting | own |
    # elsewhere (at a county: another level's, left by the merge), and why, in the merge's words without the file's name
    status: str = ""
    reason: str = ""
    payload: str = ""  # the manifest's payload checksum: two files with it and the same (device, number) are one bundle


def suggested_folder(db: Database, action: str) -> Path:
    """The folder of the last export or merge (a USB stick is usually mounted at the same place); before the first
    merge, a demo township's practice bundles (`demo`, storage/demo/practice.py); else home."""
    folder = last_folder(db, action)
    if folder is not None:
        return folder
    practice = practice_folder(db) if action == "merge" else None
    return practice or Path.home()


def practice_folder(db: Database) -> Path | None:
    """The folder of practice bundles `demo` wrote beside this database, while it is there."""
    folder = practice_dir(db.local_path).resolve()
    return folder if folder.is_dir() else None


def scan_folder(db: Database, folder: Path) -> list[BundleListing]:
    """Every bundle file in the folder with its manifest (unverified: reading it is cheap)."""
    listings = []
    with db.session() as s:
        for path in bundle_files([folder]):
            try:
                m = read_manifest(path)
            except BundleError as exc:
                listings.append(BundleListing(path, problem=str(exc)))
                continue
            device, seq = str(m.get("device_id", "")), m.get("seq") if isinstance(m.get("seq"), int) else 0
            try:
                created = dt.datetime.fromisoformat(str(m.get("created_at")))
            except ValueError:
                created = None
            counts = m.get("counts") if isinstance(m.get("counts"), dict) else {}
            merged = s.get(BundleReceived, (device, seq))
            merged_before = merged is not None and merged.payload_sha256 == m.get("payload_sha256")
            if merged_before:  # only a copy that is whole and as signed is "already merged" (issue #12)
                try:
                    verify_file(path)
                except BundleError as exc:
                    listings.append(BundleListing(path, problem=str(exc)))
                    continue
            town = str(m.get("township_code") or "")
            known = s.get(Township, town) if town else None  # a county knows its townships by name
            listings.append(BundleListing(
                path, worker=str(m.get("worker") or ""), grid=str(m.get("grid_code") or ""),
                township=(known.name if known is not None and known.name else str(m.get("township_name") or town)),
                device_id=device, seq=seq,
                created=created, events=int(counts.get("events") or 0), merged=merged_before,
                kind=str(m.get("kind") or ""), payload=str(m.get("payload_sha256") or "")))
    return listings


def preview_folder(db: Database, folder: Path) -> list[BundleListing]:
    """The folder's bundles as the Sync screen lists them before merging: each one with what the merge would
    say of it (storage/sync/verdict.py: the merge's checks up to its payload's first block, nothing written)."""
    from storage.core.changes import load_identity
    from storage.sync.merge import age_secrets
    from storage.sync.verdict import preview

    listings = scan_folder(db, folder)
    if not listings:
        return []
    secrets = age_secrets(db)
    with db.session() as s:
        ident = load_identity(s)
        out = []
        first: dict[tuple[str, int, str], str] = {}  # a new bundle's (device, number, checksum): its file's name
        for b in listings:
            verdict = preview(s, ident, b.path, secrets)
            status, reason = verdict.status, verdict.problem
            if ident.role == "county" and not _county_takes(b) and status == "refused":
                status = "elsewhere"  # a worker's, or a township's to a grid: the merge leaves it (for_this_database)
            if status == "new" and b.payload:
                key = (b.device_id, b.seq, b.payload)
                if key in first:  # a copy beside it (副本-…gcb): the merge takes one, and says the other was merged
                    status, reason = "already", _("A copy of {file}: the same bundle, merged once.").format(
                        file=printable(first[key]))
                first.setdefault(key, b.path.name)
            out.append(replace(b, status=status, reason=reason, merged=status == "already"))
    return out


def _worker_takes(b: BundleListing, grid: str) -> bool:
    """The township's bundle to this worker's grid: the USB stick a worker exports to also carries this laptop's
    own bundles, the other workers' and what the township sent the other grids, none of them for this database (a
    merge would list each as refused). The merge still checks each one's signature and grid."""
    return b.kind == "township" and b.grid == grid and not b.problem


def _county_takes(b: BundleListing) -> bool:
    """A township's bundle to the county: the township's stick also carries its workers' bundles and what it sent
    back to its grids, none of them for the county (a merge listed each as refused, exit status 1). Or a file whose
    header cannot be read: it stays, and the merge says what is wrong with it."""
    return b.kind == "to_county" or bool(b.problem)


@dataclass(frozen=True)
class Taken:
    """What a merge of some files and folders takes at this database (`for_this_database`)."""

    paths: list[Path]
    left: int  # bundles of the folders named that are not for this level (tui/folder_texts.py says which)
    role: str
    # at a worker, the folders' files whose header cannot be read: left too (most often another grid's, on a
    # shared stick: refusing them would fail every merge of it), but each named with what is wrong, so that a
    # damaged bundle from the township to this grid is not passed over in silence
    unreadable: list[BundleListing] = field(default_factory=list)


def for_this_database(db: Database, paths: list[Path]) -> Taken:
    """What a merge of `paths` takes here: a folder's bundles sent to this level only (a worker's: the township's
    to its grid; a county's: the townships' to the county; a township takes every one). A file named on its own
    is merged, or refused, as it is."""
    from storage.core.changes import load_identity

    with db.session() as s:
        ident = load_identity(s)
        role, grid = ident.role, ident.grid_code or ""  # a worker's grid as its record id (330521101-G02)
    takes: Callable[[BundleListing], bool]
    if role == "worker":
        takes = partial(_worker_takes, grid=grid)
    elif role == "county":
        takes = _county_takes
    else:
        return Taken(list(paths), 0, role)
    chosen: list[Path] = []
    unreadable: list[BundleListing] = []
    left = 0
    for path in map(Path, paths):
        if not path.is_dir():
            chosen.append(path)
            continue
        listings = scan_folder(db, path)
        here = [b.path for b in listings if takes(b)]
        damaged = [b for b in listings if b.problem and not takes(b)]
        chosen += here
        unreadable += damaged
        left += len(listings) - len(here) - len(damaged)
    return Taken(chosen, left, role, unreadable)


def known_grids(db: Database) -> list[tuple[str, str, str]]:
    """(grid's short code, the code and its name as the clerk reads them, workers) of every grid with an enrolled
    device: the township exports back to those (encrypted to each of the grid's enrolled devices,
    storage/sync/export.py). The name too: `G01（王芳）` alone made the clerk remember which grid G01 was."""
    from storage.core.i18n import _
    from storage.core.text import printable

    with db.session() as s:
        devices = s.execute(select(Device).where(Device.kind == "worker", Device.status == "approved")
                            .order_by(Device.grid_code, Device.last_seen.desc())).scalars()
        grids: dict[str, list[str]] = {}
        for d in devices:
            if d.grid_code:
                names = grids.setdefault(d.grid_code, [])
                if d.worker_name not in names:
                    names.append(d.worker_name)
        named = dict(s.execute(select(Grid.id, Grid.name).where(Grid.deleted.is_(False))).all())
    def listed(names: list[str]) -> str:
        text = names[0]
        for name in names[1:]:
            text = _("{a}, {b}").format(a=text, b=name)  # Chinese lists are joined with 、
        return text

    def shown(code: str) -> str:
        short, name = printable(code.split("-", 1)[-1]), printable(named.get(code) or "", limit=20)
        return f"{short} {name}" if name and name != short else short

    return [(printable(code.split("-", 1)[-1]), shown(code), listed([printable(w, limit=20) for w in workers]))
            for code, workers in grids.items()]

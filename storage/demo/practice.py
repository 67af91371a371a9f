"""Practice bundles beside a demo township: a clerk's first merge, made on data that does not matter.

Grid workers of the township's first two grids get a laptop each, set up as a real one is: enrolled with a
one-time code the demo township makes (storage/sync/devices.py `enroll`), given the township's public key, and
holding their grid's demo history (the very events the township holds, so that their edits are made from the
versions the township has). The first grid's worker has a second laptop (the village office's computer), enrolled
the same way. On them: new visits to people not visited this month (one of them an emergency finding), a changed
phone, and one resident's phone changed on both of the first worker's laptops, neither having seen the other's
change: a conflict. Each laptop exports its bundle (`export_bundle`: signed by its device, encrypted to the
township) into the practice folder; the laptops themselves are thrown away.

The demo township gains only the enrollment codes (and their lines in the audit log), which its first merge
uses as a real clerk's are; its records stay exactly as `generate` wrote them, so bench/'s reference sets are
what they were. Which residents, which visits and which numbers follow from the seed.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from storage.core.changes import load_identity
from storage.core.db import Database, open_database
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.identity import get_identity, init_worker
from storage.core.keys import TownshipPublicKey, write_public_key_file
from storage.core.models import Grid, Resident
from storage.core.paths import practice_dir
from storage.demo.build import write_grid
from storage.demo.grid import Batch, GridSpec
from storage.register.categories import ELDER_CATEGORIES
from storage.register.residents import update_resident
from storage.register.visits import log_visit, propose_next_visit
from storage.sync.devices import enroll
from storage.sync.export import export_bundle

GRIDS = 2  # the first grids of the database's own township
VISITS = 4  # by each worker's first laptop, besides the emergency
NOTES = ("一切正常", "提醒天冷添衣", "已提醒注意用电安全", "和对象谈心，情绪稳定", "帮助填写救助申请")
FALL = "入户时发现对象在家中摔倒，无法起身，已拨打120送乡镇卫生院，已通知家属"


@dataclass
class Practice:
    """What the practice bundles carry, as the clerk will find it after merging them."""

    folder: Path
    bundles: list[Path] = field(default_factory=list)
    visits: int = 0  # new visits, the emergency's among them
    phones: int = 0  # phones changed without a conflict
    conflicts: int = 0
    emergencies: int = 0


class Kept:
    """The first GRIDS grids `generate` writes (its `built` callback): the database's own township comes first."""

    def __init__(self) -> None:
        self.grids: list[tuple[GridSpec, Batch]] = []

    def __call__(self, spec: GridSpec, batch: Batch) -> None:
        if len(self.grids) < GRIDS:
            self.grids.append((spec, batch))


@dataclass
class _Laptop:
    spec: GridSpec
    batch: Batch
    visits: list[str]
    phones: dict[str, str]
    emergency: str | None = None


def practice_target(db: Database, scale: str, folder: Path | None) -> Path | None:
    """Where this `demo` run puts practice bundles, or None: a township's demo (scale township) puts them beside
    the database, or in `folder` (any scale that makes a township's demo). Refused before anything is generated:
    a worker's database, a folder that is a file or holds files."""
    ident = get_identity(db)
    if ident is not None:
        with db.session() as s:
            if s.execute(select(func.count()).select_from(Resident)).scalar():
                return None  # `generate` refuses a database that holds residents, in its own words
    township = scale != "grid" and (ident is None or ident.role == "township")
    if folder is None:
        folder = practice_dir(db.local_path) if township and scale == "township" else None  # beside it
    elif not township:
        raise UserError(_("Practice bundles are made for a township's demo (demo --scale township)."))
    if folder is not None:
        check_folder(folder)
    return folder


def check_folder(folder: Path) -> None:
    """Refuse, before the demo is generated, a folder the practice bundles cannot go into."""
    if folder.exists() and not folder.is_dir():
        raise UserError(_("{folder} is a file: the practice bundles need a folder.").format(folder=folder))
    if folder.is_dir() and any(folder.iterdir()):
        raise UserError(_("The folder {folder} is not empty: remove it, or name another folder for the practice "
                          "bundles with --bundles.").format(folder=folder))


def write_practice(db: Database, kept: Kept, *, seed: int, today: dt.date, folder: Path) -> Practice:
    """The practice bundles of the demo township just generated in `db`, into `folder` (made if missing)."""
    ident = get_identity(db)
    if ident is None or ident.role != "township" or len(kept.grids) < GRIDS:
        raise UserError(_("Practice bundles are made for a township's demo (demo --scale township)."))
    check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = TownshipPublicKey(ident.township_code, ident.township_name, ident.township_age_recipient,
                            ident.township_sign_public)
    laptops = _laptops(kept, today, random.Random(f"demo:{seed}:practice"))
    practice = Practice(folder, conflicts=1, emergencies=1, phones=1)
    with tempfile.TemporaryDirectory(prefix="gridcare-practice-") as scratch:
        key_file = Path(scratch) / f"township-{ident.township_code}.pub"
        write_public_key_file(key_file, ident.township_code, ident.township_name, key)
        for n, laptop in enumerate(laptops):
            worker_db = open_database(Path(scratch) / f"laptop{n}.db")
            try:
                _set_up(db, worker_db, laptop, key_file)
                for i, rid in enumerate(laptop.visits):
                    _visit(worker_db, rid, today, NOTES[(n + i) % len(NOTES)])
                if laptop.emergency:
                    _visit(worker_db, laptop.emergency, today, FALL, emergency=True)
                for rid, phone in laptop.phones.items():
                    update_resident(worker_db, rid, {"phone": phone}, today=today)
                practice.visits += len(laptop.visits) + bool(laptop.emergency)
                practice.bundles.append(export_bundle(worker_db, folder).path)
            finally:
                worker_db.dispose()
    return practice


def _laptops(kept: Kept, today: dt.date, rng: random.Random) -> list[_Laptop]:
    (first, first_batch), (second, second_batch) = kept.grids
    ones, twos = _in_care(first_batch, today), _in_care(second_batch, today)
    rng.shuffle(ones)
    rng.shuffle(twos)
    clash = _take(ones, lambda r: bool(r["phone"]))
    urgent = _take(ones, lambda r: bool(set(r["categories"]) & ELDER_CATEGORIES))
    changed = _take(twos, lambda r: bool(r["phone"]))
    numbers = _numbers(rng, 3)
    return [
        _Laptop(first, first_batch, [r["id"] for r in ones[:VISITS]], {clash: numbers[0]}, urgent),
        _Laptop(second, second_batch, [r["id"] for r in twos[:VISITS]], {changed: numbers[1]}),
        # the same worker's second laptop, which had not had the first one's change of that phone
        _Laptop(first, first_batch, [r["id"] for r in ones[VISITS:VISITS + 1]], {clash: numbers[2]}),
    ]


def _in_care(batch: Batch, today: dt.date) -> list[dict[str, Any]]:
    """The grid's residents in care and not visited this month yet, in a stable order: their visits move Home."""
    month = today.replace(day=1)
    seen = {v["resident_id"] for v in batch.rows.get("visit", []) if v["visit_date"] and v["visit_date"] >= month}
    return sorted((r for r in batch.rows.get("resident", [])
                   if r["status"] == "active" and not r["deleted"] and r["id"] not in seen), key=lambda r: r["id"])


def _take(rows: list[dict[str, Any]], fits) -> str:
    """The first row that fits (else the first), taken out of `rows`: its id."""
    row = next((r for r in rows if fits(r)), rows[0])
    rows.remove(row)
    return str(row["id"])


def _numbers(rng: random.Random, n: int) -> list[str]:
    found: list[str] = []
    while len(found) < n:
        number = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _i in range(9))
        if number not in found:
            found.append(number)
    return found


def _set_up(township: Database, worker_db: Database, laptop: _Laptop, key_file: Path) -> None:
    """A worker's laptop as the clerk's enrollment code and the grid's history make it."""
    spec = laptop.spec
    grid = spec.grid_id.split("-", 1)[1]
    code, _view = enroll(township, grid, spec.worker)
    init_worker(worker_db, spec.township[0], spec.township[1], grid, spec.grid_name, spec.worker, key_file,
                village_code=spec.village[0], village_name=spec.village[1], enroll_code=code)
    # the grid's row stays as `init` wrote it: the history's values (its own newer event repeats them, so the
    # township sees no conflict on the grid), and the village's name besides
    rows = {table: r for table, r in laptop.batch.rows.items() if table != Grid.__tablename__}
    history = Batch(laptop.batch.events, rows, laptop.batch.counts, laptop.batch.newest_hlc)
    with worker_db.write() as s:
        write_grid(s, history, spec, {("township", spec.township[0]), ("village", spec.village[0])})
        ident = load_identity(s)
        ident.last_hlc = max(ident.last_hlc, history.newest_hlc)
        s.add(ident)


def _visit(worker_db: Database, rid: str, today: dt.date, notes: str, *, emergency: bool = False) -> None:
    fields: dict[str, Any] = {"visit_date": today, "method": "home", "met_with": "本人", "contact_made": True,
                              "notes": notes}
    if emergency:
        fields.update(risk_after="emergency", mandatory_report=True, services=["health_check"])
    fields["next_visit_on"] = propose_next_visit(worker_db, rid, today, fields.get("risk_after"))
    log_visit(worker_db, rid, fields, today=today)

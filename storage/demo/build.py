"""`gridcare demo`: a realistic synthetic register, deterministic by seed.

grid: one grid of 300 residents (a worker's database); township: 40 grids of
150 in 10 villages; county: 20 such townships. Each grid is built in memory by
storage/demo/grid.py as dated change events plus the state they fold to, and
written in one bulk transaction (the county set has 1.4 million visits).
tests/test_demo.py checks that this state is exactly what a rebuild from the
events derives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from itertools import groupby

from sqlalchemy import func, select
from sqlmodel import Session

from storage.core import hlc as clock
from storage.core.bulk import for_connection
from storage.core.changes import writer
from storage.core.china_day import china_today
from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.identity import init_township, init_worker
from storage.core.models import Grid, Identity, Resident, Township, Village
from storage.demo import words
from storage.demo.grid import Batch, GridBuilder, GridSpec, Shared

Progress = Callable[[int, int], None]
Built = Callable[[GridSpec, Batch], None]
DEMO_TOWNSHIP = ("330521101", "新市镇")
DEMO_GRID = ("G01", "柳溪村第一网格", "王芳")
GRIDS_PER_TOWNSHIP, GRIDS_PER_VILLAGE = 40, 4
SCALES = {"grid": (1, 1, 300), "township": (1, GRIDS_PER_TOWNSHIP, 150), "county": (20, GRIDS_PER_TOWNSHIP, 150)}


def device_for(seed: int, grid_id: str) -> str:
    """A generated grid's device: stable for a seed, so the same seed gives the same events."""
    return hashlib.sha256(f"demo:{seed}:{grid_id}".encode()).hexdigest()[:16]


def _village_code(township_code: str, n: int) -> str:
    return f"{township_code}{200 + n:03d}"  # village committees are numbered from 201


def _init_identity(db: Database, scale: str) -> Identity:
    if scale == "grid":
        code, name, worker = DEMO_GRID
        return init_worker(db, DEMO_TOWNSHIP[0], DEMO_TOWNSHIP[1], code, name, worker, None,
                           village_code=_village_code(DEMO_TOWNSHIP[0], 1), demo=True)
    ident, _path, _text = init_township(db, DEMO_TOWNSHIP[0], DEMO_TOWNSHIP[1], None)
    return ident


def _worker_plan(db: Database, ident: Identity, residents: int) -> list[GridSpec]:
    """A worker database: its own grid, written under its own device id so that it exports."""
    with db.session() as s:
        grid = s.get(Grid, ident.grid_code)
        code = (grid.village_code if grid else None) or _village_code(ident.township_code, 1)
        village = s.get(Village, code)
    name = village.name if village and village.name else words.VILLAGES[0] + "村"
    return [GridSpec((ident.township_code, ident.township_name), ident.grid_code or "", ident.grid_name or "",
                     (code, name), ident.worker_name, ident.device_id, residents, write_grid_record=False)]


def _township_plan(db: Database, ident: Identity, scale: str, seed: int) -> list[GridSpec]:
    """Townships of 40 grids, 4 to a village; the database's own township first."""
    townships_n, grids_n, per_grid = SCALES[scale]
    rng = random.Random(f"demo:{seed}:plan")
    county = ident.township_code[:6]
    with db.session() as s:
        taken = set(s.execute(select(Grid.id)).scalars())
    others = [f"{county}{n:03d}" for n in range(101, 200) if f"{county}{n:03d}" != ident.township_code]
    names = [n + "镇" for n in words.TOWNSHIPS if n + "镇" != ident.township_name]
    # more codes than names: as many townships as there are names, then the first townships_n
    townships = [(ident.township_code, ident.township_name), *zip(others, names, strict=False)][:townships_n]
    plan = []
    for code, name in townships:
        villages = rng.sample(words.VILLAGES, (grids_n + GRIDS_PER_VILLAGE - 1) // GRIDS_PER_VILLAGE)
        workers: set[str] = set()
        g = 0
        for i in range(grids_n):
            g += 1
            while f"{code}-G{g:02d}" in taken:
                g += 1
            v = i // GRIDS_PER_VILLAGE
            village = (_village_code(code, v + 1), villages[v] + "村")
            worker = ""
            while not worker or worker in workers:
                surname = rng.choice("王李张刘陈杨黄赵吴周徐孙沈朱")
                worker = surname + rng.choice(words.WOMAN_ADULT + words.MAN_ADULT)
            workers.add(worker)
            grid_id = f"{code}-G{g:02d}"
            grid_name = f"{village[1]}第{words.NUMERALS[i % GRIDS_PER_VILLAGE]}网格"
            plan.append(GridSpec((code, name), grid_id, grid_name, village, worker, device_for(seed, grid_id),
                                 per_grid, write_grid_record=True))
    return plan


def generate(db: Database, *, seed: int = 1, scale: str = "grid", progress: Progress | None = None,
             today: dt.date | None = None, residents: int | None = None, built: Built | None = None) -> dict[str, int]:
    """Fill the database; returns counts (residents, visits, referrals, grids, events).

    An empty database becomes a demo worker database (scale grid) or a demo
    township database (township, county). A worker database gets its own grid;
    a township database one grid (scale grid) or whole townships. `residents`
    sets a worker grid's size (the benchmarks build 40 grids of 150). `built` is handed each grid as written
    (storage/demo/practice.py copies a few into the practice workers' laptops).
    """
    if scale not in SCALES:
        raise UserError(_("Unknown scale {scale}: choose grid, township or county.").format(scale=scale))
    today = today or china_today()
    with db.session() as s:
        ident = s.get(Identity, 1)
        if ident is not None and ident.role == "county":  # it has no township of its own to make residents in
            raise UserError(_("demo fills a worker's or a township's database: a county's residents come in its "
                              "townships' bundles."))
        if s.execute(select(func.count()).select_from(Resident)).scalar():
            raise UserError(_("This database already holds residents; run demo on a new database."))
    created = ident is None
    ident = ident or _init_identity(db, scale)
    if ident.role == "worker":
        plan = _worker_plan(db, ident, residents or SCALES["grid"][2])
    else:
        plan = _township_plan(db, ident, scale, seed)
    # the township acknowledges findings: its own device on a township; on a demo worker database (made by this
    # run) a township whose return bundles it has had; a real worker's database gets no one else's records
    township_device = (ident.device_id if ident.role == "township"
                       else device_for(seed, ident.township_code) if created else "")
    # the demo's history runs into today's morning (storage/demo/history.py): a minute behind the real clock
    # at the latest, whatever the hour the demo is made (a fixed past `today` is far behind it)
    shared = Shared(county=ident.township_code[:6], township_device=township_device,
                    clerk=ident.worker_name if ident.role == "township" else "乡镇民政助理员",
                    stamp_ceiling_ms=clock.now_ms() - 60_000)
    total = sum(spec.residents for spec in plan)
    done = 0
    counts = {"visits": 0, "referrals": 0, "events": 0}
    newest = 0
    places: set[tuple[str, str]] = set()

    def one_more() -> None:
        nonlocal done
        done += 1
        if progress and done % 100 == 0:
            progress(done, total)

    for _township, specs in groupby(plan, key=lambda spec: spec.township):
        with db.write() as s:  # a township per transaction: 20 commits for the county, not 800
            for spec in specs:
                batch = GridBuilder(seed, today, spec, shared).build(one_more)
                counts["events"] += len(batch.events) + write_grid(s, batch, spec, places)
                if built:
                    built(spec, batch)
                counts["visits"] += batch.counts.get("visit", 0)
                counts["referrals"] += batch.counts.get("referral", 0)
                newest = max(newest, batch.newest_hlc)
    with db.write() as s:  # real edits made later on this database must win over every generated event
        identity = s.get(Identity, 1)
        identity.last_hlc = max(identity.last_hlc, newest)
        identity.demo = identity.demo or created  # a township set up here is a demo one too
        s.add(identity)
    if progress:
        progress(total, total)
    with db.session() as s:
        in_db = s.execute(select(func.count()).select_from(Resident)).scalar() or 0
    return {"residents": in_db, "grids": len(plan), **counts}


def write_grid(s: Session, batch: Batch, spec: GridSpec, places: set[tuple[str, str]]) -> int:
    """One grid, in the caller's write transaction; returns the number of place events written besides the batch."""
    conn = s.connection()
    bulk = for_connection(conn)
    bulk.insert_events_ignore(conn, batch.events)
    for table, rows in batch.rows.items():
        bulk.replace_rows(conn, table, rows)
    # townships and villages: set up by whoever runs this database, through the ordinary writer
    w, written = None, 0
    for record_type, (code, name), extra in (("township", spec.township, {}),
                                             ("village", spec.village, {"township_code": spec.township[0]})):
        if (record_type, code) in places:
            continue
        places.add((record_type, code))
        w = w or writer(s)
        if s.get(Village if record_type == "village" else Township, code) is None:
            w.write(record_type, code, {"name": name, **extra})
            written += 1
    grid = None if spec.write_grid_record else s.get(Grid, spec.grid_id)
    if grid is not None and not grid.village_code:
        # a worker's own grid, set up without a village, is in the one its demo residents are in: the grid's
        # record carries the village's name to the township, which holds no village record of its own (walk F, 5)
        w = w or writer(s)
        w.write("grid", spec.grid_id, {"village_code": spec.village[0], "village_name": spec.village[1]})
        written += 1
    return written


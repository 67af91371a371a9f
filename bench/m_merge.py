"""Merging bundles vs a plain-SQL INSERT ... SELECT of the same rows from an attached file.

The township's 40 bundles, with the parts of a merge that no merge can avoid measured
apart (reading the bundles; handing the rows to SQLite from Python), and the county's
800 bundles with the merge's peak memory. Each merge runs in a process of its own.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.core import Figure, Result
from storage.core.paths import keys_file

# every table a merge writes rows into: the events, each record type's state, the conflicts (benefit and
# assessment came with #15; a floor without them copied ~7 % fewer rows than the merge wrote)
STATE_TABLES = ("event", "resident", "visit", "referral", "risk_assessment", "grid", "village", "township", "benefit",
                "assessment", "emergency_ack", "setting", "conflict")
RUNNER = Path(__file__).parent / "apps" / "merge_run.py"
BARE = Path(__file__).parent / "apps" / "bare_merge.py"


def _connect(path: Path, cache: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    if cache:
        from storage.sync.merge_tuning import MERGE_CACHE_KIB  # the cache the merge itself sets

        conn.execute(f"PRAGMA cache_size = -{MERGE_CACHE_KIB}")
    return conn


def _fresh(pristine: Path, target: Path) -> Path:
    for side in ("", "-wal", "-shm"):
        Path(str(target) + side).unlink(missing_ok=True)
    shutil.copy(pristine, target)
    if keys_file(pristine).exists():  # the private keys live beside the database, never in it
        shutil.copy(keys_file(pristine), keys_file(target))
    return target


def _upsert(conn: sqlite3.Connection, table: str) -> str:
    """The same rows as an upsert (what a merge's writes are: a record may be there already)."""
    info = conn.execute(f"PRAGMA main.table_info({table})").fetchall()
    key = ",".join(row[1] for row in sorted(info, key=lambda r: r[5]) if row[5])
    sets = ",".join(f"{row[1]} = excluded.{row[1]}" for row in info if not row[5])
    # (`WHERE true`: an upsert must have it when it selects, to tell its ON CONFLICT from a join's ON)
    return f"INSERT INTO main.{table} SELECT * FROM src.{table} WHERE true ON CONFLICT ({key}) DO UPDATE SET {sets}"


def _floor(source: Path, pristine: Path, folder: Path, *, upsert: bool = False) -> float:
    """Insert the rows the merge produced, from an attached copy, into the database before the merge.

    The plain INSERT OR IGNORE … SELECT * into an empty table is SQLite's transfer optimisation: records
    and index entries copied as they are stored, in order, decoded by nothing — a copy no merge can make
    (its rows come from somewhere else). `upsert`: the same rows as INSERT … ON CONFLICT DO UPDATE, the
    kind of floor DESIGN §4 quotes beside its targets ("an SQL upsert … from an attached file").
    """
    conn = _connect(_fresh(pristine, folder / "floor.db"))
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    statements = [_upsert(conn, t) if upsert else f"INSERT OR IGNORE INTO main.{t} SELECT * FROM src.{t}"
                  for t in STATE_TABLES]
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for sql in statements:
        conn.execute(sql)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def _handover(source: Path, pristine: Path, folder: Path) -> float:
    """The same rows, already in hand as Python tuples, through executemany (what any Python merge must do)."""
    src = sqlite3.connect(str(source))
    rows = {t: src.execute(f"SELECT * FROM {t}").fetchall() for t in STATE_TABLES}
    src.close()
    conn = _connect(_fresh(pristine, folder / "handover.db"), cache=True)
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for table, batch in rows.items():
        if batch:
            conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({','.join('?' * len(batch[0]))})", batch)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def _read_all(bundles: Path, pristine: Path) -> float:
    """Verify, decrypt and parse every bundle, writing nothing."""
    from storage.core.db import open_database
    from storage.core.identity import get_identity
    from storage.core.private_keys import private_keys
    from storage.sync.bundle_file import read_bundle

    db = open_database(pristine)
    ident = get_identity(db)
    db.dispose()
    secret = private_keys(pristine).township_age_secret
    t0 = time.perf_counter()
    for path in sorted(bundles.iterdir()):
        read_bundle(path, [secret], ident.township_code)
    return time.perf_counter() - t0


def _merge(bundles: Path, pristine: Path, target: Path) -> tuple[float, int]:
    _fresh(pristine, target)
    out = subprocess.run([sys.executable, str(RUNNER), str(target), str(bundles)], capture_output=True, text=True,
                         check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert not result["refused"], result["refused"]
    return result["seconds"], result["peak_rss"]


def _bare(bundles: Path, pristine: Path, target: Path) -> float:
    """The bundles read, their events written and their state derived in SQL, nothing else (bench/apps/bare_merge.py)."""
    _fresh(pristine, target)
    out = subprocess.run([sys.executable, str(BARE), str(target), str(bundles)], capture_output=True, text=True,
                         check=True)
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def measure(reps: int, grids: int = 40, per_grid: int = 150) -> list[Result]:
    from bench.township_bundles import build

    bundles, pristine = build(grids, per_grid)
    ours, rss, floor, upsert, handover, reading, bare = [], [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        merged = folder / "merged.db"
        for _ in range(reps):
            seconds, peak = _merge(bundles, pristine, merged)
            ours.append(seconds)
            rss.append(peak)
            floor.append(_floor(merged, pristine, folder))
            upsert.append(_floor(merged, pristine, folder, upsert=True))
            handover.append(_handover(merged, pristine, folder))
            reading.append(_read_all(bundles, pristine))
            bare.append(_bare(bundles, pristine, folder / "bare.db"))
    label = f"merge {grids} bundles ({grids * per_grid:,} residents)"
    sql = Figure("INSERT…SELECT from attached file", floor)
    return [
        Result(label, Figure("merge_paths", ours), sql, target_ratio=3.0,
               note="target ≤ 3× the plain-SQL insert of the same rows (events and state)"),
        Result(f"{label}, against an upsert", Figure("merge_paths", ours),
               Figure("INSERT…SELECT ON CONFLICT DO UPDATE", upsert), target_ratio=3.0,
               note="the same rows as an upsert, as a merge writes them (the floor above is SQLite's transfer "
                    "optimisation: stored records copied as they are into empty tables)"),
        Result(f"  part: read the {grids} bundles (verify, decrypt, parse)", Figure("read_bundle", reading), sql,
               note="no writing at all: a lower bound of any merge of these files"),
        Result("  part: the merged rows handed to SQLite from Python", Figure("executemany, one transaction", handover),
               sql, note="the same rows as tuples already in hand: a lower bound of any merge written in Python"),
        Result("  part: read, the events written, their state derived in SQL, nothing else",
               Figure("bare_merge", bare), sql,
               note="no value checked, no writer authorised, nothing looked up or counted (bench/apps/bare_merge.py): "
                    "a lower bound of a merge that writes its events from Python and derives their state in SQL"),
        Result(f"memory: {label}, peak", Figure("peak RSS", rss, "B"), note="the merging process"),
    ]


def measure_county(grids: int = 800, per_grid: int = 150, township_peak: Figure | None = None) -> list[Result]:
    """Once: the county's bundles take minutes to merge (and to build, the first time)."""
    from bench.township_bundles import build

    bundles, pristine = build(grids, per_grid)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        merged = folder / "merged.db"
        seconds, peak = _merge(bundles, pristine, merged)
        floor = _floor(merged, pristine, folder)
    label = f"merge {grids} bundles ({grids * per_grid:,} residents)"
    return [
        Result(label, Figure("merge_paths", [seconds]), Figure("INSERT…SELECT from attached file", [floor]),
               note="the county set; the design sets no ratio for it, only memory"),
        Result(f"memory: {label}, peak", Figure("peak RSS", [peak], "B"), township_peak, target_abs=1024 * 2**20,
               note="streamed bundle by bundle: should stay near the township merge's peak (floor column); "
                    "target < 1 GiB, a quarter of a 4 GB machine"),
    ]

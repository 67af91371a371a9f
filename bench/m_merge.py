"""Merging the township's 40 bundles vs a plain-SQL INSERT ... SELECT of the same rows from an attached file."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.core import Figure, Result

STATE_TABLES = ("event", "resident", "visit", "referral", "risk_assessment", "grid", "village", "township")


def _floor(source: Path, pristine: Path, folder: Path) -> float:
    """Insert the rows the merge produced, from an attached copy, into the database before the merge."""
    target = folder / "floor.db"
    shutil.copy(pristine, target)
    conn = sqlite3.connect(str(target), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for table in STATE_TABLES:
        conn.execute(f"INSERT OR IGNORE INTO main.{table} SELECT * FROM src.{table}")
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def _merge(bundles: Path, pristine: Path, folder: Path, n: int) -> tuple[float, Path]:
    from storage.db import open_database
    from storage.merge import merge_paths

    target = folder / f"merged{n}.db"
    shutil.copy(pristine, target)
    db = open_database(target)
    t0 = time.perf_counter()
    report = merge_paths(db, [bundles])
    elapsed = time.perf_counter() - t0
    assert not report.refused, [b.message for b in report.refused]
    db.dispose()
    return elapsed, target


def measure(reps: int, grids: int = 40, per_grid: int = 150) -> list[Result]:
    from bench.township_bundles import build

    bundles, pristine = build(grids, per_grid)
    ours, floor = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in range(reps):
            elapsed, merged = _merge(bundles, pristine, folder, n)
            ours.append(elapsed)
            floor.append(_floor(merged, pristine, folder))
            merged.unlink()
    return [Result(f"merge {grids} bundles ({grids * per_grid:,} residents)", Figure("merge_paths", ours),
                   Figure("INSERT…SELECT from attached file", floor), target_ratio=3.0,
                   note="target ≤ 3× the plain-SQL insert of the same rows (events and state)")]

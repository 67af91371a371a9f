"""Exporting vs VACUUM INTO of the same database: a worker's bundle (--full), the township's bundle for a grid."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from bench.core import Figure, Result, repeat


def _timed(db_file: Path, reps: int, export) -> tuple[list[float], list[float]]:
    from bench.datasets import working_copy
    from storage.core.db import open_database

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_database(working_copy(db_file, folder))
        out = folder / "out"
        out.mkdir()
        ours = repeat(lambda: export(db, out), reps)
        counter = iter(range(10**6))

        def floor():
            conn = sqlite3.connect(str(db.path))
            conn.execute("VACUUM INTO ?", (str(folder / f"copy{next(counter)}.db"),))
            conn.close()

        floors = repeat(floor, reps)
        db.dispose()
    return ours, floors


def measure(worker_db: Path, township_db: Path, reps: int) -> list[Result]:
    from storage.sync.export import export_bundle

    ours, floors = _timed(worker_db, reps, lambda db, out: export_bundle(db, out, full=True))
    grid, township_floors = _timed(township_db, reps, lambda db, out: export_bundle(db, out, grid_code="G01"))
    return [Result("export a grid, everything (--full)", Figure("export_bundle", ours),
                   Figure("VACUUM INTO of the same file", floors),
                   note="encrypts and signs; the design notes JSON Lines alone cost ~20× VACUUM INTO"),
            Result("export from the township for one grid (--grid)", Figure("export_bundle", grid),
                   Figure("VACUUM INTO of the township file", township_floors),
                   note="one grid's residents and history out of the merged township; the floor copies every grid")]

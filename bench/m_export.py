"""Exporting a grid's bundle (--full) vs VACUUM INTO of the same database."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from bench.core import Figure, Result, repeat


def measure(worker_db: Path, reps: int) -> list[Result]:
    from bench.datasets import working_copy
    from storage.db import open_database
    from storage.export import export_bundle

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_database(working_copy(worker_db, folder))
        out = folder / "out"
        out.mkdir()
        ours = repeat(lambda: export_bundle(db, out, full=True), reps)
        counter = iter(range(10**6))

        def floor():
            conn = sqlite3.connect(str(db.path))
            conn.execute("VACUUM INTO ?", (str(folder / f"copy{next(counter)}.db"),))
            conn.close()

        floors = repeat(floor, reps)
        db.dispose()
    return [Result("export a grid, everything (--full)", Figure("export_bundle", ours),
                   Figure("VACUUM INTO of the same file", floors),
                   note="encrypts and signs; the design notes JSON Lines alone cost ~20× VACUUM INTO")]

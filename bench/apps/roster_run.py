"""Import a roster into a copy of a worker's database in a process of its own; print seconds and peak RSS as JSON.

    python bench/apps/roster_run.py DB ROSTER [--dry-run]
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from proc_status import peak_rss  # noqa: E402  (beside this file)

from storage.core.db import open_database  # noqa: E402
from storage.core.errors import UserError  # noqa: E402
from storage.roster.importer import import_roster  # noqa: E402

db = open_database(Path(sys.argv[1]))
t0 = time.perf_counter()
try:
    report = import_roster(db, Path(sys.argv[2]), dry_run="--dry-run" in sys.argv)
    outcome = {"rows": len(report.rows), "imported": report.imported, "invalid": report.count("invalid")}
except UserError as exc:
    outcome = {"refused": str(exc)}
elapsed = time.perf_counter() - t0
db.dispose()


print(json.dumps({"seconds": elapsed, "peak_rss": peak_rss(), **outcome}, ensure_ascii=False))

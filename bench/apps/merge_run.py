"""Merge a folder of bundles into a database in a process of its own; print seconds and peak RSS as JSON.

    python bench/apps/merge_run.py DB BUNDLE_DIR
"""

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from storage.db import open_database  # noqa: E402
from storage.merge import merge_paths  # noqa: E402

db = open_database(Path(sys.argv[1]))
t0 = time.perf_counter()
report = merge_paths(db, [Path(sys.argv[2])])
elapsed = time.perf_counter() - t0
db.dispose()
refused = [b.message for b in report.refused]
print(json.dumps({"seconds": elapsed, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "bundles": len(report.bundles), "refused": refused}))

"""Merge a folder of bundles into a database in a process of its own; print seconds and peak RSS as JSON.

    python bench/apps/merge_run.py DB BUNDLE_DIR      (DB: a file, or a server's URL)
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from proc_status import peak_rss  # noqa: E402  (beside this file)

from storage.core.db import is_server_target, open_database  # noqa: E402
from storage.sync.merge import merge_paths  # noqa: E402

db = open_database(sys.argv[1] if is_server_target(sys.argv[1]) else Path(sys.argv[1]))
t0 = time.perf_counter()
report = merge_paths(db, [Path(sys.argv[2])])
elapsed = time.perf_counter() - t0
db.dispose()
refused = [b.message for b in report.refused]


print(json.dumps({"seconds": elapsed, "peak_rss": peak_rss(),
                  "bundles": len(report.bundles), "refused": refused}))

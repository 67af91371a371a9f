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
from storage.sync import reader_process  # noqa: E402
from storage.sync.merge import merge_paths  # noqa: E402

# the second process's own peak (storage/sync/reader_process.py), read just before it is told to stop
reader_peaks: list[int] = []
_close = reader_process.ReadAhead.close


def _close_noting_peak(self: reader_process.ReadAhead) -> None:
    if self._proc is not None and self._proc.poll() is None:
        with open(f"/proc/{self._proc.pid}/status", encoding="ascii") as fh:
            reader_peaks.append(next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM:")))
    _close(self)


reader_process.ReadAhead.close = _close_noting_peak  # type: ignore[method-assign]

db = open_database(sys.argv[1] if is_server_target(sys.argv[1]) else Path(sys.argv[1]))
t0 = time.perf_counter()
report = merge_paths(db, [Path(sys.argv[2])])
elapsed = time.perf_counter() - t0
db.dispose()
refused = [b.message for b in report.refused]


print(json.dumps({"seconds": elapsed, "peak_rss": peak_rss(), "reader_peak_rss": max(reader_peaks, default=0),
                  "bundles": len(report.bundles), "refused": refused}))

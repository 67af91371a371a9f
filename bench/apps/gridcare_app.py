"""gridcare as `gridcare [--db PATH]` runs it, with a start-up hook that writes markers (for bench/m_startup.py).

    python bench/apps/gridcare_app.py --db PATH    (markers to $GRIDCARE_BENCH_MARKERS)

Each marker line: name, the time, the process's RSS. With GRIDCARE_BENCH_EXIT set the app exits
once the database is fully open ("open") and Home's first figures are shown ("data"), in either order.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from proc_status import rss_bytes  # noqa: E402  (beside this file)

from tui.cli import main  # noqa: E402

reached: set[str] = set()


def milestone(app, name: str) -> None:
    reached.add(name)
    with open(os.environ["GRIDCARE_BENCH_MARKERS"], "a", encoding="utf-8") as fh:
        fh.write(f"{name} {time.time()} {rss_bytes()}\n")
    # the memory figure is taken once the database is fully open, which may come after the data
    if {"data", "open"} <= reached and os.environ.get("GRIDCARE_BENCH_EXIT"):
        app.exit()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], milestone=milestone))

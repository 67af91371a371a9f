"""The county monthly report alone, on a county merged once and kept (the merge takes minutes, the report seconds).

    python -m bench.county_report --merge NAME     merge the cached county set (bench/county_set.py) into a new
                                                   database NAME on $GRIDCARE_TEST_PG_URL's server and keep it
    python -m bench.county_report URL [--reps N] [--day YYYY-MM-DD]
                                                   the report on that county database (of the day's month, on
                                                   that day; the set's day by default): the storage function
                                                   (as bench/m_county.py times it) and `gridcare report` as a user
                                                   runs it (a process of its own, imports and printing included)

bench/m_county.py times the same report once after each merge, on a database it then drops.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DAY = dt.date(2026, 11, 24)  # the county set's "today" (bench/county_set.py)
ROOT = Path(__file__).resolve().parents[1]


def merge_kept(name: str, townships: int = 20, scale: str = "township") -> str:
    """A county database NAME (dropped first if there) with the county set merged into it; returns its URL."""
    import json

    import psycopg
    from sqlalchemy.engine import make_url

    from bench.county_set import build, new_county
    from bench.m_county import RUNNER
    from bench.pg_server import server

    bundles, identity, keys_of = build(townships, scale)
    with psycopg.connect(server(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server()).set(database=name).render_as_string(hide_password=False)
    new_county(url, identity, keys_of)
    out = subprocess.run([sys.executable, str(RUNNER), url, str(bundles)], capture_output=True, text=True, check=True)
    assert not json.loads(out.stdout.strip().splitlines()[-1])["refused"]
    return url


def time_report(url: str, reps: int, day: dt.date = DAY, month: tuple[int, int] | None = None) -> list[float]:
    """Seconds of `monthly_report` for `month` (default: the day's own), as it stands on `day`: a month that is over
    (November on 4 December, the report a county runs most) reads who moved since from the events."""
    from storage.core.db import open_database
    from storage.reports.monthly import monthly_report

    db = open_database(url)
    try:
        year, number = month or (day.year, day.month)
        monthly_report(db, year, number, today=day)  # warm-up: the server's caches, Python's imports
        samples = []
        for _ in range(reps):
            t0 = time.perf_counter()
            monthly_report(db, year, number, today=day)
            samples.append(time.perf_counter() - t0)
        return samples
    finally:
        db.dispose()


def time_cli(url: str, reps: int) -> list[float]:
    """`gridcare report --month` on the terminal, in a process of its own; its clock is the county set's day
    (GRIDCARE_TODAY is not read by the CLI, so the month is given: the figures are those of a past month)."""
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gridcare", "--db", url, "report", "--month", f"{DAY:%Y-%m}"],
                       cwd=ROOT, capture_output=True, check=True, env={**os.environ, "COLUMNS": "160"})
        samples.append(time.perf_counter() - t0)
    return samples


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.county_report")
    parser.add_argument("url", nargs="?")
    parser.add_argument("--merge", metavar="NAME")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("--day", type=dt.date.fromisoformat, default=DAY)
    parser.add_argument("--month", type=lambda text: tuple(int(p) for p in text.split("-")), metavar="YYYY-MM",
                        help="the report's month (default: the day's)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    url = merge_kept(args.merge) if args.merge else args.url
    if not url:
        parser.error("a county database URL, or --merge NAME")
    print(f"county: {url}")
    load = os.getloadavg()
    samples = time_report(url, args.reps, args.day, args.month)
    print(f"monthly_report: median {statistics.median(samples):.2f} s (min {min(samples):.2f}, max {max(samples):.2f},"
          f" {len(samples)} runs); load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if not args.no_cli:
        cli = time_cli(url, max(1, args.reps // 2))
        print(f"gridcare report --month: median {statistics.median(cli):.2f} s ({len(cli)} runs, a process each)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

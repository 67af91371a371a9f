"""The monthly report (the same storage function the screen and the CLI call)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench.core import Figure, Result, repeat


def measure(db_path: Path, label: str, reps: int) -> list[Result]:
    from storage.core.db import open_database
    from storage.reports.monthly import monthly_report

    db = open_database(db_path)
    today = dt.date.today()
    samples = repeat(lambda: monthly_report(db, today.year, today.month, today=today), reps)
    db.dispose()
    return [Result(f"monthly report ({label})", Figure("monthly_report", samples),
                   note="no floor in the design; absolute time on this machine")]

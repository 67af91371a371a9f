"""A search keystroke (query and first page) vs the same condition as raw SQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from bench.core import Figure, Result, repeat

# (label, what is typed, the raw SQL of its first stage, its parameters)
QUERIES = [
    ("name", "王", "SELECT id, name FROM resident WHERE name >= ? AND name < ? ORDER BY name, id LIMIT 50", ("王", "玍")),
    ("pinyin initials", "zs", "SELECT id, name FROM resident WHERE name_initials >= ? AND name_initials < ? "
                              "ORDER BY name_initials, name, id LIMIT 50", ("zs", "zt")),
    ("ID tail", "2843", "SELECT id, name FROM resident WHERE id_rev >= ? AND id_rev < ? ORDER BY id_rev, id LIMIT 50",
     ("3482", "3483")),
]


def measure(db_path: Path, label: str, reps: int, target: float) -> list[Result]:
    from storage.db import open_database
    from storage.search import search_residents

    db = open_database(db_path)
    raw = sqlite3.connect(str(db_path))
    today = dt.date.today()
    results = []
    for name, typed, sql, params in QUERIES:
        def ours():
            with db.session() as s:
                search_residents(s, typed, today=today)

        def floor():
            raw.execute(sql, params).fetchall()

        results.append(Result(f"search {name} '{typed}' ({label})", Figure("search_residents", repeat(ours, reps * 10)),
                              Figure("the same condition, raw SQL", repeat(floor, reps * 10)), target_abs=target,
                              note=f"target < {target * 1000:.0f} ms; the design also asks ≤ 2× raw SQL"))
    raw.close()
    db.dispose()
    return results

"""Saving one visit through the service layer, durable, vs a raw durable INSERT + COMMIT."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from pathlib import Path

from bench.core import Figure, Result, repeat


def _raw_floor(folder: Path, reps: int) -> list[float]:
    conn = sqlite3.connect(str(folder / "raw.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE visit (id TEXT PRIMARY KEY, resident_id TEXT, visit_date TEXT, notes TEXT)")
    counter = iter(range(10**9))

    def once():
        n = next(counter)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO visit VALUES (?, ?, ?, ?)", (f"v{n}", "r1", "2026-11-24", "上门探访，情况良好"))
        conn.execute("COMMIT")

    try:
        return repeat(once, reps, warmup=3)
    finally:
        conn.close()


def measure(reps: int) -> list[Result]:
    from storage.core.db import open_database
    from storage.core.identity import init_worker
    from storage.register.residents import register_resident
    from storage.register.visits import log_visit

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_database(folder / "w.db")
        init_worker(db, "330521101", "新市镇", "G01", "一网格", "王芳", None)
        r = register_resident(db, {"name": "张三", "categories": ["solitary_elder"], "birth_date": dt.date(1950, 1, 1)})
        fields = {"notes": "上门探访，情况良好", "hazards": ["falls"], "observations": {"health": "血压正常"}}
        ours = repeat(lambda: log_visit(db, r.id, fields), reps, warmup=3)
        floor = _raw_floor(folder, reps)
        db.dispose()
    return [Result("save one visit (durable)", Figure("service log_visit", ours), Figure("raw INSERT+COMMIT", floor),
                   target_abs=0.005, note="target < 5 ms; WAL + synchronous=FULL in both")]

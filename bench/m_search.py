"""A search keystroke (query and first page) vs the same SQL run raw.

Two floors: the very statements `search_residents` sends, captured and replayed through
the sqlite3 module (the design's "the query itself within 2× of the same raw SQL"), and
the bare index condition of the first stage (what the index alone costs).
"""

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


def _captured(db, run) -> list[tuple[str, object]]:
    """The statements (and parameters) that `run()` sends to SQLite, through SQLAlchemy or the DB-API."""
    from sqlalchemy import event

    from storage import search

    sent: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, parameters, _context, _many):
        if not statement.startswith("BEGIN"):  # the session's transaction, not the query
            sent.append((statement, parameters))

    fetch = search._fetch

    def noting_fetch(session, sql, params):
        sent.append((sql, dict(params)))
        return fetch(session, sql, params)

    event.listen(db.engine, "before_cursor_execute", note)
    search._fetch = noting_fetch
    try:
        run()
    finally:
        search._fetch = fetch
        event.remove(db.engine, "before_cursor_execute", note)
    return sent


def measure(db_path: Path, label: str, reps: int, target: float) -> list[Result]:
    from storage.db import _reverse_text, open_database
    from storage.search import search_residents

    db = open_database(db_path)
    raw = sqlite3.connect(str(db_path))
    raw.create_function("reverse_text", 1, _reverse_text, deterministic=True)
    today = dt.date.today()
    results = []
    for name, typed, sql, params in QUERIES:
        def ours():
            with db.session() as s:
                search_residents(s, typed, today=today)

        statements = _captured(db, ours)

        def same_sql():
            for statement, parameters in statements:
                raw.execute(statement, parameters).fetchall()

        def condition():
            raw.execute(sql, params).fetchall()

        measured = Figure("search_residents", repeat(ours, reps * 10))
        results.append(Result(f"search {name} '{typed}' ({label})", measured,
                              Figure("its statements replayed raw", repeat(same_sql, reps * 10)), target_ratio=2.0,
                              target_abs=target, note=f"target < {target * 1000:.0f} ms and ≤ 2× the same SQL raw "
                                                      f"({len(statements)} statements)"))
        results.append(Result(f"  the index condition alone ({name}, {label})", measured,
                              Figure("bare first-stage condition, raw SQL", repeat(condition, reps * 10)),
                              note="what the index costs; the search also reads due status and pages"))
    raw.close()
    db.dispose()
    return results

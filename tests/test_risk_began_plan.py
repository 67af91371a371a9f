"""The day a high risk began is read by the resident's own assessments, not by every assessment at that level.

SQLite has no statistics on a worker's or a township's file (nothing runs ANALYZE there), and given
`ra.level = r.risk_level` it walked ix_risk_level: every assessment at that level in the database, for each row of
a register page (6 ms a keystroke at a township, 450 ms at 120,000 in bench/m_search.py). The plan, not a time,
is what is checked here: it is the same on every machine."""

from __future__ import annotations

import sqlite3

from storage.register.due import risk_from_sql
from tests.foundation_helpers import make_db


def test_the_risk_run_is_found_through_the_residents_index(tmp_path):
    make_db(tmp_path / "t.db").dispose()
    conn = sqlite3.connect(tmp_path / "t.db")
    for sql in (f"SELECT {risk_from_sql()} FROM resident r WHERE r.id = 'x'",
                f"SELECT {risk_from_sql(':rid', ':level', ':day')}"):
        plan = " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}",
                                                          {"rid": "x", "level": "high", "day": "2026-11-30"}))
        assert "ix_risk_level" not in plan and "ix_risk_resident" in plan, plan
    conn.close()

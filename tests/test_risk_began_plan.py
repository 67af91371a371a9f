"""The day a high risk began is read by the resident's own assessments, not by every assessment at that level.

SQLite has no statistics on a worker's or a township's file (nothing runs ANALYZE there), and given
`ra.level = r.risk_level` it walked ix_risk_level: every assessment at that level in the database, for each row of
a register page (6 ms a keystroke at a township, 450 ms at 120,000 in bench/m_search.py). The plan, not a time,
is what is checked here: it is the same on every machine."""

from __future__ import annotations

import sqlite3

from storage.register.due import risk_from_sql
from storage.register.placed import moved_sql
from storage.register.report_query import RISK_PACKED
from storage.reports.month_sql import run_start_sql
from tests.foundation_helpers import make_db


def _plan(conn: sqlite3.Connection, sql: str, params: dict) -> str:
    return " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_the_risk_run_is_found_through_the_residents_index(tmp_path):
    make_db(tmp_path / "t.db").dispose()
    conn = sqlite3.connect(tmp_path / "t.db")
    for sql in (f"SELECT {risk_from_sql()} FROM resident r WHERE r.id = 'x'",
                f"SELECT {risk_from_sql(':rid', ':level', ':day')}"):
        plan = _plan(conn, sql, {"rid": "x", "level": "high", "day": "2026-11-30"})
        assert "ix_risk_level" not in plan and "ix_risk_resident" in plan, plan
    conn.close()


def test_the_reports_risk_run_is_found_through_the_residents_index(tmp_path):
    """The monthly report's listed key persons (month_sql.listed_rows): the same trap, per listed row; on a
    county's file without statistics, November's report took 11 minutes."""
    make_db(tmp_path / "t.db").dispose()
    conn = sqlite3.connect(tmp_path / "t.db")
    plan = _plan(conn, f"SELECT {run_start_sql(RISK_PACKED, ':rid', ':level', ':day')}",
                 {"rid": "x", "level": "high", "day": "2026-11-30"})
    conn.close()
    assert "ix_risk_level" not in plan and "ix_risk_resident" in plan, plan


def test_who_moved_since_a_day_is_found_through_the_clock_index(tmp_path):
    """placed.moved_after reads only the resident events stamped after the day, by their clock; by
    ix_event_record it read every resident event (16-30 s a report on a county's file)."""
    make_db(tmp_path / "t.db").dispose()
    conn = sqlite3.connect(tmp_path / "t.db")
    plan = _plan(conn, moved_sql("sqlite"), {"after": 0})
    conn.close()
    assert "ix_event_resident_clock" in plan and "ix_event_record (record_type=?)" not in plan, plan

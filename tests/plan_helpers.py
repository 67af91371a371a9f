"""The plans SQLite makes without statistics (nothing ANALYZEs a worker's, a township's or an SQLite county's
file), checked for reading a big table once per row of another: collect every statement run, then explain them."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

BIG = ("event", "visit", "resident", "risk_assessment", "assessment", "referral", "benefit")


def _problems(plan: list[tuple]) -> list[str]:
    """The steps of a plan that read a big table, or every assessment at a level, once per row of another;
    and any step that reads the rows of events by their type alone or all of them (the biggest table)."""
    parent = {row[0]: row[1] for row in plan}
    detail = {row[0]: row[3] for row in plan}

    def per_row(node: int) -> bool:
        while node in parent:
            node = parent[node]
            if detail.get(node, "").startswith("CORRELATED"):
                return True
        return False

    found = []
    for node, _parent, _, step in plan:
        scan = re.match(r"SCAN (\w+)", step)
        if scan and scan.group(1) in BIG and per_row(node):
            found.append(step)
        if "ix_risk_level" in step and per_row(node):
            found.append(step)
        # (an index alone, counted once, reads far less than the events' rows: the sync screen's waiting count)
        if ("ix_event_record (record_type=?)" in step or (scan and scan.group(1) == "event")) \
                and "COVERING INDEX" not in step:
            found.append(step)
    return found


@contextlib.contextmanager
def statements(monkeypatch):
    """Every statement run on any SQLite connection opened inside, as SQLite expands it."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    def on_connect(dbapi, _record):
        if isinstance(dbapi, sqlite3.Connection):
            dbapi.set_trace_callback(seen.append)

    monkeypatch.setattr(sqlite3, "connect", traced)
    event.listen(Engine, "connect", on_connect)
    try:
        yield seen
    finally:
        event.remove(Engine, "connect", on_connect)
        monkeypatch.setattr(sqlite3, "connect", connect)


# the few records of the township's own kinds: reading them by their type is what the index is for
_RARE_TYPES = re.compile(r"record_type = '(township|setting|grid|village)'")


def plan_problems(path: Path, statements: list[str]) -> tuple[int, dict[str, list[str]]]:
    """(how many reads were explained, the reads with a problem and its steps) of `statements` on the file."""
    plain = sqlite3.connect(path)
    try:
        reads = {s.strip() for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))}
        bad = {}
        for sql in reads:
            try:
                problems = _problems(plain.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
            except sqlite3.Error as e:  # (a temporary table of the connection that ran it, say: plan it there)
                raise AssertionError(f"cannot plan on the file: {e}: {sql[:300]}") from e
            if _RARE_TYPES.search(sql):
                problems = [p for p in problems if "ix_event_record (record_type=?)" not in p]
            if problems:
                bad[sql] = problems
        return len(reads), bad
    finally:
        plain.close()


def shown(bad: dict[str, list[str]]) -> str:
    return "\n\n".join(f"{sql[:200]} … {sql[-600:]}: {steps}" for sql, steps in bad.items())

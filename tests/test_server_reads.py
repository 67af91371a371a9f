"""How gridcare reads a server: without PostgreSQL's JIT compiler, and the register's due pages by its order's index."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from storage.core.db import open_database
from storage.core.identity import init_township
from storage.register import search
from storage.register.residents import register_resident

pytestmark = pytest.mark.postgres

DAY = dt.date(2026, 11, 24)


def test_every_connection_to_a_server_has_its_jit_off(pg_url):
    """A county's overdue filter took 3.3 s with JIT (1.4 s of it compiling), 1.7 s without; its trend 10–12 s
    against 4–6 s. Each connection turns it off, a new one too, so that no read has to remember it."""
    db = open_database(pg_url)
    try:
        with db.engine.connect() as first, db.engine.connect() as second:
            assert [c.execute(text("SHOW jit")).scalar() for c in (first, second)] == ["off", "off"]
            first.commit()
        db.engine.dispose()  # the pool's connections closed: the next one is new
        with db.session() as s:
            assert s.execute(text("SHOW jit")).scalar() == "off"
    finally:
        db.dispose()


@pytest.mark.parametrize("due", ["overdue", "due_week", "not_visited_month"])
def test_a_due_filters_page_on_a_server_can_walk_the_registers_order(pg_url, due, monkeypatch):
    """With the index in the register's own order (byte by byte), a page of a due filter stops at its 50th resident
    (a county's overdue page: 1.6 s → 0.02 s). Sorting and scanning are forbidden here, so the plan shows whether the
    index can serve this very ORDER BY; one with another collation or column order cannot."""
    fetch_rows = search._fetch
    db = open_database(pg_url)
    try:
        init_township(db, "330521101", "新市镇", None)
        for name in ("张三", "李四", "王芳", "赵六"):
            register_resident(db, {"name": name, "categories": ["solitary_elder"], "grid_code": "330521101-G01",
                                   "birth_date": dt.date(1945, 3, 3)}, today=DAY)
        statements: list[tuple[str, dict]] = []

        def fetch(session, sql, params):
            if "LIMIT :lim" in sql:  # the page itself
                statements.append((sql, params))
            return fetch_rows(session, sql, params)

        monkeypatch.setattr(search, "_fetch", fetch)
        with db.session() as s:
            search.search_residents(s, "", filters=search.ResidentFilter(due=due), today=DAY)
            assert len(statements) == 1
            for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
                s.execute(text(f"SET LOCAL {setting} = off"))
            plan = "\n".join(row["QUERY PLAN"] for row in fetch_rows(s, "EXPLAIN " + statements[0][0], statements[0][1]))
        assert "ix_resident_browse" in plan and "Sort" not in plan.split("SubPlan")[0], plan
    finally:
        db.dispose()

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


def _page_plans(db, query: str, filters, monkeypatch,
                forbidden=("enable_seqscan", "enable_sort", "enable_bitmapscan")) -> list[str]:
    """The plans of the page statements a register search ran, each planned with scans and sorts forbidden: what
    the plan still sorts or scans, no index could serve."""
    fetch_rows = search._fetch
    statements: list[tuple[str, dict]] = []

    def fetch(session, sql, params):
        if "LIMIT :lim" in sql:  # a page (of one stage of the search)
            statements.append((sql, params))
        return fetch_rows(session, sql, params)

    monkeypatch.setattr(search, "_fetch", fetch)
    with db.session() as s:
        search.search_residents(s, query, filters=filters, today=DAY)
        for setting in forbidden:
            s.execute(text(f"SET LOCAL {setting} = off"))
        return ["\n".join(row["QUERY PLAN"] for row in fetch_rows(s, "EXPLAIN " + sql, params))
                for sql, params in statements]


def _register(pg_url):
    db = open_database(pg_url)
    init_township(db, "330521101", "新市镇", None)
    for i, name in enumerate(("张三", "李四", "王芳", "赵六")):
        register_resident(db, {"name": name, "categories": ["solitary_elder"], "grid_code": "330521101-G01",
                               "birth_date": dt.date(1945, 3, 3), "phone": f"1380571{i:04d}"}, today=DAY)
    return db


@pytest.mark.parametrize("due", ["overdue", "due_week", "not_visited_month"])
def test_a_due_filters_page_on_a_server_can_walk_the_registers_order(pg_url, due, monkeypatch):
    """With the index in the register's own order (byte by byte), a page of a due filter stops at its 50th resident
    (a county's overdue page: 1.6 s → 0.02 s). Sorting and scanning are forbidden here, so the plan shows whether the
    index can serve this very ORDER BY; one with another collation or column order cannot."""
    db = _register(pg_url)
    try:
        plans = _page_plans(db, "", search.ResidentFilter(due=due), monkeypatch)
        assert len(plans) == 1
        assert "ix_resident_browse" in plans[0] and "Sort" not in plans[0].split("SubPlan")[0], plans[0]
    finally:
        db.dispose()


@pytest.mark.parametrize(("query", "index"), [("王", "ix_resident_name_c"), ("wf", "ix_resident_initials_c"),
                                              ("0002", "ix_resident_id_rev_c"), ("1380571", "ix_resident_phone_c")])
def test_each_prefix_stage_of_a_search_on_a_server_has_its_index(pg_url, query, index, monkeypatch):
    """A keystroke's prefix stages (a name, pinyin initials, an ID number's tail, a phone) compare byte by byte;
    an index in the database's collation cannot serve them even where that collation is C, and 120,000 residents
    were read for each keystroke (a county: 40–100 ms)."""
    db = _register(pg_url)
    try:
        plans = _page_plans(db, query, search.ResidentFilter(), monkeypatch)
        served = [p for p in plans if index in p]
        assert served and all("Sort" not in p.split("SubPlan")[0] for p in served), plans
    finally:
        db.dispose()


def test_a_contains_stage_on_a_server_sorts_what_it_found_rather_than_walk_an_index(pg_url, monkeypatch):
    """A "contains" stage (芳 anywhere in the name) matches few residents or none: walking an index in its order to
    stop at 50 read every resident's row at random (a county's 王芳: 160–250 ms against 57 ms for reading the table
    and sorting what matched). Its order is one no index holds, as SQLite's unary `+` makes it there."""
    db = _register(pg_url)
    try:
        plans = [p for p in _page_plans(db, "芳", search.ResidentFilter(), monkeypatch) if "strpos" in p]
        assert len(plans) == 1 and "Sort" in plans[0].split("SubPlan")[0], plans
    finally:
        db.dispose()


def test_a_phones_end_and_a_guardians_number_on_a_server_are_ranges_of_their_indexes(pg_url, monkeypatch):
    """The end of a phone (the last digits read off a call) and a guardian's number from either end were LIKEs
    that read every resident on a server: a county's tail typed took 60-80 ms a stage, two stages a keystroke."""
    db = _register(pg_url)
    register_resident(db, {"name": "解小雨", "categories": ["left_behind_child"], "grid_code": "330521101-G01",
                           "birth_date": dt.date(2018, 9, 3), "guardian_name": "曾桂兰", "guardian_relation": "祖母",
                           "guardian_phone": "0572-8450003", "father_status": "away", "mother_status": "away"},
                      today=DAY)
    try:
        # a guardian's number from either end is two ranges OR'ed: bitmaps of the two indexes, so those stay allowed
        plans = _page_plans(db, "0003", search.ResidentFilter(), monkeypatch, forbidden=("enable_seqscan",))
        tail = [p for p in plans if "reverse((phone)" in p and "guardian_phone" not in p]
        guardian = [p for p in plans if "guardian_phone" in p]
        assert len(tail) == len(guardian) == 1, plans
        assert "ix_resident_phone_rev_c" in tail[0] and "Seq Scan" not in tail[0], tail
        assert "ix_resident_guardian_digits_c" in guardian[0] and "ix_resident_guardian_rev_c" in guardian[0], guardian
        assert "Seq Scan" not in guardian[0], guardian
        with db.session() as s:
            assert [r.name for r in search.search_residents(s, "0003", today=DAY)] == ["赵六", "解小雨"]
            assert [r.name for r in search.search_residents(s, "05728450", today=DAY)] == ["解小雨"]
    finally:
        db.dispose()


def test_the_other_readings_on_a_server_are_read_from_the_index_of_the_names_that_have_them(pg_url, monkeypatch):
    """The scan of every name's other readings ("zs cs") read all 120,000 residents of a county per stage."""
    db = _register(pg_url)
    for i, name in enumerate(["曾国华"] + [f"王{chr(0x4E00 + i)}{chr(0x4E50 + i)}" for i in range(300)]):
        register_resident(db, {"name": name, "categories": ["solitary_elder"], "grid_code": "330521101-G01",
                               "birth_date": dt.date(1945, 3, 3), "phone": f"1390571{i:04d}"}, today=DAY)
    with db.session() as s:  # a register of some size, its statistics known, as a county's are
        s.execute(text("ANALYZE resident"))
        s.commit()
    try:
        plans = _page_plans(db, "cgh", search.ResidentFilter(), monkeypatch, forbidden=("enable_seqscan",))
        other = [p for p in plans if "strpos((name_initials)::text, ' '::text) > 0" in p]
        assert other and all("ix_resident_initials_other" in p and "Seq Scan" not in p for p in other), plans
        with db.session() as s:
            assert [r.name for r in search.search_residents(s, "cgh", today=DAY)] == ["曾国华"]
    finally:
        db.dispose()

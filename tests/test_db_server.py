"""A database on a PostgreSQL server (--db postgresql://...): created, versioned, upgraded, locked like a file."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import inspect, text

from storage.core.db import PG_VERSION_TABLE, SCHEMA_VERSION, open_database, schema_version
from storage.core.db_server import server_url
from storage.core.errors import UserError
from storage.core.identity import init_township
from storage.register.residents import register_resident

pytestmark = pytest.mark.postgres


def test_a_server_database_is_created_with_its_schema_and_version(pg_url):
    db = open_database(pg_url)
    try:
        assert db.path is None and not db.is_sqlite and db.dialect == "postgresql"
        assert schema_version(db) == SCHEMA_VERSION
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert {"event", "resident", "visit", "identity", PG_VERSION_TABLE} <= tables
            # clocks are 64-bit: PostgreSQL's INTEGER would refuse today's first event
            types = {c["name"]: str(c["type"]) for c in inspect(conn).get_columns("event")}
            assert types["hlc"] == "BIGINT" and types["base_hlc"] == "BIGINT"
    finally:
        db.dispose()


def test_records_are_written_and_read_on_a_server(pg_url):
    db = open_database(pg_url)
    try:
        init_township(db, "330521101", "新市镇", None)
        person = register_resident(db, {"name": "张三", "categories": ["solitary_elder"], "grid_code": "330521101-G01",
                                        "birth_date": dt.date(1945, 3, 3)}, today=dt.date(2026, 11, 24))
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT name, birth_date, deleted FROM resident WHERE id = :id"),
                               {"id": person.id}).one()
            stamp = conn.execute(text("SELECT max(hlc) FROM event")).scalar()
        assert tuple(row) == ("张三", dt.date(1945, 3, 3), False)
        assert stamp > 2**31
    finally:
        db.dispose()


def test_reopening_does_not_upgrade_and_a_newer_schema_is_refused(pg_url):
    open_database(pg_url).dispose()
    db = open_database(pg_url)
    assert db.upgraded_from is None
    with db.engine.begin() as conn:
        conn.execute(text(f"UPDATE {PG_VERSION_TABLE} SET version = {SCHEMA_VERSION + 1}"))
    db.dispose()
    with pytest.raises(UserError, match="newer"):
        open_database(pg_url)


def test_a_server_database_of_schema_4_is_upgraded_in_one_transaction(pg_url):
    db = open_database(pg_url)
    with db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE identity DROP COLUMN county_code"))
        conn.execute(text("ALTER TABLE identity DROP COLUMN county_sign_public"))
        conn.execute(text(f"UPDATE {PG_VERSION_TABLE} SET version = 4"))
    db.dispose()
    db = open_database(pg_url)
    try:
        assert db.upgraded_from == 4
        assert schema_version(db) == SCHEMA_VERSION
        with db.engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("identity")}
        assert {"county_code", "county_sign_public", "county_age_recipient"} <= columns
    finally:
        db.dispose()


def test_a_server_database_missing_one_of_its_tables_is_refused_untouched(pg_url):
    """As a file (tests/test_hostile_places.py): create_all never hands a damaged database an empty table."""
    open_database(pg_url).dispose()
    db = open_database(pg_url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE visit"))
    db.dispose()
    with pytest.raises(UserError, match="damaged: its table visit is missing"):
        open_database(pg_url)
    from sqlalchemy import create_engine

    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            assert not inspect(conn).has_table("visit")
    finally:
        engine.dispose()


def test_an_empty_server_database_is_not_opened_without_create(pg_url):
    with pytest.raises(UserError, match="No gridcare database"):
        open_database(pg_url, create=False)


def test_an_unreachable_server_is_a_message_without_the_password():
    with pytest.raises(UserError) as info:
        open_database("postgresql://clerk:s3cret@127.0.0.1:1/county")
    assert "Cannot reach" in str(info.value) and "s3cret" not in str(info.value)


def test_only_postgresql_servers_are_accepted_and_the_driver_is_psycopg_3():
    with pytest.raises(UserError, match="mysql"):
        open_database("mysql://u@localhost/db")
    assert server_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert server_url("postgresql+psycopg://u@h/db").startswith("postgresql+psycopg://")


def test_writers_on_a_server_take_turns_as_on_a_file(pg_url):
    db = open_database(pg_url)
    init_township(db, "330521101", "新市镇", None)
    order: list[str] = []
    holding = threading.Event()

    def first():
        with db.write() as s:
            s.connection()  # the transaction (and its lock) begins here
            holding.set()
            time.sleep(0.5)
            order.append("first done")

    t = threading.Thread(target=first)
    t.start()
    holding.wait(5)
    with db.write() as s:
        s.connection()
        order.append("second in")
    t.join()
    db.dispose()
    assert order == ["first done", "second in"]

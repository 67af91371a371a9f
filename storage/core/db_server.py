"""A database on a PostgreSQL server (`--db postgresql://user@host/db`): the county's.

The engine (psycopg 3, the optional extra gridcare[postgres]), the advisory lock writers take
as SQLite's BEGIN IMMEDIATE, and opening: created in one transaction, or upgraded in one (the
steps of storage/core/upgrades.py; PostgreSQL's DDL is transactional, so a failed step changes
nothing). The schema version is in the one-row table PG_VERSION_TABLE.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from storage.core.db import (
    PG_WRITE_LOCK,
    SCHEMA_VERSION,
    Database,
    log,
    run_upgrades,
    store_version,
    stored_version,
    tables_of,
    too_new_error,
)
from storage.core.errors import UserError
from storage.core.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


def _on_begin_pg(conn: Connection) -> None:
    if conn.info.get("immediate"):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def _on_connect_pg(dbapi_conn, _record) -> None:
    # the planner's costs of gridcare's reads (a subquery per resident: the register's due filters, the report's
    # grouped counts, the trend) start PostgreSQL's JIT compiler, whose compiling took longer than the queries
    # (a county's overdue filter 3.3 s, 1.4 s of it compiling; its trend 10–12 s instead of 4–6 s); off for
    # every connection, so that no read has to remember it. (JIT came with PostgreSQL 11.)
    if dbapi_conn.info.server_version >= 110000:
        with dbapi_conn.cursor() as cur:
            cur.execute("SET jit = off")
        dbapi_conn.commit()


def server_url(url: str) -> str:
    """The SQLAlchemy URL to connect with: a plain postgresql:// URL gets the psycopg (3) driver."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(_("{url} is not a database URL.").format(url=hide_password(url))) from None
    if parsed.get_backend_name() != "postgresql":
        raise UserError(_("gridcare works on a SQLite file or a PostgreSQL server, not {kind}.").format(
            kind=parsed.get_backend_name()))
    if "+" not in parsed.drivername:  # SQLAlchemy's default driver differs between releases
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _make_server_engine(url: str) -> Engine:
    from sqlalchemy import event as sa_event
    from sqlmodel import create_engine

    from storage.core import json_text

    try:
        engine = create_engine(url, hide_parameters=True, json_serializer=json_text.dumps, pool_pre_ping=True)
    except ImportError:
        raise UserError(_("The PostgreSQL driver is not installed: pip install 'gridcare[postgres]'.")) from None
    sa_event.listen(engine, "connect", _on_connect_pg)
    sa_event.listen(engine, "begin", _on_begin_pg)
    return engine


def open_server(url: str, *, create: bool) -> Database:
    """A database on a PostgreSQL server; its schema is created (or upgraded in one transaction) here.

    As with a file, a database that has gridcare's tables is never given missing ones by create_all:
    a table a step adds comes from that step, and one missing otherwise is damage, refused."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import OperationalError
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401

    shown = hide_password(url)
    engine = _make_server_engine(server_url(url))
    upgraded_from = None
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            version = stored_version(conn)
        if version > SCHEMA_VERSION:
            raise too_new_error(version)
        exists = "event" in tables
        if not exists and not create:
            raise UserError(_("No gridcare database at {path}.").format(path=shown))
        if exists:
            _check_server_tables(shown, version, tables)
            from storage.core.clock_range import check_server_clocks

            with engine.connect() as conn:
                check_server_clocks(conn, shown)
            if version < SCHEMA_VERSION:
                # one transaction: PostgreSQL's DDL is transactional, so a failed step changes nothing
                log.info("upgrading schema %s -> %s on the server", version, SCHEMA_VERSION)
                run_upgrades(engine, version)
                upgraded_from = version
        else:
            with engine.connect() as conn:
                conn.info["immediate"] = True  # two first opens must not both create the tables
                with conn.begin():
                    SQLModel.metadata.create_all(conn)
                    if stored_version(conn) == 0:
                        store_version(conn, SCHEMA_VERSION)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise UserError(_("Cannot reach the database {path} ({error}).").format(path=shown, error=reason)) from None
    except BaseException:
        engine.dispose()
        raise
    return Database(path=None, engine=engine, upgraded_from=upgraded_from, url=shown)


def _check_server_tables(shown: str, version: int, tables: set[str]) -> None:
    if version < 1:
        raise UserError(_("{path} is not a gridcare database or is damaged ({error}).").format(
            path=shown, error="schema version 0"))
    missing = sorted(tables_of(version) - tables)
    if missing:
        raise UserError(_("{path} is damaged: its table {table} is missing. Nothing was changed.").format(
            path=shown, table=", ".join(missing)))

"""PostgreSQL for the tests: one server per test session, a fresh database per test.

The server: $GRIDCARE_TEST_PG_URL (a superuser URL; .ci/run starts a throwaway cluster and sets it), else
a cluster started here under a temporary folder (tools/pg_cluster.py) and stopped at exit. When neither
is possible the tests marked `postgres` are skipped with the reason shown, unless
$GRIDCARE_REQUIRE_PG is set (CI sets it): then they fail, so CI can never pass by skipping them.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_SERVER: dict[str, str] = {}


def _unavailable(reason: str):
    if os.environ.get("GRIDCARE_REQUIRE_PG"):
        pytest.fail(f"PostgreSQL is required here (GRIDCARE_REQUIRE_PG is set) but: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


def server_url() -> str:
    """The superuser URL of the session's server, starting one if needed (skip or fail if impossible)."""
    if "url" in _SERVER:
        return _SERVER["url"]
    if "error" in _SERVER:
        _unavailable(_SERVER["error"])
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _SERVER["error"] = "the driver is not installed (pip install 'gridcare[postgres]')"
        _unavailable(_SERVER["error"])
    url = os.environ.get("GRIDCARE_TEST_PG_URL")
    if not url:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
        import pg_cluster

        folder = Path(tempfile.mkdtemp(prefix="gridcare-pg-"))
        try:
            url = pg_cluster.start(folder / "cluster")
        except (pg_cluster.ClusterError, OSError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            _SERVER["error"] = str(exc)
            _unavailable(_SERVER["error"])
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        atexit.register(pg_cluster.stop, folder / "cluster")  # runs before the folder is removed
    _SERVER["url"] = url
    return url


def _admin(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def create_database(name: str | None = None) -> str:
    """A new, empty database on the session's server; returns its URL."""
    from sqlalchemy.engine import make_url

    base = server_url()
    name = name or f"gc_{secrets.token_hex(6)}"
    with _admin(base) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with _admin(server_url()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


def copy_sqlite_into(path: Path, url: str) -> None:
    """Make the server database at `url` hold exactly what the SQLite file holds (its tables emptied first).

    For tests that start a server database from a state built on SQLite (the merge laws' townships).
    """
    from sqlalchemy import create_engine, select, text
    from sqlmodel import SQLModel

    from storage.core.db import open_database
    from storage.core.paths import keys_file

    db = open_database(url)  # the schema
    if keys_file(path).exists():  # the private keys go with the database, beside it
        keys_file(db.local_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(keys_file(path), keys_file(db.local_path))
    db.dispose()
    source = create_engine(f"sqlite:///{path}")
    target = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    tables = SQLModel.metadata.sorted_tables
    try:
        with source.connect() as src, target.begin() as dst:
            dst.execute(text("TRUNCATE " + ", ".join(t.name for t in tables)))
            for table in tables:
                rows = [dict(r) for r in src.execute(select(table)).mappings()]
                if rows:
                    dst.execute(table.insert(), rows)
            # ids copied into a serial column leave its sequence behind
            dst.execute(text("SELECT setval(pg_get_serial_sequence('audit_log', 'id'),"
                             " coalesce((SELECT max(id) FROM audit_log), 0) + 1, false)"))
    finally:
        source.dispose()
        target.dispose()

"""Opening a database: a SQLite file or a PostgreSQL server, its schema version and in-place upgrades.

Nothing here runs at import time; `open_database(target)` builds the engine. `target` is a file path
(SQLite: workers and townships) or an SQLAlchemy URL (`postgresql://user@host/db`: a county). SQLModel
and SQLAlchemy are imported by the functions that need them, not by this module: the start-up reads
Home's first figures (SCHEMA_VERSION, the stdlib driver) before that ~0.4 s import.

The SQL that differs between the engines stays in this module (pragmas, the schema version), in
storage/core/db_server.py (the server's engine, lock and opening), storage/core/upgrades.py (the
steps, dialect-aware) and storage/core/sqlite_bulk.py / pg_bulk.py (bulk statements).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from storage.core.clock_range import check_clocks
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.refused import ForeignSql, foreign_sql, missing_tables, not_ours
from storage.core.schema_sql import foreign_definitions

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

log = logging.getLogger(__name__)

SCHEMA_VERSION = 17
BUSY_TIMEOUT_MS = 5000
# PostgreSQL keeps the schema version in this one-row table (SQLite: PRAGMA user_version)
PG_VERSION_TABLE = "gridcare_schema"
# the transaction-level advisory lock a PostgreSQL writer takes, as SQLite's BEGIN IMMEDIATE does
PG_WRITE_LOCK = 0x67726964  # "grid"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass
class Database:
    path: Path | None  # the SQLite file; None on a server
    engine: Engine
    upgraded_from: int | None = None
    backup_of_old_schema: Path | None = None
    url: str = ""  # a server's URL, password hidden ("" for a file)
    _identity_cache: dict = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def local_path(self) -> Path:
        """What this machine's own files of the database hang off (its private keys, unsaved drafts):
        the SQLite file itself; for a server database, a name for it in the user data folder."""
        if self.path is not None:
            return self.path
        from storage.core.paths import server_local_path

        return server_local_path(self.url)

    @property
    def label(self) -> str:
        """Where it is, for messages: the file, or the server's URL without its password."""
        return str(self.path) if self.path is not None else self.url

    def session(self) -> Session:
        """A read (or deferred-write) session. Do not hold it across awaits."""
        from sqlmodel import Session

        return Session(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction that takes the write lock up front.

        SQLite: BEGIN IMMEDIATE avoids the deadlock of two deferred readers that both try to
        upgrade to writers; the busy timeout then queues writers. PostgreSQL: an advisory lock
        queues writers the same way (two merges never interleave their re-derivations).
        """
        from sqlmodel import Session

        conn = self.engine.connect()
        conn.info["immediate"] = True
        try:
            with Session(bind=conn, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            conn.info.pop("immediate", None)
            conn.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
    # autocommit at the driver; SQLAlchemy's "begin" hook below issues BEGIN
    dbapi_conn.isolation_level = None
    from storage.core.derive import id_rev

    dbapi_conn.create_function("reverse_text", 1, id_rev, deterministic=True)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _on_begin(conn: Connection) -> None:
    immediate = conn.connection.dbapi_connection is not None and conn.info.get("immediate")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

def _make_engine(path: Path) -> Engine:
    from sqlalchemy import event as sa_event
    from sqlalchemy.engine import URL
    from sqlmodel import create_engine

    from storage.core import json_text

    engine = create_engine(
        # a URL object, not f"sqlite:///{path}": a '?' or '#' in a folder name would cut the path there
        URL.create("sqlite", database=str(path)),
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        # a bug's traceback goes to the log file: it must not carry names or ID numbers
        hide_parameters=True,
        # JSON columns as the merge's bulk statements write them; text that is not JSON: a damaged file's one line
        json_serializer=json_text.dumps, json_deserializer=json_text.loads,
    )
    sa_event.listen(engine, "connect", _on_connect)
    sa_event.listen(engine, "begin", _on_begin)
    return engine

def _copy_aside(path: Path, old_version: int) -> Path:
    from storage.core.platform import create_owner_only

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.schema{old_version}-{stamp}.bak")
    # owner-only from its first byte: SQLite writes into the empty file and keeps its mode
    create_owner_only(target)
    src = sqlite3.connect(_read_only_uri(path), uri=True)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def _read_only_uri(path: Path) -> str:
    """An SQLite URI that opens exactly `path`, read-only ('#', '?', '%' in a folder name escaped)."""
    uri = Path(path).absolute().as_uri()
    if not uri.startswith("file:///"):  # a UNC path: SQLite takes no host
        uri = "file:////" + uri[len("file://"):]
    return uri + "?mode=ro"


def _inspect(path: Path) -> tuple[int, set[str], ForeignSql]:
    """(PRAGMA user_version, the names of its tables, the SQL it holds that gridcare never writes), read without
    writing."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise not_ours(path, str(exc)) from exc
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        found = conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger', 'view')").fetchall()
        run = sorted(str(n) for t, n in found if t != "table")
        return version, {n for t, n in found if t == "table"}, ForeignSql(run, [] if run else foreign_definitions(conn))
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise busy_error() from exc
        raise not_ours(path, str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise not_ours(path, str(exc)) from exc
    except UnicodeDecodeError as exc:  # a damaged page where the names of its tables were: "Something went wrong"
        raise not_ours(path, "database disk image is malformed") from exc
    finally:
        conn.close()


def tables_of(version: int) -> set[str]:
    """The tables a database of `version` has."""
    from sqlmodel import SQLModel

    from storage.core.upgrades import ADDED_TABLES

    later = {name for v, names in ADDED_TABLES.items() if v > version for name in names}
    return set(SQLModel.metadata.tables) - later


def _check_tables(path: Path, version: int, tables: set[str], foreign: ForeignSql) -> None:
    """Refuse, untouched, a file that is not ours (a foreign SQLite file, one holding SQL of someone else's) or
    lacks one of our tables."""
    if "event" not in tables and "identity" not in tables:
        raise UserError(_("{path} is an SQLite database of another program, not gridcare's; it was left untouched.").format(
            path=path))
    if version < 1:
        raise not_ours(path, "user_version 0")
    if foreign:  # gridcare makes plain tables and indexes only: SQLite would run these on its reads and writes
        raise foreign_sql(path, foreign)
    missing = sorted(tables_of(version) - tables)
    if missing:
        raise missing_tables(path, missing)


def busy_error() -> UserError:
    return UserError(_("The database is busy in another program (another gridcare window or command) for more "
                       "than {seconds} seconds; try again when it has finished. Nothing was changed.").format(
        seconds=BUSY_TIMEOUT_MS // 1000))


def _check_writable(path: Path, exists: bool) -> None:
    """gridcare writes the database, its journal beside it (-wal, -shm) and its backups: a place
    where it cannot is refused with a message, and permissions a user set are never changed."""
    from storage.core.platform import writable

    folder = path.parent if path.parent != Path("") else Path(".")
    if path.is_dir():
        raise UserError(_("{path} is a folder, not a database file.").format(path=path))
    above = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if above is not None and not above.is_dir():  # (--db or GRIDCARE_DATA_DIR under a file: mkdir failed, exit 70)
        raise UserError(_("{path} is a file, not a folder: the database cannot be put under it.").format(path=above))
    if folder.exists() and not writable(folder):
        raise UserError(_("The folder {folder} is read-only: gridcare writes its journal beside the database. Copy "
                          "the database into a folder you can write to.").format(folder=folder))
    if not exists:
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file != path and file.is_symlink():  # SQLite refuses it: "unable to open", said as a damaged database
            raise UserError(_("{path} is a link to another file, not the journal SQLite keeps beside the database; "
                              "nothing was changed. Remove it, then open the database again.").format(path=file))
        if file.exists() and not writable(file):
            raise UserError(_("{path} is read-only (its permissions forbid writing), and gridcare does not change "
                              "them. If this copy is meant to be used, make it writable first.").format(path=file))


def stored_version(conn: Connection) -> int:
    """The schema version recorded in the database (0: none yet)."""
    if conn.dialect.name == "sqlite":
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    from sqlalchemy import inspect

    if not inspect(conn).has_table(PG_VERSION_TABLE):
        return 0
    return int(conn.exec_driver_sql(f"SELECT max(version) FROM {PG_VERSION_TABLE}").scalar() or 0)


def store_version(conn: Connection, version: int) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA user_version = {int(version)}")
        return
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {PG_VERSION_TABLE} (version INTEGER NOT NULL)")
    conn.exec_driver_sql(f"DELETE FROM {PG_VERSION_TABLE}")
    conn.exec_driver_sql(f"INSERT INTO {PG_VERSION_TABLE} (version) VALUES ({int(version)})")


def run_upgrades(engine: Engine, version: int) -> None:
    """Run the steps from `version` to SCHEMA_VERSION in one write transaction (all or nothing)."""
    from storage.core.upgrades import UPGRADES

    with engine.connect() as conn:
        conn.info["immediate"] = True
        with conn.begin():
            while version < SCHEMA_VERSION:
                UPGRADES[version](conn)
                version += 1
                store_version(conn, version)


def too_new_error(version: int) -> UserError:
    return UserError(
        _("This database was written by a newer gridcare (schema {found}, this one knows {known}): update gridcare.").format(
            found=version, known=SCHEMA_VERSION))


KEYS_LEFT_AT = 3  # files older than this held the private keys: rewritten after the upgrade


def is_server_target(target: str | os.PathLike[str]) -> bool:
    """Whether `target` (a --db value) names a database server rather than a file."""
    return isinstance(target, str) and bool(_URL.match(target)) and not target.lower().startswith("sqlite")


def open_database(target: str | os.PathLike[str], *, create: bool = True) -> Database:
    """Open (creating or upgrading as needed) the database at `target`: a file path, or a server's URL."""
    from storage.core.db_scope import opened  # (a command's databases are closed when it ends)

    if is_server_target(target):
        from storage.core.db_server import open_server

        return opened(open_server(str(target), create=create))
    if isinstance(target, str) and target.lower().startswith("sqlite"):
        from sqlalchemy.engine import make_url

        target = make_url(target).database or ""
    return opened(_open_file(Path(target), create=create))


def _open_file(path: Path, *, create: bool) -> Database:
    """Refused, with the file untouched: a foreign SQLite file, a gridcare file missing one of its
    tables, a read-only file or folder, a file from a newer gridcare."""
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    path = path.expanduser()
    exists = path.is_file() and path.stat().st_size > 0
    if not exists and not create:
        raise UserError(_("No database at {path}.").format(path=path))
    _check_writable(path, exists)
    upgraded_from = None
    backup = None
    pending = None
    if exists:
        version, tables, foreign = _inspect(path)
        if version > SCHEMA_VERSION:
            raise too_new_error(version)
        exists = bool(tables) or version != 0  # an SQLite file with nothing in it is as good as new
    if exists:
        _check_tables(path, version, tables, foreign)
        check_clocks(path)
        if version < SCHEMA_VERSION:
            backup = _copy_aside(path, version)
            log.info("upgrading schema %s -> %s, old file copied to %s", version, SCHEMA_VERSION, backup)
            pending = version
    elif not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # create the file owner-only before SQLite writes anything into it
        from storage.core.platform import create_owner_only

        create_owner_only(path)
    engine = _make_engine(path)
    if pending is not None:
        run_upgrades(engine, pending)
        upgraded_from = pending
        if pending < KEYS_LEFT_AT:
            from storage.core.private_keys import scrub_file

            engine.dispose()  # VACUUM rewrites the file: no connection of ours stays open on it
            scrub_file(path)
            if backup is not None:
                scrub_file(backup)
    if not exists:
        with engine.begin() as conn:
            SQLModel.metadata.create_all(conn)
            store_version(conn, SCHEMA_VERSION)
    return Database(path=path, engine=engine, upgraded_from=upgraded_from, backup_of_old_schema=backup)

def schema_version(db: Database) -> int:
    with db.engine.connect() as conn:
        return stored_version(conn)


def driver_connection(source: Session | Connection | sqlite3.Connection) -> sqlite3.Connection:
    """The sqlite3 connection under a Session or a Connection (its transaction begun), or the sqlite3
    connection itself; on a server, its driver's connection behind a sqlite3-like `execute`
    (storage/core/server_reader.py).

    The hot read paths (Home's figures, a search keystroke, the policy) run their SQL on it:
    SQLAlchemy's work per statement cost more than SQLite's there.
    """
    if isinstance(source, sqlite3.Connection):
        return source
    from storage.core.server_reader import ServerReader

    if isinstance(source, ServerReader):
        return cast("sqlite3.Connection", source)
    from sqlalchemy.orm import Session as OrmSession  # loaded already: the caller holds a session or connection

    conn = source.connection() if isinstance(source, OrmSession) else source
    raw = conn.connection.driver_connection
    if isinstance(raw, sqlite3.Connection):
        return raw
    # a server's connection behind sqlite3's calls: what the hot paths use of sqlite3.Connection
    return cast("sqlite3.Connection", ServerReader(raw))

"""Opening a database: pragmas, schema version and in-place upgrades.

Nothing here runs at import time; `open_database(path)` builds the engine. SQLModel and
SQLAlchemy are imported by the functions that need them, not by this module: the start-up
reads Home's first figures (SCHEMA_VERSION, the stdlib driver) before that ~0.4 s import.
All SQLite-specific statements of the schema layer stay in this module and in
storage/core/sqlite_bulk.py, so the township role can move to another engine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storage.core import json_text
from storage.core.derive import id_rev
from storage.core.errors import UserError
from storage.core.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

log = logging.getLogger(__name__)

SCHEMA_VERSION = 8
BUSY_TIMEOUT_MS = 5000


def _upgrade_1_to_2(conn: sqlite3.Connection) -> None:
    # v2 keeps the reversed ID number so that "last digits" search is an index prefix
    cols = {row[1] for row in conn.execute("PRAGMA table_info(resident)")}
    if "id_rev" not in cols:
        conn.execute("ALTER TABLE resident ADD COLUMN id_rev VARCHAR")
    conn.execute("UPDATE resident SET id_rev = reverse_text(id_number) WHERE id_number IS NOT NULL")
    conn.execute("CREATE INDEX IF NOT EXISTS ix_resident_id_rev ON resident (id_rev)")


def _upgrade_2_to_3(conn: sqlite3.Connection) -> None:
    # v3 keeps the private keys out of the database, in <database>.keys (storage/core/private_keys.py)
    from storage.core.private_keys import move_out_of_database

    move_out_of_database(conn)


def _upgrade_3_to_4(conn: sqlite3.Connection) -> None:
    # v4 records whether a visit reached the person (见到本人 / 联系到本人); older visits take it from
    # what they recorded, by the rule the fold of their events applies too (storage/core/visit_contact.py)
    from storage.core.visit_contact import LEGACY_CONTACT_SQL

    cols = {row[1] for row in conn.execute("PRAGMA table_info(visit)")}
    if "contact_made" not in cols:
        conn.execute("ALTER TABLE visit ADD COLUMN contact_made BOOLEAN")
    conn.execute(f"UPDATE visit SET contact_made = {LEGACY_CONTACT_SQL} WHERE contact_made IS NULL")


def _add_columns(conn: sqlite3.Connection, table: str, columns: dict[str, str]) -> None:
    present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    for name, ddl in columns.items():
        if name not in present:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}")


def _create_tables(conn: sqlite3.Connection, names: tuple[str, ...]) -> None:
    """Tables an upgrade step adds, with the DDL SQLAlchemy gives a new file (so both match)."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlalchemy.schema import CreateIndex, CreateTable
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (registers the tables)

    dialect = sqlite_dialect.dialect()
    for name in names:
        table = SQLModel.metadata.tables[name]
        conn.execute(str(CreateTable(table, if_not_exists=True).compile(dialect=dialect)))
        for index in table.indexes:
            conn.execute(str(CreateIndex(index, if_not_exists=True).compile(dialect=dialect)))


def _upgrade_4_to_5(conn: sqlite3.Connection) -> None:
    # v5 enrolls devices. The devices a township registered by trust on first use stay trusted,
    # approved for the grid they claimed: an upgrade must not lock the real workers out.
    _add_columns(conn, "device", {"status": "VARCHAR NOT NULL DEFAULT 'approved'",
                                  "enrolled_by": "VARCHAR NOT NULL DEFAULT ''", "revoked_at": "VARCHAR"})
    conn.execute("UPDATE device SET status = 'approved', enrolled_by = 'first use' WHERE enrolled_by = ''")
    _add_columns(conn, "identity", {"enroll_proof": "VARCHAR NOT NULL DEFAULT ''"})
    _create_tables(conn, ADDED_TABLES[5])


def _upgrade_5_to_6(conn: sqlite3.Connection) -> None:
    # v6 (issue #15): the resident's paired helper, and benefit records (each status period one record)
    _add_columns(conn, "resident", {"helper_name": "VARCHAR NOT NULL DEFAULT ''",
                                    "helper_phone": "VARCHAR NOT NULL DEFAULT ''",
                                    "helper_unit": "VARCHAR NOT NULL DEFAULT ''", "helper_since": "DATE"})
    _create_tables(conn, ADDED_TABLES[6])


def _upgrade_6_to_7(conn: sqlite3.Connection) -> None:
    # v7: referrals name the level and office they go to and a follow-up deadline; the six-dimension
    # assessment and the township's acknowledgement of emergencies are tables of their own; two indexes
    # find emergencies without reading a month of visits (storage/register/emergencies.py)
    _add_columns(conn, "referral", {"level": "VARCHAR", "department": "VARCHAR NOT NULL DEFAULT ''", "due_on": "DATE"})
    _create_tables(conn, ADDED_TABLES[7])
    _create_indexes(conn, {"risk_assessment": ("ix_risk_level",), "visit": ("ix_visit_mandatory",)})


def _create_indexes(conn: sqlite3.Connection, wanted: dict[str, tuple[str, ...]]) -> None:
    """Indexes an upgrade step adds to existing tables, with the DDL a new file gets."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlalchemy.schema import CreateIndex
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (registers the tables)

    dialect = sqlite_dialect.dialect()
    for table, names in wanted.items():
        for index in SQLModel.metadata.tables[table].indexes:
            if index.name in names:
                conn.execute(str(CreateIndex(index, if_not_exists=True).compile(dialect=dialect)))


def _upgrade_7_to_8(conn: sqlite3.Connection) -> None:
    # v8 remembers bundles refused for what they hold, by checksum (models.BundleRefused, issue #19)
    _create_tables(conn, ADDED_TABLES[8])


# Ordered upgrade steps: UPGRADES[n] takes a file from version n to n + 1.
UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _upgrade_1_to_2, 2: _upgrade_2_to_3, 3: _upgrade_3_to_4, 4: _upgrade_4_to_5, 5: _upgrade_5_to_6,
    6: _upgrade_6_to_7, 7: _upgrade_7_to_8,
}
KEYS_LEFT_AT = 3  # files older than this held the private keys: rewritten after the upgrade
# Tables that an upgrade step creates, by the version that has them first. Every other table
# must be in a file already: a missing one means a damaged file, never one to create empty.
ADDED_TABLES: dict[int, tuple[str, ...]] = {5: ("enrollment", "device_request"), 6: ("benefit",),
                                            7: ("assessment", "emergency_ack"), 8: ("bundle_refused",)}


@dataclass
class Database:
    path: Path
    engine: Engine
    upgraded_from: int | None = None
    backup_of_old_schema: Path | None = None
    _identity_cache: dict = field(default_factory=dict)

    def session(self) -> Session:
        """A read (or deferred-write) session. Do not hold it across awaits."""
        from sqlmodel import Session

        return Session(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction that takes the write lock up front.

        BEGIN IMMEDIATE avoids the deadlock of two deferred readers that both
        try to upgrade to writers; the busy timeout then queues writers.
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

    engine = create_engine(
        # a URL object, not f"sqlite:///{path}": a '?' or '#' in a folder name would cut the path there
        URL.create("sqlite", database=str(path)),
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        # a bug's traceback goes to the log file: it must not carry names or ID numbers
        hide_parameters=True,
        # JSON columns written by the ORM as the merge's bulk statements write them
        json_serializer=json_text.dumps,
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


def _not_ours(path: Path, detail: str) -> UserError:
    return UserError(_("{path} is not a gridcare database or is damaged ({error}).").format(path=path, error=detail))


def _inspect(path: Path) -> tuple[int, set[str]]:
    """(PRAGMA user_version, the names of its tables), read without writing anything."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise _not_ours(path, str(exc)) from exc
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return version, tables
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise busy_error() from exc
        raise _not_ours(path, str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise _not_ours(path, str(exc)) from exc
    finally:
        conn.close()


def _tables_of(version: int) -> set[str]:
    from sqlmodel import SQLModel

    later = {name for v, names in ADDED_TABLES.items() if v > version for name in names}
    return set(SQLModel.metadata.tables) - later


def _check_tables(path: Path, version: int, tables: set[str]) -> None:
    """Refuse, untouched, a file that is not ours (a foreign SQLite file) or lacks one of our tables."""
    if "event" not in tables and "identity" not in tables:
        raise UserError(_("{path} is an SQLite database of another program, not gridcare's; it was left untouched.").format(
            path=path))
    if version < 1:
        raise _not_ours(path, "user_version 0")
    missing = sorted(_tables_of(version) - tables)
    if missing:
        raise UserError(_("{path} is damaged: its table {table} is missing. Nothing was changed; restore a backup "
                          "(gridcare restore).").format(path=path, table=", ".join(missing)))


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
    if folder.exists() and not writable(folder):
        raise UserError(_("The folder {folder} is read-only: gridcare writes its journal beside the database. Copy "
                          "the database into a folder you can write to.").format(folder=folder))
    if not exists:
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and not writable(file):
            raise UserError(_("{path} is read-only (its permissions forbid writing), and gridcare does not change "
                              "them. If this copy is meant to be used, make it writable first.").format(path=file))


def _run_upgrades(path: Path, version: int) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.create_function("reverse_text", 1, id_rev, deterministic=True)
    try:
        conn.execute("BEGIN IMMEDIATE")
        while version < SCHEMA_VERSION:
            UPGRADES[version](conn)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def open_database(path: str | os.PathLike[str], *, create: bool = True) -> Database:
    """Open (creating or upgrading as needed) the database at `path`.

    Refused, with the file untouched: a foreign SQLite file, a gridcare file missing one of its
    tables, a read-only file or folder, a file from a newer gridcare.
    """
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    path = Path(path).expanduser()
    exists = path.is_file() and path.stat().st_size > 0
    if not exists and not create:
        raise UserError(_("No database at {path}.").format(path=path))
    _check_writable(path, exists)
    upgraded_from = None
    backup = None
    if exists:
        version, tables = _inspect(path)
        if version > SCHEMA_VERSION:
            raise UserError(
                _("This database was written by a newer gridcare (schema {found}, this one knows {known}): update gridcare.").format(
                    found=version, known=SCHEMA_VERSION
                )
            )
        exists = bool(tables) or version != 0  # an SQLite file with nothing in it is as good as new
    if exists:
        _check_tables(path, version, tables)
        if version < SCHEMA_VERSION:
            backup = _copy_aside(path, version)
            log.info("upgrading schema %s -> %s, old file copied to %s", version, SCHEMA_VERSION, backup)
            _run_upgrades(path, version)
            upgraded_from = version
            if version < KEYS_LEFT_AT:
                from storage.core.private_keys import scrub_file

                scrub_file(path)
                scrub_file(backup)
    elif not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # create the file owner-only before SQLite writes anything into it
        from storage.core.platform import create_owner_only

        create_owner_only(path)
    engine = _make_engine(path)
    if not exists:
        with engine.begin() as conn:
            SQLModel.metadata.create_all(conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return Database(path=path, engine=engine, upgraded_from=upgraded_from, backup_of_old_schema=backup)


def schema_version(db: Database) -> int:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return int(conn.execute(text("PRAGMA user_version")).scalar() or 0)


def driver_connection(source: Session | sqlite3.Connection) -> sqlite3.Connection:
    """The sqlite3 connection under a Session (its transaction begun), or the sqlite3 connection itself.

    The hot read paths (Home's figures, a search keystroke, the policy) run their SQL on it:
    SQLAlchemy's work per statement cost more than SQLite's there.
    """
    if isinstance(source, sqlite3.Connection):
        return source
    return source.connection().connection.driver_connection

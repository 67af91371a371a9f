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

from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.platform import make_owner_only

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
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


# Ordered upgrade steps: UPGRADES[n] takes a file from version n to n + 1.
UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _upgrade_1_to_2, 2: _upgrade_2_to_3, 3: _upgrade_3_to_4,
}
KEYS_LEFT_AT = 3  # files older than this held the private keys: rewritten after the upgrade


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


def _reverse_text(value):
    return value[::-1] if value is not None else None


def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
    # autocommit at the driver; SQLAlchemy's "begin" hook below issues BEGIN
    dbapi_conn.isolation_level = None
    dbapi_conn.create_function("reverse_text", 1, _reverse_text, deterministic=True)
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
        # JSON columns written by the ORM as the merge's bulk statements write them
        json_serializer=json_text.dumps,
    )
    sa_event.listen(engine, "connect", _on_connect)
    sa_event.listen(engine, "begin", _on_begin)
    return engine


def _restrict_permissions(path: Path) -> None:
    # personal data of children: owner-only, wherever the OS allows it
    make_owner_only(path)


def _copy_aside(path: Path, old_version: int) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.schema{old_version}-{stamp}.bak")
    src = sqlite3.connect(str(path))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    _restrict_permissions(target)
    return target


def _read_user_version(path: Path) -> tuple[int, bool]:
    """(PRAGMA user_version, whether any gridcare table exists)."""
    conn = sqlite3.connect(str(path))
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        has_tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='event'"
        ).fetchone()[0]
        return version, bool(has_tables)
    except sqlite3.DatabaseError as exc:
        raise UserError(
            _("{path} is not a gridcare database or is damaged ({error}).").format(path=path, error=exc)
        ) from exc
    finally:
        conn.close()


def _run_upgrades(path: Path, version: int) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.create_function("reverse_text", 1, _reverse_text, deterministic=True)
    try:
        conn.execute("BEGIN IMMEDIATE")
        while version < SCHEMA_VERSION:
            UPGRADES[version](conn)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def open_database(path: str | os.PathLike[str], *, create: bool = True) -> Database:
    """Open (creating or upgrading as needed) the database at `path`."""
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    path = Path(path).expanduser()
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise UserError(_("No database at {path}.").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    upgraded_from = None
    backup = None
    if exists:
        version, has_tables = _read_user_version(path)
        if version > SCHEMA_VERSION:
            raise UserError(
                _("This database was written by a newer gridcare (schema {found}, this one knows {known}): update gridcare.").format(
                    found=version, known=SCHEMA_VERSION
                )
            )
        if has_tables and version < SCHEMA_VERSION:
            backup = _copy_aside(path, version)
            log.info("upgrading schema %s -> %s, old file copied to %s", version, SCHEMA_VERSION, backup)
            _run_upgrades(path, version)
            upgraded_from = version
            if version < KEYS_LEFT_AT:
                from storage.core.private_keys import scrub_file

                scrub_file(path)
                scrub_file(backup)
    else:
        # create the file owner-only before SQLite writes anything into it
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    engine = _make_engine(path)
    with engine.begin() as conn:
        SQLModel.metadata.create_all(conn)
        current = conn.exec_driver_sql("PRAGMA user_version").scalar()
        if current == 0:
            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    _restrict_permissions(path)
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

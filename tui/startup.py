"""Start-up work that runs off the event loop: the lock, Home's quick first read, the full open, the backup.

The first screen must not wait for SQLModel's import (~0.4 s) or the upgrade check: when the file's
schema is current and its identity set up, Home's figures are read with the stdlib sqlite3 driver
(storage.register.home.quick_reader) and shown first; the full open follows once they are on screen
(`first_data_shown()`), or after FIRST_DATA_WAIT if the first paint never comes. The app
(tui/app.py) runs these steps in its worker threads and shows their results. The modules of the
full open (SQLModel) are imported by that step itself, for that reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.core.db import open_database
from storage.core.lock import AppLock

if TYPE_CHECKING:
    from storage.core.backup import BackupFile
    from storage.core.db import Database
    from storage.core.models import Identity

log = logging.getLogger("gridcare.tui")
BACKUP_DELAY = 5.0  # seconds after start-up: not while Home reads its figures
# The ORM import waits until Home's first figures are on screen (they share the GIL), but not
# for ever: a first paint that never comes must not keep the database from opening.
FIRST_DATA_WAIT = 3.0  # seconds


@dataclass
class Opened:
    """The database fully open: its identity (None before first-run setup) and a clock warning, if any."""

    db: Database
    identity: Identity | None
    warning: str | None


class Startup:
    """One app's start-up steps, each called from a worker thread."""

    def __init__(self, db_path: Path, server_url: str | None = None) -> None:
        self.db_path = db_path  # a server database's local files hang off this path too (its lock)
        self.server_url = server_url
        self._lock: AppLock | None = None
        self._first_data = threading.Event()
        self._quick: sqlite3.Connection | None = None  # the quick read's, kept for Home's later figures

    def lock(self) -> None:
        """Take the single-instance lock (once): a second gridcare on the same file is told so."""
        if self._lock is None:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            lock = AppLock(self.db_path)
            lock.acquire()
            self._lock = lock

    def quick_home(self, today: dt.date) -> tuple[str, Any] | None:
        """(role, Home's figures) read straight from the file, or None when it is not ready for that."""
        # deferred: Home's reads (~50 ms of modules) load in this worker, not before the first paint
        from storage.core.json_text import DamagedValue
        from storage.register.home import quick_reader, read_home

        if self.server_url is not None:  # the quick read is of a file
            return None
        quick = quick_reader(self.db_path)
        if quick is None:
            return None
        raw, role = quick
        if role == "county":  # a county's Home is its townships, read after the full open
            raw.close()
            return None
        try:
            data = read_home(raw, today, drafts_of=self.db_path, later=True)
        except (sqlite3.Error, DamagedValue) as exc:
            # Home then reads its figures after the full open, which reports a real problem (on Home, where b puts
            # a backup back: a value edited into text that is not JSON ended the app before Home was up)
            log.warning("quick read of the home figures failed: %s", exc)
            raw.close()
            return None
        self._quick = raw
        return role, data

    def quick_later(self, data: Any) -> Any:
        """The figures quick_home left for after the first paint (storage/register/home_later.py), or None."""
        from storage.core.json_text import DamagedValue
        from storage.register.home_later import read_later

        raw, self._quick = self._quick, None
        if raw is None:
            return None
        try:
            return read_later(raw, data)
        except (sqlite3.Error, DamagedValue) as exc:
            log.warning("quick read of the home figures failed: %s", exc)  # Home reads them after the full open
            return None
        finally:
            raw.close()

    def wait_for_first_data(self) -> None:
        self._first_data.wait(FIRST_DATA_WAIT)

    def first_data_shown(self) -> None:
        self._first_data.set()

    def open_full(self, check_clock: bool) -> Opened:
        """SQLModel, the schema upgrade, the identity and the clock check: the ~0.5 s Home's quick read went before."""
        from storage.core.clock_check import clock_warning
        from storage.core.identity import get_identity

        db = open_database(self.server_url or self.db_path)
        identity = get_identity(db)
        warning = clock_warning(db) if identity is not None and check_clock else None
        return Opened(db, identity, warning)

    def backup(self) -> tuple[BackupFile | None, str | None]:
        """Integrity check, then the daily backup: (the backup made, if any; the problem found, if any)."""
        from storage.core.backup import check_and_backup  # deferred: five seconds after start-up

        return check_and_backup(self.db_path, on_screen=True)  # the app names its own screen, not a command

    def key_problem(self, sign_public: str, role: str) -> str | None:
        """What is wrong with the database's key file, if anything (storage/core/private_keys.py key_problem)."""
        from storage.core.private_keys import key_problem

        return key_problem(self.db_path, sign_public, role)

    def close(self, db: Database | None) -> None:
        if db is not None:
            db.dispose()
        if self._lock is not None:
            self._lock.release()

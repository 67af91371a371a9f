"""Whether the database changed since the app last looked: `gridcare merge` run in another window while the app is
open on the same file, so that Home can show the merged figures without F5.

SQLite's `PRAGMA data_version` on a connection of the watch's own changes only when another connection commits,
and reading it is a look at the -wal index, no query of any table: asked every few seconds, an unchanged database
costs nothing more. The app's own writes are another connection's to it, so they count too (Home read once more
after a save it reads again anyway).

A server database (a county on PostgreSQL) has no such cheap counter of its own (pg_stat_database counts every
transaction, reads included, and pg_current_wal_lsn moves with every database of the server and with vacuum):
it is not watched, and F5 reads it again as before.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.core.db import Database

log = logging.getLogger(__name__)
# seconds a look waits for a lock (a checkpoint under way): not the app's, a look that cannot read says "unchanged"
LOOK_TIMEOUT = 0.2


class WriteWatch:
    """One read-only connection to the file, asked whether anything was committed since the last question."""

    def __init__(self, path: Path) -> None:
        from storage.core.db import _read_only_uri

        self._conn: sqlite3.Connection | None = sqlite3.connect(_read_only_uri(path), uri=True, timeout=LOOK_TIMEOUT)
        self._seen = self._version()

    def _version(self) -> int | None:
        if self._conn is None:
            return None
        try:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        except sqlite3.OperationalError as exc:  # busy for a moment: the next look tells
            log.debug("data_version not read: %s", exc)
            return None
        return int(row[0])

    def changed(self) -> bool:
        """True once after each commit by another connection (another program, or the app's own engine)."""
        now = self._version()
        if now is None or now == self._seen:
            return False
        if self._seen is None:  # the first reading failed: from now on
            self._seen = now
            return False
        self._seen = now
        return True

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def watch_writes(db: Database) -> WriteWatch | None:
    """A watch on `db`'s file; None for a server database (see above)."""
    if db.path is None:
        return None
    return WriteWatch(db.path)

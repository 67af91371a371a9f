"""Whether a database's clocks are ones gridcare writes, asked of a file before it is restored or opened.

No device of gridcare's stamps at or past the horizon (storage/core/hlc.py): its own clock stops a year before it,
and a merge accepts nothing past it. A file whose device clock is there (damaged, or edited by hand: 2^63 - 1) made
every save fail with "Python int too large to convert to SQLite INTEGER"; one holding a change stamped there
exports bundles every township refuses. The restore refuses such a backup (every clock read: once per restore);
the open refuses a database whose device clock is such (the clock every save ticks from), and the restore no
longer carries such a clock over from the database it replaces (storage/core/restore_carry.py). The open does not
read every change's clock: without an index on them that is a scan of the event table at every start and every
command (30-130 ms for a township's 110,000 changes, 0.6-2.2 s for the county set on SQLite); a change arrives
only through a merge, which refuses one stamped past the horizon. A county's database on a PostgreSQL server is
checked the same way when opened (check_server_clocks): its BIGINT holds 2^63 - 1 as well, and the next save's
tick then failed with "bigint out of range". The same read refuses a file whose device row is gone while it holds
changes (a page of it overwritten): the app offered its first-use form over such a register.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from storage.core import hlc
from storage.core.refused import clock_past, device_lost

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

# the device's clock: the lowest and the highest (NULL when there is none)
DEVICE_CLOCKS_SQL = "SELECT max(last_hlc), min(last_hlc) FROM identity"
# whether the device's row is there, and whether any change is: every change is written by a device set up first
# (storage/core/changes.py writing_identity), so changes without it are a damaged file (a page of it overwritten)
DEVICE_ROW_SQL = "SELECT (SELECT count(*) FROM identity WHERE id = 1), EXISTS (SELECT 1 FROM event)"
# every clock of the file, device's and changes': the lowest and the highest of each
CLOCKS_SQL = ("SELECT (SELECT max(last_hlc) FROM identity), (SELECT min(last_hlc) FROM identity), "
              "(SELECT max(hlc) FROM event), (SELECT min(hlc) FROM event)")


def clocks_sound(conn: sqlite3.Connection, *, changes: bool = True) -> bool:
    """Whether every clock in the database on `conn` is one a device of gridcare's stamps (a whole number from 0 to
    below the horizon); `changes`: the changes' clocks too, not only the device's. A text or a fraction where a
    clock was is not: SQLite orders a text after every number."""
    return _sound(conn.execute(CLOCKS_SQL if changes else DEVICE_CLOCKS_SQL).fetchone())


def _sound(clocks) -> bool:
    return all(type(c) is int and hlc.within_horizon(c) for c in clocks if c is not None)


def check_server_clocks(conn: Connection, shown: str) -> None:
    """UserError, one line naming the server database `shown` (its password hidden), when its device clock is one
    gridcare never writes; read before any upgrade, nothing written."""
    if not _sound(conn.exec_driver_sql(DEVICE_CLOCKS_SQL).fetchone()):
        raise clock_past(shown, server=True)
    if _device_lost(conn.exec_driver_sql(DEVICE_ROW_SQL).fetchone()):
        raise device_lost(shown, server=True)


def _device_lost(row) -> bool:
    """Changes and no device row: the app went to its first-use form on a register of 5,335 changes, and a
    set-up there would have written a new device over the damaged file."""
    devices, changes = row
    return not devices and bool(changes)


def check_clocks(path: Path) -> None:
    """UserError, one line, when the device clock of the SQLite database at `path` is one gridcare never writes, or
    its device row is gone while it holds changes; read only, the file left untouched."""
    from storage.core.db import BUSY_TIMEOUT_MS, _read_only_uri

    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            sound = clocks_sound(conn, changes=False)
            lost = _device_lost(conn.execute(DEVICE_ROW_SQL).fetchone())
        finally:
            conn.close()
    except sqlite3.Error as exc:
        # a damaged page: the rest of the open, and the app's check of a damaged file, say so in their own words
        log.info("clocks of %s not read: %s", path, exc)
        return
    if not sound:
        raise clock_past(path)
    if lost:
        raise device_lost(path)

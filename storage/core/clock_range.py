"""Whether a database's clocks are ones gridcare writes, asked of a file before it is restored or opened.

No device of gridcare's stamps at or past the horizon (storage/core/hlc.py): its own clock stops a year before it,
and a merge accepts nothing past it. A file whose device clock is there (damaged, or edited by hand: 2^63 - 1) made
every save fail with "Python int too large to convert to SQLite INTEGER"; one holding a change stamped there
exports bundles every township refuses. The restore refused such a backup; the open now refuses such a database,
and the restore no longer carries such a clock over from the database it replaces (storage/core/restore_carry.py).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from storage.core import hlc
from storage.core.errors import UserError
from storage.core.i18n import _

log = logging.getLogger(__name__)

# every clock of the file, device's and changes': the lowest and the highest of each (NULL when there are none)
CLOCKS_SQL = ("SELECT (SELECT max(last_hlc) FROM identity), (SELECT min(last_hlc) FROM identity), "
              "(SELECT max(hlc) FROM event), (SELECT min(hlc) FROM event)")


def clocks_sound(conn: sqlite3.Connection) -> bool:
    """Whether every clock in the database on `conn` is one a device of gridcare's stamps (a whole number from 0 to
    below the horizon). A text or a fraction where a clock was is not: SQLite orders a text after every number."""
    clocks = conn.execute(CLOCKS_SQL).fetchone()
    return all(type(c) is int and hlc.within_horizon(c) for c in clocks if c is not None)


def check_clocks(path: Path) -> None:
    """UserError, one line, when the SQLite database at `path` holds a clock gridcare never writes; read only, the
    file left untouched. (A full read of the changes' clocks: some 20 ms for a township's 110,000 changes.)"""
    from storage.core.db import BUSY_TIMEOUT_MS, _read_only_uri

    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            sound = clocks_sound(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        # a damaged page: the rest of the open, and the app's check of a damaged file, say so in their own words
        log.info("clocks of %s not read: %s", path, exc)
        return
    if not sound:
        raise UserError(_("{path} is damaged: its clock is past any date gridcare writes, so nothing could be saved "
                          "in it. Nothing was changed; restore a backup (gridcare restore).").format(path=path))

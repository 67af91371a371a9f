"""What a restore carries over from the database it replaces, and what it leaves behind.

The records go back to the backup; what this device has already said to others does not. Bundles it sent
keep their numbers: the next one continues after the highest number ever sent (walk E, C1: it restarted from
the backup's and the next export replaced bundle 2 on the stick, with a resident entered after the backup in
it), and its clock goes on from where it was, so a new edit never stamps below one the township holds. The
audit log keeps the acts made since the backup. Read from the copy kept aside, after the restore, once nothing
can undo it: a database too damaged to read carries nothing, and export still never replaces a bundle file.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.core import hlc
from storage.core.backup import _read_only_uri

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dropped:
    """The changes of the replaced database that the restored one lacks (made after the backup)."""

    changes: int
    sent: int  # of them, those that went out in a bundle
    bundles: tuple[int, ...]  # the numbers of those bundles


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def _copy_missing(conn: sqlite3.Connection, table: str, where: str = "", params: tuple = ()) -> None:
    """The replaced database's rows of `table` the restored one lacks (by primary key), in the columns both
    have: a backup may be of an older schema, upgraded when it is next opened."""
    mine = set(_columns(conn, "main", table))
    shared = [c for c in _columns(conn, "replaced", table) if c in mine]
    if not shared:
        return
    names = ", ".join(f'"{c}"' for c in shared)
    conn.execute(f"INSERT OR IGNORE INTO main.{table} ({names}) SELECT {names} FROM replaced.{table} {where}", params)


def _attached(restored: Path, replaced: Path, *, write: bool = True) -> sqlite3.Connection:
    """`write`: False to only read both (the 备份与恢复 screen asks what a restore would drop, of a backup file)."""
    uri = _read_only_uri(restored)
    if write:
        uri = uri.removesuffix("?mode=ro") + "?mode=rw"  # (the same escaping, UNC paths too)
    conn = sqlite3.connect(uri, uri=True, timeout=30)
    conn.execute("ATTACH DATABASE ? AS replaced", (_read_only_uri(replaced),))
    return conn


def carry_forward(replaced: Path, restored: Path) -> None:
    """The numbers of the bundles this device sent (to the township or a grid, and to the county) and its clock,
    from the replaced database into the restored one."""
    try:
        conn = _attached(restored, replaced)
    except sqlite3.Error as exc:
        log.warning("nothing carried over the restore from %s: %s", replaced, exc)
        return
    try:
        with conn:
            row = conn.execute("SELECT device_id FROM main.identity WHERE id = 1").fetchone()
            if row is None:
                return
            # only this device's own numbers: another device's bundle merged since the backup is not in the
            # restored database, and must merge again
            _copy_missing(conn, "bundle_received", "WHERE device_id = ?", (row[0],))
            _copy_missing(conn, "county_export")
            # a clock at the horizon or past it is none a device of gridcare's wrote (a damaged file, the reason for
            # the restore): carried, it made every save of the restored database fail. A change's, another device's
            # merged, moves the clock no further than a merge does (storage/core/hlc.py observe).
            conn.execute("UPDATE main.identity SET last_hlc = max(last_hlc,"
                         " coalesce((SELECT max(last_hlc) FROM replaced.identity WHERE typeof(last_hlc) = 'integer'"
                         " AND last_hlc BETWEEN 0 AND :below), 0),"
                         " coalesce((SELECT min(max(hlc), :ceiling) FROM replaced.event WHERE typeof(hlc) = 'integer'"
                         " AND hlc BETWEEN 0 AND :below), 0)) WHERE id = 1",
                         {"below": hlc.HORIZON - 1, "ceiling": hlc.OBSERVE_CEILING})
    except sqlite3.Error as exc:  # the damaged database a restore is for: the export's own guard remains
        log.warning("bundle numbers and clock of %s not carried over the restore: %s", replaced, exc)
    finally:
        conn.close()


def dropped(replaced: Path, restored: Path) -> Dropped | None:
    """What the restore left behind (or would leave, asked before it); None when either database cannot be read."""
    try:
        conn = _attached(restored, replaced, write=False)
    except sqlite3.Error:
        return None
    try:
        lost = ("FROM replaced.event r WHERE NOT EXISTS (SELECT 1 FROM main.event m WHERE m.id = r.id)")
        changes, sent = conn.execute(f"SELECT count(*), count(r.exported_seq) {lost}").fetchone()
        bundles = tuple(int(n) for (n,) in conn.execute(
            f"SELECT DISTINCT r.exported_seq {lost} AND r.exported_seq IS NOT NULL ORDER BY 1"))
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return Dropped(int(changes), int(sent), bundles)

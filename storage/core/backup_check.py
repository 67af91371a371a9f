"""What a file must be before a restore puts it in place of the database: asked of the file alone, before the
question (the 备份与恢复 screen, `gridcare restore`) and again before anything is copied; and of each backup the
screen and `gridcare backup --list` list, so that none is listed as good that the restore would refuse.

A backup is whatever file the user names or finds in the backups folder, and may have come from someone else:
it is refused, with the database untouched, when it is damaged, of another program, of a newer gridcare, lacks a
table its version has (the database would be unusable once restored), holds triggers or views (SQL gridcare never
writes, which SQLite would run on the restore's own writes and on every one after), or is another database's.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from storage.core.backup import _read_only_uri, integrity_ok
from storage.core.clock_range import clocks_sound
from storage.core.errors import UserError
from storage.core.i18n import N_, _
from storage.core.text import printable
from storage.core.unreadable import first_misshapen, first_unreadable

# (device id, role, grid or township or county, name, device's signing key)
Whose = tuple[str, str, str, str, str]


class NotABackup(UserError):
    """Refused as damaged: not a sound gridcare database at all (the list says "damaged", not "cannot be restored")."""


def _not_a_backup(path: Path) -> UserError:
    return NotABackup(_("{path} is damaged or not a gridcare backup; nothing was changed.").format(path=path))


def _missing(path: Path) -> UserError:
    return UserError(_("No backup file at {path}.").format(path=path))


def check_backup(db_path: Path, backup_file: Path) -> None:
    """UserError, one line, when `backup_file` must not be put in place of the database at `db_path`."""
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise _missing(backup_file)
    _check_keys(db_path, backup_file, _check_file(backup_file))


# whose each file found sound is, by (path, size, modification time): the 备份与恢复 screen reads its list again
# after each `b` and each time it opens, and the full check takes a second or more on a township's backup. (A file
# refused is checked again: its message is said in the language of the moment. The restore itself never takes an
# answer from here: check_backup reads the file again.)
_known: dict[tuple[str, int, int], Whose] = {}


def refusals(db_path: Path, files: Iterable[Path]) -> Iterator[tuple[Path, UserError | None]]:
    """Each of `files` with the UserError the restore would refuse it with (None: it would restore it), as each is
    known: the checks of check_backup, run side by side (SQLite checks without holding Python's lock)."""
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        futures = {pool.submit(_refusal, db_path, Path(f)): Path(f) for f in files}
        for future in as_completed(futures):
            yield futures[future], future.result()


def restorable(db_path: Path, backup_file: Path) -> bool:
    """Whether the restore would put `backup_file` in place of the database at `db_path`: what "a good backup" means
    to the rotation (the newest one it always keeps) and to a damaged database's message (the one it offers)."""
    return _refusal(db_path, Path(backup_file)) is None


# a backup's state in the lists (the 备份与恢复 screen, `gridcare backup --list`), as msgids
CHECKING, GOOD, DAMAGED, REFUSED = N_("checking…"), N_("good"), N_("damaged"), N_("cannot be restored")


def state_of(refusal: UserError | None) -> str:
    """The msgid of the state a backup the restore refuses with `refusal` is listed in."""
    if refusal is None:
        return GOOD
    return DAMAGED if isinstance(refusal, NotABackup) else REFUSED


def _refusal(db_path: Path, backup_file: Path) -> UserError | None:
    try:
        stat = backup_file.stat()
    except OSError:
        return _missing(backup_file)
    key = (str(backup_file), stat.st_size, stat.st_mtime_ns)
    try:
        theirs = _known.get(key) or _check_file(backup_file)
        if len(_known) > 256:  # (a long session of tests, of folders): the answers of files long gone go
            _known.clear()
        _known[key] = theirs
        _check_keys(db_path, backup_file, theirs)
    except UserError as exc:
        return exc
    return None


def _check_file(backup_file: Path) -> Whose:
    """Whose database `backup_file` is; UserError when it is not one a restore may put in place of any."""
    from storage.core.db import SCHEMA_VERSION, _check_tables, _inspect
    from storage.core.refused import foreign_sql

    try:
        version, tables, foreign = _inspect(backup_file)
    except UserError as exc:
        raise _not_a_backup(backup_file) from exc
    if version > SCHEMA_VERSION:
        raise UserError(_("{path} is a backup made by a newer gridcare (schema {found}, this one knows {known}): "
                          "update gridcare to restore it; nothing was changed.").format(
            path=backup_file, found=version, known=SCHEMA_VERSION))
    if foreign:
        raise foreign_sql(backup_file, foreign)
    # after the look at its SQL: SQLite's full check computes each index's expression and condition for each row
    # (one computing a 900 MB text took 2 s and 900 MB a row, the backups' list waiting on it)
    if not integrity_ok(backup_file, quick=False):
        raise _not_a_backup(backup_file)
    try:
        _check_tables(backup_file, version, tables, foreign)
    except UserError as exc:
        raise _not_a_backup(backup_file) from exc
    theirs = _whose(backup_file)
    if theirs is None:  # a sound SQLite file of some other program is no gridcare backup either
        raise _not_a_backup(backup_file)
    return theirs


def _check_keys(db_path: Path, backup_file: Path, theirs: Whose) -> None:
    if not _keys_fit(db_path, theirs):
        # another database's backup (a colleague's, the township's): its records and identity would take this
        # one's place, and the keys beside this database would not fit it. (Asked of the key file, not of the
        # database, which may be the damaged file being replaced, and is left untouched, -shm included.)
        raise UserError(_("{path} is a backup of another database ({theirs}): the keys beside this database do not "
                          "fit it; nothing was changed.").format(path=backup_file, theirs=_who(theirs)))


def _whose(path: Path) -> Whose | None:
    """Whose the gridcare database at `path` is (empty texts before it is set up); None if it is not one: if it is not
    set up while it holds changes (every change is stamped by a set-up device: a file made to slip past the check of
    the keys), if its clock or a change's is not one a device of gridcare's stamps, or if a JSON column of it holds
    text that is not JSON."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=30)
        try:
            row = conn.execute("SELECT device_id, role, coalesce(nullif(grid_code, ''), nullif(township_code, ''), "
                               "county_code), worker_name, device_sign_public FROM identity WHERE id = 1").fetchone()
            changes = conn.execute("SELECT 1 FROM event LIMIT 1").fetchone() is not None
            # a clock at the horizon or past it, which no device of gridcare's reaches: every save after the restore
            # failed (2^63 - 1 overflowed SQLite's INTEGER); a JSON column holding text that is not JSON (edited by
            # hand), which SQLite's checks pass: the screen listed the day's copy of such a file 完好, and a restore
            # put the damage back (~110 ms of a township's 103 MB file, beside the integrity check's ~450 ms)
            # and JSON of the wrong shape (a resident's categories edited into a number): the restored file's every
            # read of that record would refuse it (storage/core/models/columns.py; ~170 ms more of that file)
            sound = clocks_sound(conn) and first_unreadable(conn) is None and first_misshapen(conn) is None
        finally:
            conn.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError):  # no identity table: some other program's file
        return None
    if not sound:
        return None
    if row is None or not row[1]:
        return None if changes else ("", "", "", "", "")
    return (str(row[0] or ""), str(row[1] or ""), str(row[2] or ""), str(row[3] or ""), str(row[4] or ""))


def _keys_fit(db_path: Path, theirs: Whose) -> bool:
    """Whether the private keys beside `db_path` are those of the database `theirs` describes (True where there is
    nothing to compare: no key file yet, a backup taken before set-up). A set-up database always has its device's
    signing key: one without it would pass for any."""
    from storage.core.keys import public_of
    from storage.core.private_keys import read_keys

    try:
        keys = read_keys(db_path)
    except UserError:  # not a key file: nothing it could fit, nothing to protect either
        return True
    if keys is None or not keys.device_sign_secret or not theirs[1]:
        return True
    return public_of(keys.device_sign_secret) == theirs[4]


def _who(whose: Whose) -> str:
    _device, role, unit, name, _key = whose
    if role == "worker":
        return _("grid {grid}, {worker}").format(grid=printable(unit.split("-", 1)[-1], limit=20),
                                                 worker=printable(name, limit=20))
    if role == "county":
        return _("county {code}").format(code=printable(unit, limit=12))
    return _("township {code}").format(code=printable(unit, limit=12))

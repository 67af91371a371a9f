"""Backups: a copy made with SQLite's backup API, at most daily, rotated.

A backup is a complete, consistent database file (taken inside a read
transaction, so a write in progress is either wholly in it or wholly not).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.core import platform
from storage.core.errors import UserError
from storage.core.files import make_owner_only_dir
from storage.core.i18n import _
from storage.core.paths import backups_dir

DEFAULT_KEEP_DAYS = 14
MAX_KEEP_DAYS = 36_500  # a hundred years: more than a date can be counted back from today (OverflowError)
PREFIX = "gridcare-backup-"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: dt.datetime
    size: int


def keep_days() -> int:
    try:
        return min(max(1, int(os.environ.get("GRIDCARE_BACKUP_KEEP_DAYS", DEFAULT_KEEP_DAYS))), MAX_KEEP_DAYS)
    except ValueError:
        return DEFAULT_KEEP_DAYS


def _copy(src_path: Path, dst_path: Path) -> None:
    tmp = dst_path.with_name(dst_path.name + ".part")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    platform.create_owner_only(tmp)
    try:
        src = sqlite3.connect(str(src_path), timeout=30)
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        finally:
            dst.close()
            src.close()
        platform.fsync_file(tmp)
        os.replace(tmp, dst_path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    platform.fsync_dir(dst_path.parent)


def _read_only_uri(path: Path) -> str:
    """An SQLite URI that opens exactly `path`, read-only. Built by pathlib, which escapes
    '#', '?', '%', spaces and non-ASCII: a folder named "dir#1" must not open "dir"."""
    uri = Path(path).absolute().as_uri()
    if not uri.startswith("file:///"):  # a UNC path, file://server/share/...: SQLite takes no host
        uri = "file:////" + uri[len("file://"):]
    return uri + "?mode=ro"


def integrity_ok(path: Path, *, quick: bool = True) -> bool:
    """True if SQLite finds the file sound (quick_check: seconds even on the county set)."""
    if not Path(path).is_file():
        return False
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=30)
        try:
            rows = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    except UnicodeDecodeError:
        # SQLite's message about a damaged page can quote bytes of it that are not UTF-8, and Python
        # fails decoding the message instead of raising DatabaseError: damaged all the same
        return False
    return rows == [("ok",)]


def list_backups(db_path: Path) -> list[BackupFile]:
    folder = backups_dir(db_path)
    found = []
    if folder.is_dir():
        for p in folder.glob(f"{PREFIX}*.db"):
            stamp = backup_time(p)
            if stamp is not None:
                found.append(BackupFile(p, stamp, p.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def backup_time(path: Path) -> dt.datetime | None:
    """When the backup at `path` was taken, from its name (None: not a name gridcare gives its backups)."""
    path = Path(path)
    if not (path.name.startswith(PREFIX) and path.suffix == ".db"):
        return None
    try:
        return dt.datetime.strptime(path.stem[len(PREFIX):], "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def backup_now(db_path: Path, *, now: dt.datetime | None = None, checked: bool = False) -> BackupFile:
    """A backup of the database now. A damaged database is refused (UserError): its copy would
    count as the newest backup and push good ones out of the rotation. `checked`: the caller has
    just run the integrity check."""
    if not checked and not integrity_ok(db_path):
        raise UserError(_("No backup was made: {problem}").format(problem=damaged_message(db_path)))
    now = (now or dt.datetime.now()).replace(microsecond=0)
    folder = backups_dir(db_path)
    make_owner_only_dir(folder)
    target = folder / f"{PREFIX}{now:%Y%m%d-%H%M%S}.db"
    _copy(db_path, target)
    return BackupFile(target, now, target.stat().st_size)


def prune(db_path: Path, days: int, *, now: dt.datetime | None = None) -> list[Path]:
    """Delete backups older than `days`, always keeping the newest one and the newest good one
    (a damaged database slipped into the rotation must not take the last good copy with it).
    The backups are checked only when one would be deleted."""
    now = now or dt.datetime.now()
    backups = list_backups(db_path)
    old = [b for b in backups[1:] if now - b.taken_at > dt.timedelta(days=min(days, MAX_KEEP_DAYS))]
    if not old:
        return []
    good = latest_good_backup(db_path, backups)
    removed = []
    for b in old:
        if good is not None and b.path == good.path:
            continue
        b.path.unlink()
        removed.append(b.path)
    return removed


def auto_backup(db_path: Path, *, now: dt.datetime | None = None, days: int | None = None,
                checked: bool = False) -> BackupFile | None:
    """Take a backup if the newest is a day old or more (or none exists); rotate."""
    now = now or dt.datetime.now()
    existing = list_backups(db_path)
    made = None
    if not existing or now - existing[0].taken_at >= dt.timedelta(days=1):
        made = backup_now(db_path, now=now, checked=checked)
    prune(db_path, days or keep_days(), now=now)
    return made


def latest_good_backup(db_path: Path, backups: list[BackupFile] | None = None) -> BackupFile | None:
    """The newest backup the restore would take (storage/core/backup_check.py): SQLite's quick check alone called
    good a file holding a trigger, of a newer gridcare or of another database, which the rotation then kept in place
    of the last backup that could be restored."""
    from storage.core.backup_check import restorable

    return next((b for b in (list_backups(db_path) if backups is None else backups) if restorable(db_path, b.path)),
                None)


def _copy_file(src: Path, dst: Path) -> None:
    """A byte copy, owner-only from its first byte and on the disk before it is used."""
    with contextlib.suppress(FileNotFoundError):
        dst.unlink()
    platform.create_owner_only(dst)
    with open(src, "rb") as fin, open(dst, "r+b") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    platform.fsync_file(dst)


def _sides(path: Path) -> list[tuple[str, Path]]:
    return [(suffix, path.with_name(path.name + suffix)) for suffix in ("-wal", "-shm")]


def restore(db_path: Path, backup_file: Path, *, now: dt.datetime | None = None) -> Path:
    """Put a backup in place of the database; the current file is kept aside. Returns where.

    Never leaves the database worse than it found it: every step that can fail (copies, fsync,
    the check of the copy) runs before the database or its -wal/-shm is touched; then only
    renames follow, undone if one of them fails (Windows refuses to rename a file that another
    process holds open). The -wal holds committed transactions not yet in the main file: the
    copy kept aside takes them in (_copy_whole), so that it is one complete file, and the -wal
    and -shm moved off the database go once the restore is done.
    """
    from storage.core.backup_check import check_backup

    backup_file = Path(backup_file)
    check_backup(db_path, backup_file)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    aside = db_path.with_name(f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}")
    tmp = db_path.with_name(db_path.name + ".restoring")
    made: list[Path] = []
    try:
        made.append(tmp)
        _copy_file(backup_file, tmp)
        if not integrity_ok(tmp, quick=False):  # the copy itself, on this disk
            raise UserError(_("{path} is damaged or not a gridcare backup; nothing was changed.").format(path=backup_file))
        whole = False
        if db_path.exists():
            made.append(aside)
            whole = _copy_whole(db_path, aside)
    except BaseException:
        for p in made:
            with contextlib.suppress(OSError):
                p.unlink()
        raise
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix, side in _sides(db_path):
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
                moved.append((side, aside.with_name(aside.name + suffix)))
        os.replace(tmp, db_path)
    except BaseException:
        for side, parked in reversed(moved):
            os.replace(parked, side)
        for p in made:
            with contextlib.suppress(OSError):
                p.unlink()
        raise
    if whole:  # what they held is in the copy kept aside: beside it they would be a stray second version
        for _side, parked in moved:
            parked.unlink()
    platform.fsync_dir(db_path.parent)
    if aside.exists():  # (read from the copy kept aside, once nothing can undo the restore)
        from storage.core.restore_carry import carry_forward

        _carry_audit(aside, db_path)
        carry_forward(aside, db_path)
    return aside


def _copy_whole(db_path: Path, aside: Path) -> bool:
    """The database copied to `aside` as one complete file: its bytes and its -wal/-shm copied, then the copy's -wal
    checkpointed into it (the database itself only read, so that a restore failing later leaves it as it was).
    True when done; False when SQLite cannot read the copy (the damaged file a restore is for): the copy is then the
    database's bytes as they are, with its -wal and -shm beside it, which SQLite may still make something of."""
    import logging

    sides = [(side, aside.with_name(aside.name + suffix)) for suffix, side in _sides(db_path) if side.exists()]
    try:
        for src, dst in [(db_path, aside), *sides]:
            _copy_file(src, dst)
        try:
            conn = sqlite3.connect(str(aside), timeout=30)
            try:  # (leaving WAL mode checkpoints the -wal into the file and removes the -wal and -shm)
                mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()
            finally:
                conn.close()
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # (the second: as in integrity_ok)
            logging.getLogger(__name__).warning("%s kept aside as it is, with its -wal: %s", db_path, exc)
            for src, dst in [(db_path, aside), *sides]:  # a checkpoint may have got halfway into the damaged copy
                _copy_file(src, dst)
            return False
    except BaseException:
        for _side, copy in sides:
            with contextlib.suppress(OSError):
                copy.unlink()
        raise
    return mode is not None and str(mode[0]).lower() == "delete"


def _carry_audit(current: Path, restored: Path) -> None:
    """The audit entries made since the backup, copied into the restored database: the log says what was exported,
    merged and reported, and a restore must not make those acts vanish from it."""
    import logging

    try:
        src = sqlite3.connect(_read_only_uri(current), uri=True, timeout=30)
        try:
            rows = src.execute("SELECT at, actor, action, file, counts FROM audit_log ORDER BY id").fetchall()
        finally:
            src.close()
    except sqlite3.Error as exc:  # the damaged database a restore is for: its log cannot be read, the backup's stays
        logging.getLogger(__name__).warning("audit log of %s not carried over the restore: %s", current, exc)
        return
    dst = sqlite3.connect(restored, timeout=30)
    try:
        with dst:
            kept = {tuple(r) for r in dst.execute("SELECT at, actor, action, file, counts FROM audit_log")}
            dst.executemany("INSERT INTO audit_log (at, actor, action, file, counts) VALUES (?, ?, ?, ?, ?)",
                            [r for r in rows if tuple(r) not in kept])
    finally:
        dst.close()


def damaged_message(db_path: Path, *, on_screen: bool = False) -> str:
    """`on_screen`: for the app, which has its own 备份与恢复 screen: a worker with only the desktop shortcut
    has no console to run `gridcare restore` in (walk E, C3)."""
    good = latest_good_backup(db_path)
    if good is None:
        return _("The database {path} is damaged and no good backup was found. Copy the file aside and ask for help; do not delete it.").format(path=db_path)
    if on_screen:
        return _("The database {path} is damaged. The latest good backup is from {date}: press b on Home (or Ctrl+P and type “restore”), highlight it and press Enter. The damaged file is kept aside.").format(
            path=db_path, date=good.taken_at.strftime("%Y-%m-%d %H:%M"))
    return _("The database {path} is damaged. The latest good backup is from {date}: close gridcare and run `gridcare restore` to put it back (the damaged file is kept aside).").format(
        path=db_path, date=good.taken_at.strftime("%Y-%m-%d %H:%M"))


def check_and_backup(db_path: Path, *, now: dt.datetime | None = None,
                     on_screen: bool = False) -> tuple[BackupFile | None, str | None]:
    """At start-up: (the backup taken, or None; a translated problem, or None).

    A damaged file is never backed up: its copy would push a good backup out of the rotation.
    """
    if not integrity_ok(db_path):
        return None, damaged_message(db_path, on_screen=on_screen)
    return auto_backup(db_path, now=now, checked=True), None

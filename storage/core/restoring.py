"""Backing up and restoring as `gridcare backup` / `gridcare restore` and the 备份与恢复 screen both do it.

One function each, so the command and the screen never drift apart: the same prune after a backup, the same
lock, carry-over and audit entry around a restore, and the same words for what a restore leaves behind.

A restore never runs under an open app: the screen asks for one with a `RestoreRequest` as the app's result,
the app closes (its lock released, its engine disposed), and the command line's run_tui restores with
`restore_database` and opens the app again with `restored_notice` on Home (tui/cli.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storage.core import backup
from storage.core.i18n import _, count_text, join_list, join_sentences, ngettext
from storage.core.restore_carry import Dropped, dropped

if TYPE_CHECKING:
    from storage.core.db import Database


@dataclass(frozen=True)
class RestoreRequest:
    """The app's result when the worker chose a backup to put back: run_tui restores once the app is closed."""

    backup: Path


@dataclass(frozen=True)
class Restored:
    source: Path
    taken_at: dt.datetime | None  # None for a file not named as gridcare names its backups
    aside: Path  # where the replaced database is kept
    left: Dropped | None  # what the restored database lacks; None when the replaced one could not be read


def backup_and_prune(path: Path, keep_days: int | None = None, *, db: Database | None = None,
                     checked: bool = False) -> tuple[backup.BackupFile, list[Path]]:
    """A backup now, the old ones pruned, and the audit entry: (the backup made, the files removed).

    `db`: the app's open database for the entry; without it the file is opened only once the backup is made,
    so that a damaged database gets backup_now's refusal, not the open's failure. `checked`: the caller has just
    found the file sound (the check takes seconds on a township's file)."""
    from storage.core.audit import record
    from storage.core.db import open_database

    made = backup.backup_now(path, checked=checked)
    removed = backup.prune(path, keep_days or backup.keep_days())
    target = db if db is not None else open_database(path)
    try:
        record(target, "backup", str(made.path), {"bytes": made.size, "pruned": len(removed)})
    finally:
        if db is None:
            target.dispose()
    return made, removed


def restore_database(path: Path, source: Path) -> Restored:
    """Put `source` in place of the database at `path` (closed: the app lock is taken for the time of it),
    carry over what restore_carry carries, and record it in the restored database's audit log."""
    from storage.core.audit import record
    from storage.core.db import open_database
    from storage.core.lock import AppLock

    with AppLock(path):
        aside = backup.restore(path, source)
    left = dropped(aside, path) if aside.exists() else None
    db = open_database(path)
    try:
        record(db, "restore", str(source),
               {"kept_aside": str(aside), **({"changes_dropped": left.changes} if left else {})})
    finally:
        db.dispose()  # the app opens it again on its own
    return Restored(source, backup.backup_time(source), aside, left)


def would_drop(path: Path, source: Path) -> Dropped | None:
    """What restoring `source` would leave behind, asked before the restore (both files only read). UserError when
    the restore would refuse `source`: said before the question, and before its SQL is read (a view in a hostile
    file could make the count run forever)."""
    from storage.core.backup_check import check_backup

    check_backup(path, source)
    return dropped(path, source)


def _sent(left: Dropped) -> str:
    if not left.bundles:
        return ""
    return ngettext(" ({sent} of them already sent in bundle {bundles})",
                    " ({sent} of them already sent in bundles {bundles})",
                    len(left.bundles)).format(sent=count_text(left.sent), bundles=join_list([str(n) for n in left.bundles]))


def left_behind_text(left: Dropped | None) -> str:
    """After a restore: the changes it left in the copy kept aside ("" when none, or not known)."""
    if left is None or not left.changes:
        return ""
    # the user chose the backup; what it takes away is said, and where it still is
    return ngettext("{n} change made after the backup is not in the restored database{sent}; it is still in the "
                    "copy kept aside.",
                    "{n} changes made after the backup are not in the restored database{sent}; they are still in "
                    "the copy kept aside.", left.changes).format(n=count_text(left.changes), sent=_sent(left))


def will_leave_text(left: Dropped | None) -> str:
    """Before a restore: the changes it will leave behind ("" when none, or not known)."""
    if left is None or not left.changes:
        return ""
    return ngettext("{n} change made after the backup will not be in the restored database{sent}; it stays in "
                    "the copy kept aside.",
                    "{n} changes made after the backup will not be in the restored database{sent}; they stay in "
                    "the copy kept aside.", left.changes).format(n=count_text(left.changes), sent=_sent(left))


def restored_lines(r: Restored) -> list[str]:
    """What `gridcare restore` prints."""
    said = [_("Restored from {file}; the previous database is kept as {aside}.").format(file=r.source, aside=r.aside)]
    return said + [line for line in (left_behind_text(r.left),) if line]


def restored_notice(r: Restored, when: str) -> str:
    """What Home says once the app is open again on the restored database; `when`: the backup's time as shown."""
    head = _("Restored the backup of {time}; the previous database is kept as {aside}.").format(
        time=when, aside=r.aside) if r.taken_at is not None else \
        _("Restored from {file}; the previous database is kept as {aside}.").format(file=r.source, aside=r.aside)
    return join_sentences(head, left_behind_text(r.left))

"""`gridcare backup`, `gridcare restore FILE`, `gridcare audit`.

The storage modules a command runs are imported inside it: every start-up (the TUI's too) builds
this parser, and they would load SQLAlchemy before Home's first figures (tests/test_startup_imports.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.i18n import _
from tui.cli import db_path, row_count
from tui.console import CliConsole


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("backup", parents=[common], help=_("make a backup copy of the database now"),
                       description=_("Make a backup copy of the database now, and delete backups older than the kept days."))
    p.add_argument("--keep-days", type=day_count, metavar="N", help=_("keep backups for N days (default 14, or $GRIDCARE_BACKUP_KEEP_DAYS)"))
    p.add_argument("--list", action="store_true", help=_("list the backups instead"))
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common], help=_("put a backup in place of the database"),
                       description=_("Put a backup in place of the database; the current file is kept aside."))
    p.add_argument("file", type=Path, nargs="?", metavar=_("FILE"), help=_("backup file (default: the latest good one)"))
    p.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("audit", parents=[common], help=_("show the audit log"),
                       description=_("Show who exported, merged, reported, backed up or restored what, and when."))
    p.add_argument("--limit", type=row_count, default=50, metavar="N", help=_("how many entries (default 50)"))
    p.set_defaults(func=cmd_audit)


def _file_of(args: argparse.Namespace) -> Path:
    """The database file that backup and restore copy; a server database is the server's to back up."""
    target = db_path(args)
    if not isinstance(target, Path):
        raise UserError(_("A server database is backed up by the server's own tools (pg_dump), not by gridcare."))
    return target


def cmd_backup(args: argparse.Namespace) -> int:
    from storage.core import backup
    from storage.core.restoring import backup_and_prune

    path = _file_of(args)
    if not path.exists():
        raise UserError(_("No database at {path}.").format(path=path))
    if args.list:  # as the 备份与恢复 screen lists them: when, how big, whether `gridcare restore` would take it
        from storage.core.backup_check import refusals, state_of
        from storage.core.i18n import moment_text
        from tui.formatting import format_size

        found = backup.list_backups(path)
        refused = dict(refusals(path, [b.path for b in found]))
        for b in found:
            print(f"{moment_text(b.taken_at)}  {format_size(b.size):>9}  {_(state_of(refused[b.path]))}  {b.path}")
        return 0
    made, _removed = backup_and_prune(path, args.keep_days)  # as the 备份与恢复 screen's `b`
    print(_("Backup written: {file}").format(file=made.path))
    return 0


def day_count(text: str) -> int:
    """--keep-days's value: -5 pruned every backup but the newest and the newest good one, 10**20 ended in "an
    unexpected error" after the backup was written."""
    from storage.core.backup import MAX_KEEP_DAYS
    from storage.core.i18n import count_text

    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_KEEP_DAYS:
        raise argparse.ArgumentTypeError(_("a number of days from 1 to {most} (not {text})").format(
            most=count_text(MAX_KEEP_DAYS), text=text))
    return n


def cmd_restore(args: argparse.Namespace) -> int:
    from storage.core import backup
    from storage.core.restoring import restore_database, restored_lines

    path = _file_of(args)
    source = args.file
    if source is None:
        good = backup.latest_good_backup(path)
        if good is None:
            raise UserError(_("No good backup of {path} was found.").format(path=path))
        source = good.path
    if not args.yes:
        for line in _about(path, source):  # which backup, and what it would leave behind, before the question
            print(line)
        if not sys.stdin.isatty():
            raise UserError(_("Restoring replaces the database: run again with --yes to confirm."))
        answer = input(_("Replace {db} with the backup {file}? The current file is kept aside. [y/N] ").format(
            db=path, file=source))
        if answer.strip().lower() not in ("y", "yes", "是", "好"):
            print(_("Nothing was changed."))
            return 0
    for line in restored_lines(restore_database(path, source)):  # as the app does after its screen's restore
        print(line)
    return 0


def _about(path: Path, source: Path) -> list[str]:
    """The backup a restore would put in place: when it was taken, its size; the changes it would leave behind."""
    from storage.core import backup
    from storage.core.i18n import moment_text
    from storage.core.restoring import will_leave_text, would_drop
    from tui.formatting import format_size

    lines = []
    if source.is_file():
        taken = backup.backup_time(source)
        lines.append(_("Backup taken {time}, {size}.").format(
            time=moment_text(taken) if taken else _("at an unknown time"), size=format_size(source.stat().st_size)))
    left = will_leave_text(would_drop(path, source))
    return lines + ([left] if left else [])


def cmd_audit(args: argparse.Namespace) -> int:
    """One entry a block: when, who, what and the file on a line, its counts under it (80 columns suffice)."""
    from rich.padding import Padding
    from rich.text import Text

    from storage.core.audit import action_text, counts_parts, entries
    from storage.core.offices import person_text
    from tui.as_text import as_text
    from tui.formatting import format_moment
    from tui.item_lines import ItemLines

    console = CliConsole()
    shown = entries(open_database(db_path(args), create=False), limit=args.limit)
    if not shown:
        console.print(_("The audit log is empty."))
    for e in shown:
        # codes by their names: 导出, not export; 关爱对象 8, not resident=8
        # an office stored in the language of the set-up ("Township clerk") in the reader's: it read in English
        head = Text.assemble((format_moment(e.at), "bold"), "  ", as_text(person_text(e.actor)), "  ",
                             (action_text(e.action), "bold"), "  ", as_text(e.file))
        console.print(head)
        if e.counts:
            console.print(Padding(ItemLines("", counts_parts(e.counts)), (0, 0, 0, 4)))
    return 0

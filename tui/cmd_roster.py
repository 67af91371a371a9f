"""`gridcare roster import FILE`: register residents from the township's spreadsheet.

The storage modules a command runs are imported inside it: every start-up (the TUI's too) builds
this parser, and they would load SQLAlchemy before Home's first figures (tests/test_startup_imports.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.i18n import _, join_list, ngettext
from storage.core.text import printable
from tui.cli import db_path
from tui.console import CliConsole
from tui.progress import cli_progress

STATUS_STYLES = {"new": "green", "update": "cyan", "unchanged": "dim", "invalid": "bold red"}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("roster", parents=[common], help=_("register residents from a roster spreadsheet"),
                       description=_("Register residents from the township's roster (.xlsx or .csv)."))
    roster_sub = p.add_subparsers(dest="roster_command", metavar=_("COMMAND"), required=True)
    q = roster_sub.add_parser("import", parents=[common], help=_("import a roster file, with a row-level report"),
                              description=_("Import a roster file. Nothing is imported if any row is invalid, "
                                            "unless --skip-invalid is given."))
    q.add_argument("file", type=Path, metavar=_("FILE"), help=_(".xlsx or .csv file"))
    q.add_argument("--dry-run", action="store_true", help=_("show the report and change nothing"))
    q.add_argument("--skip-invalid", action="store_true", help=_("import the valid rows and leave out the invalid ones"))
    q.add_argument("--sheet", metavar=_("NAME"), help=_("the sheet to read (default: the first)"))
    q.set_defaults(func=cmd_roster_import)


def print_report(report) -> None:

    from storage.roster.importer import describe, status_label
    from tui.as_text import as_text
    from tui.line_breaks import Typeset

    console = CliConsole()
    if report.unknown_columns:
        console.print(_("Columns not recognised, kept in the notes: {columns}").format(
            columns=join_list(printable(c, limit=40) for c in report.unknown_columns)), markup=False)
    table = Table(show_edge=False, pad_edge=False)
    table.add_column(_("Row"), justify="right")
    table.add_column(_("Name"))
    table.add_column(_("Status"))
    table.add_column(_("Problems"), overflow="fold")
    rows, unlisted = report.listed()
    for row in rows:
        # wrapped as Chinese is set: Rich folded "…（科学计数法）⏎，末尾几位已丢失" with the comma starting a line
        table.add_row(str(row.row), as_text(row.name), status_label(row.status), Typeset(as_text(describe(row))),
                      style=STATUS_STYLES.get(row.status))
    console.print(table)
    if unlisted:
        console.print(ngettext("{n} more row is not listed.", "{n} more rows are not listed.", unlisted).format(
            n=unlisted), markup=False)
    if report.skipped:
        console.print(_("Rows without a name or an ID number were skipped: {rows}").format(
            rows=join_list(str(n) for n in report.skipped)), markup=False)
    if report.footer:
        console.print(report.footer_text(), markup=False)
    console.print(report.summary(), markup=False)


def cmd_roster_import(args: argparse.Namespace) -> int:
    from storage.roster.importer import import_roster

    db = open_database(db_path(args), create=False)
    try:
        with cli_progress(_("Importing the roster")) as progress:
            report = import_roster(db, args.file, dry_run=args.dry_run, skip_invalid=args.skip_invalid,
                                   sheet=args.sheet, progress=progress)
        print_report(report)
    finally:
        db.dispose()
    invalid = report.count("invalid")
    if invalid and not args.skip_invalid:
        raise UserError(ngettext(
            "{n} row is invalid, so nothing was imported: fix it and import again, or use --skip-invalid to import the other rows.",
            "{n} rows are invalid, so nothing was imported: fix them and import again, or use --skip-invalid to import the other rows.",
            invalid).format(n=invalid))
    return 0

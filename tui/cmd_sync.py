"""`gridcare export`, `gridcare merge`, `gridcare conflicts`.

The storage modules a command runs are imported inside it: every start-up (the TUI's too) builds
this parser, and they would load SQLAlchemy before Home's first figures (tests/test_startup_imports.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.i18n import _, ngettext
from tui.cli import db_path
from tui.progress import cli_progress
from tui.texts import describe_export, describe_outcome, describe_totals


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", parents=[common], help=_("write a bundle file for the township (or, from a township, for a grid)"),
                       description=_("Write everything not exported before into one encrypted bundle file."))
    p.add_argument("--out", type=Path, metavar=_("PATH"), help=_("a file, or a folder to put it in (default: this folder)"))
    p.add_argument("--full", action="store_true", help=_("everything, not only what is new"))
    p.add_argument("--grid", metavar=_("CODE"), help=_("township: a bundle for this grid's worker"))
    p.add_argument("--county", action="store_true", help=_("township: a bundle of the township's records for the county"))
    p.add_argument("--all-grids", action="store_true",
                   help=_("township: a bundle for each grid with an enrolled device, into the folder --out names"))
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("merge", parents=[common], help=_("merge bundle files, or every bundle in the folders named"),
                       description=_("Merge bundle files into this database; each is checked whole first."))
    p.add_argument("paths", nargs="+", type=Path, metavar=_("PATH"),
                   help=_("bundle files, or folders whose bundles are all merged (a USB stick, a shared folder)"))
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("conflicts", parents=[common], help=_("list the conflicts waiting for review"),
                       description=_("List the fields two people changed without seeing each other's change."))
    p.add_argument("--full-ids", action="store_true", help=_("show ID numbers in full (masked by default)"))
    p.add_argument("action", nargs="?", choices=["undo"], metavar="undo",
                   help=_("undo: take back the last decision, while no bundle has carried it"))
    p.set_defaults(func=cmd_conflicts)


def cmd_export(args: argparse.Namespace) -> int:
    from storage.sync.export import export_bundle

    db = open_database(db_path(args), create=False)
    from storage.core.clock_check import clock_warning

    warning = clock_warning(db)
    if warning:
        print(warning, file=sys.stderr)
    if sum(map(bool, (args.county, args.grid, args.all_grids))) > 1:
        raise UserError(_("Choose one: --county, --grid or --all-grids."))
    if args.all_grids:
        from storage.sync.export_grids import export_every_grid

        with cli_progress(_("Exporting")) as progress:
            results = export_every_grid(db, args.out or Path.cwd(), progress=progress)
        for each in results:
            print(describe_export(each))
        return 0
    with cli_progress(_("Exporting")) as progress:
        if args.county:
            from storage.sync.county_export import export_county_bundle

            result = export_county_bundle(db, args.out, full=args.full, progress=progress)
        else:
            result = export_bundle(db, args.out, full=args.full, grid_code=args.grid, progress=progress)
    print(describe_export(result))
    return 0


def print_merge_report(report) -> int:
    """The merge's lines on stdout, the summary of what was not merged on stderr; the exit status."""
    for b in report.bundles:
        print(describe_outcome(b))
    for line in describe_totals(report):
        print(line)
    status = 0
    if report.waiting:
        print(ngettext("{n} bundle waits for its device to be approved: gridcare devices.",
                       "{n} bundles wait for their devices to be approved: gridcare devices.",
                       len(report.waiting)).format(n=len(report.waiting)), file=sys.stderr)
        status = 1
    if report.refused:
        n, others = len(report.refused), len(report.bundles) - len(report.refused) - len(report.waiting)
        if others:
            print(ngettext("{n} bundle was refused; the others were merged.",
                           "{n} bundles were refused; the others were merged.", n).format(n=n), file=sys.stderr)
        else:  # "the others" when there were none read as if something had been merged
            print(ngettext("{n} bundle was refused; nothing was merged.",
                           "{n} bundles were refused; nothing was merged.", n).format(n=n), file=sys.stderr)
        status = 1
    return status


def cmd_merge(args: argparse.Namespace) -> int:
    from storage.sync.folder import for_this_database
    from storage.sync.merge import bundle_files, merge_paths
    from tui.folder_texts import left_lines, none_for_here_text

    db = open_database(db_path(args), create=False)
    if not bundle_files(args.paths):
        raise UserError(_("No bundle files (*.gcb) found there."))
    taken = for_this_database(db, args.paths)
    for line in left_lines(taken):
        print(line)
    if not taken.paths:
        raise UserError(none_for_here_text(taken.role))
    with cli_progress(_("Merging")) as progress:
        report = merge_paths(db, taken.paths, progress=progress)
    return print_merge_report(report)


def cmd_conflicts(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.sync.conflicts import conflict_lines
    from tui.cli import db_path

    db = open_database(db_path(args), create=False)
    if args.action == "undo":
        from storage.sync.conflict_undo import undo_decision

        print(undo_decision(db).undone_text())
        return 0
    lines = conflict_lines(db, full_ids=args.full_ids)
    if not lines:
        print(_("No conflicts waiting for review."))
        return 0
    for line in lines:
        print(line)
    return 0


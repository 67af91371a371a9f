"""`gridcare export`, `gridcare merge`, `gridcare conflicts`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from storage.core.i18n import _, ngettext


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", parents=[common], help=_("write a bundle file for the township (or, from a township, for a grid)"),
                       description=_("Write everything not exported before into one encrypted bundle file."))
    p.add_argument("--out", type=Path, metavar=_("PATH"), help=_("a file, or a folder to put it in (default: this folder)"))
    p.add_argument("--full", action="store_true", help=_("everything, not only what is new"))
    p.add_argument("--grid", metavar=_("CODE"), help=_("township: a bundle for this grid's worker"))
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("merge", parents=[common], help=_("merge bundle files, or every bundle in the folders named"),
                       description=_("Merge bundle files into this database; each is checked whole first."))
    p.add_argument("paths", nargs="+", type=Path, metavar=_("PATH"),
                   help=_("bundle files, or folders whose bundles are all merged (a USB stick, a shared folder)"))
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("conflicts", parents=[common], help=_("list the conflicts waiting for review"),
                       description=_("List the fields two people changed without seeing each other's change."))
    p.set_defaults(func=cmd_conflicts)


def cmd_export(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.sync.export import export_bundle
    from tui.cli import db_path
    from tui.progress import cli_progress

    db = open_database(db_path(args), create=False)
    from storage.core.clock_check import clock_warning

    warning = clock_warning(db)
    if warning:
        print(warning, file=sys.stderr)
    with cli_progress(_("Exporting")) as progress:
        result = export_bundle(db, args.out, full=args.full, grid_code=args.grid, progress=progress)
    print(ngettext("Bundle {seq} written: {file} ({n} change).", "Bundle {seq} written: {file} ({n} changes).",
                   result.events).format(seq=result.seq, file=result.path, n=result.events))
    return 0


def describe_outcome(b) -> str:
    if b.status == "refused":
        return _("REFUSED  {message}").format(message=b.message)
    if b.status == "already":
        return _("already merged  {file} (device {device}, bundle {seq})").format(file=b.file, device=b.device_id[:8], seq=b.seq)
    return ngettext("new  {file} ({worker}, bundle {seq}): {n} new change",
                    "new  {file} ({worker}, bundle {seq}): {n} new changes", b.events_new).format(
        file=b.file, worker=b.worker, seq=b.seq, n=b.events_new)


def describe_totals(report) -> list[str]:
    lines = [_("Records added: {added}; updated: {updated}; conflicts to review: {conflicts}; possible duplicate residents: {dups}.").format(
        added=report.added, updated=report.updated, conflicts=report.conflicts, dups=report.duplicates)]
    for device, worker, fp in report.new_devices:
        lines.append(_("New device {device} ({worker}), key fingerprint {fp}: check it with the worker.").format(
            device=device[:8], worker=worker, fp=fp))
    for device, worker, seq in report.missing:
        lines.append(_("Device {device}… ({worker}) bundle {seq} missing.").format(device=device[:8], worker=worker, seq=seq))
    return lines


def cmd_merge(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.core.errors import UserError
    from storage.sync.merge import bundle_files, merge_paths
    from tui.cli import db_path
    from tui.progress import cli_progress

    db = open_database(db_path(args), create=False)
    if not bundle_files(args.paths):
        raise UserError(_("No bundle files (*.gcb) found there."))
    with cli_progress(_("Merging")) as progress:
        report = merge_paths(db, args.paths, progress=progress)
    for b in report.bundles:
        print(describe_outcome(b))
    for line in describe_totals(report):
        print(line)
    if report.refused:
        print(ngettext("{n} bundle was refused; the others were merged.", "{n} bundles were refused; the others were merged.",
                       len(report.refused)).format(n=len(report.refused)), file=sys.stderr)
        return 1
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    import json

    from storage.core.db import open_database
    from storage.sync.conflicts import open_conflicts
    from tui.cli import db_path

    views = open_conflicts(open_database(db_path(args), create=False))
    if not views:
        print(_("No conflicts waiting for review."))
        return 0
    for v in views:
        c = v.conflict
        print(_("{record} · {field}: kept {winner} ({winner_author}); other value {loser} ({loser_author})").format(
            record=v.record_label, field=c.field, winner=json.dumps(c.winner_value, ensure_ascii=False),
            winner_author=c.winner_author, loser=json.dumps(c.loser_value, ensure_ascii=False), loser_author=c.loser_author))
    return 0

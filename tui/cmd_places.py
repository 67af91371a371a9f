"""`gridcare villages [set GRID --name NAME --code CODE]` and `gridcare township-key FILE`.

The storage modules a command runs are imported inside it: every start-up (the TUI's too) builds
this parser, and they would load SQLAlchemy before Home's first figures (tests/test_startup_imports.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from storage.core.db import open_database
from storage.core.i18n import _
from tui.cli import db_path


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("villages", parents=[common], help=_("the grids and their villages; put a grid in a village"),
                       description=_("List the grids and the village each is in; `set` puts a grid in a village "
                                     "(the clerk any grid, a worker their own)."))
    p.set_defaults(func=cmd_villages)
    actions = p.add_subparsers(dest="action", metavar=_("ACTION"))
    s = actions.add_parser("set", parents=[common], help=_("put a grid in a village"),
                           description=_("Put a grid in a village, named or by its 12-digit code."))
    s.add_argument("grid", metavar=_("GRID"), help=_("the grid's code, e.g. G03"))
    s.add_argument("--name", metavar=_("NAME"), help=_("the village's name, e.g. Liuxi village"))
    s.add_argument("--code", metavar=_("CODE"), help=_("the village's 12-digit statistical code, if known"))
    s.set_defaults(func=cmd_villages_set)

    p = sub.add_parser("township-key", parents=[common], help=_("a worker database learns its township's public key"),
                       description=_("Give a grid worker's database its township's public key file "
                                     "(township-CODE.pub from the clerk), if it was set up without one."))
    p.add_argument("file", metavar=_("FILE"), type=Path, help=_("the township-CODE.pub file"))
    p.set_defaults(func=cmd_township_key)


def cmd_villages(args: argparse.Namespace) -> int:
    from rich.table import Table

    from storage.register.villages import grid_villages, grids_without_bundle
    from tui.as_text import as_text
    from tui.console import CliConsole

    db = open_database(db_path(args), create=False)
    table = Table(box=None, pad_edge=False)
    for title in (_("Grid"), _("Grid name"), _("Worker"), _("Village")):
        table.add_column(title)
    for g in grid_villages(db):
        table.add_row(as_text(g.grid_code), as_text(g.grid_name), as_text(g.worker),
                      as_text(g.village) if g.village else as_text(_("(no village yet)")))
    for g in grids_without_bundle(db):  # its village comes with the worker's first bundle (or is set after it)
        table.add_row(as_text(g.grid_code), as_text(g.grid_name), as_text(g.worker),
                      as_text(_("(enrolled; no bundle received yet)")))
    CliConsole().print(table)
    return 0


def cmd_villages_set(args: argparse.Namespace) -> int:
    from storage.core.errors import UserError, ValidationError
    from storage.register.villages import set_grid_village

    db = open_database(db_path(args), create=False)
    try:
        set_grid_village(db, args.grid, args.name, args.code)
    except ValidationError as exc:
        raise UserError(exc.message) from None
    print(_("Grid {grid} is now in {village}.").format(grid=args.grid, village=args.name or args.code))
    return 0


def cmd_township_key(args: argparse.Namespace) -> int:
    from storage.core.keys import fingerprint
    from storage.core.township_key import set_township_key

    db = open_database(db_path(args), create=False)
    pub, changed = set_township_key(db, args.file)
    message = (_("The township key of {township} is now in this database (fingerprint {fp}); exports can go to it.")
               if changed else _("This database already has this key of {township} (fingerprint {fp})."))
    print(message.format(township=pub.township_name or pub.township_code, fp=fingerprint(pub.sign_public)))
    return 0

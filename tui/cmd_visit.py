"""`gridcare visit list|correct|delete`: what the resident page's v does, from the command line.

A visit saved with a wrong date or field is corrected (one event with the changed fields) or deleted; either
travels in the next bundle like any change. A worker changes only their own grid's visits (the storage checks).
"""

from __future__ import annotations

import argparse

from storage.core.china_day import china_today
from storage.core.i18n import _
from storage.core.offices import person_text
from storage.core.text import printable
from tui.date_options import DateOption


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from storage.register.categories import VISIT_METHODS
    from tui.choice_codes import codes_named

    p = sub.add_parser("visit", parents=[common], help=_("a resident's visits: list, correct, delete"),
                       description=_("A resident's visits: list them with their record ids, correct a visit saved "
                                     "with a wrong date or field, or delete one logged by mistake."))
    vsub = p.add_subparsers(dest="visit_command", metavar=_("COMMAND"), required=True)
    q = vsub.add_parser("list", parents=[common], help=_("a resident's visits, newest first, with their record ids"))
    q.add_argument("resident", metavar=_("RESIDENT"), help=_("name, ID number or record id"))
    q.set_defaults(func=cmd_list)
    q = vsub.add_parser("correct", parents=[common], help=_("correct a visit's date or fields"),
                        description=_("Correct a visit: only the fields given change."))
    q.add_argument("visit_id", metavar=_("RECORD"), help=_("the visit's record id (gridcare visit list shows it)"))
    q.add_argument("--date", dest="visit_date", action=DateOption, help=_("the day of the visit"))
    q.add_argument("--method", metavar=_("METHOD"),
                   help=_("how: one of {codes}, or its name").format(codes=codes_named(VISIT_METHODS)))
    q.add_argument("--visitor", metavar=_("NAME"), help=_("who visited"))
    q.add_argument("--met-with", dest="met_with", metavar=_("TEXT"), help=_("whom the visitor met"))
    q.add_argument("--next", dest="next_visit_on", action=DateOption, help=_("the next visit"))
    q.add_argument("--notes", metavar=_("TEXT"), help=_("the visit's notes"))
    q.set_defaults(func=cmd_correct)
    q = vsub.add_parser("delete", parents=[common], help=_("delete a visit logged by mistake"),
                        description=_("Delete a visit logged by mistake, with the referral and the assessment "
                                      "recorded with it; a referral followed up since is kept."))
    q.add_argument("visit_id", metavar=_("RECORD"), help=_("the visit's record id (gridcare visit list shows it)"))
    q.add_argument("--reason", default="", metavar=_("TEXT"), help=_("why it is deleted (kept with the deletion)"))
    q.set_defaults(func=cmd_delete)


def _open(args):
    from storage.core.db import open_database
    from tui.cli import db_path

    return open_database(db_path(args), create=False)


def _method(text: str) -> str:
    from storage.core.i18n import join_list
    from storage.register.categories import VISIT_METHODS
    from tui.choice_codes import code_of

    return code_of(text, VISIT_METHODS, lambda given, names: _(
        "Unknown visit method {method}: choose one of {methods}.").format(method=given, methods=join_list(names)))


def _describe(v) -> str:
    from storage.register.categories import VISIT_METHODS, label

    return "  ".join(x for x in (v.visit_date.isoformat() if v.visit_date else "", label(VISIT_METHODS, v.method),
                                 person_text(v.visitor), printable(v.met_with or "")) if x)


def cmd_list(args: argparse.Namespace) -> int:
    from rich.table import Table
    from rich.text import Text

    from storage.register.categories import VISIT_METHODS, label
    from storage.register.lookup import resident_by_key
    from storage.register.profile import resident_profile
    from tui.console import CliConsole

    db = _open(args)
    r = resident_by_key(db, args.resident)
    visits = resident_profile(db, r.id, china_today()).visits
    console = CliConsole()
    if not visits:
        console.print(Text(_("{name}: no visit yet.").format(name=printable(r.name))))
        return 0
    table = Table(title=Text(printable(r.name)), title_justify="left")
    for header in (_("Record"), _("Visit date"), _("How"), _("Visitor"), _("Met with")):
        table.add_column(header)
    for v in visits:
        table.add_row(v.id, v.visit_date.isoformat() if v.visit_date else "", label(VISIT_METHODS, v.method),
                      Text(person_text(v.visitor)), Text(printable(v.met_with or "")))
    console.print(table)
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from storage.core.errors import UserError
    from storage.register.visits import correct_visit

    changes = {k: getattr(args, k) for k in ("visit_date", "visitor", "met_with", "next_visit_on", "notes")
               if getattr(args, k) is not None}
    if args.method is not None:
        changes["method"] = _method(args.method)
    if not changes:
        raise UserError(_("Nothing to correct: give --date, --method, --visitor, --met-with, --next or --notes."))
    db = _open(args)
    v = correct_visit(db, args.visit_id.strip(), changes, today=china_today())  # its errors: one line, exit 1
    print(_("Visit corrected: {visit}.").format(visit=_describe(v)))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from storage.core.models import Visit
    from storage.register.visits import delete_visit

    db = _open(args)
    vid = args.visit_id.strip()
    with db.session() as s:
        v = s.get(Visit, vid)
        what = _describe(v) if v is not None else vid
    went = delete_visit(db, vid, args.reason)
    print(_("Visit deleted: {visit}.").format(visit=what))
    for line in went.lines():
        print(line)
    return 0

"""`gridcare benefit list|add|end` and `gridcare pair`: what the resident page's b and p do, from the command line.

The lists a clerk acts on (应享未享, ending within 30 days, unpaired) are in `gridcare report`.
"""

from __future__ import annotations

import argparse

from storage.core.china_day import china_today
from storage.core.i18n import _
from storage.core.text import printable
from tui.date_options import DateOption


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from storage.register.categories import BENEFIT_KINDS
    from tui.choice_codes import codes_named

    p = sub.add_parser("benefit", parents=[common], help=_("a resident's assistance statuses and subsidies"),
                       description=_("A resident's assistance statuses and subsidies: one record per period. "
                                     "RESIDENT is the name, the ID number or the record id."))
    bsub = p.add_subparsers(dest="benefit_command", metavar=_("COMMAND"), required=True)
    q = bsub.add_parser("list", parents=[common], help=_("the periods recorded, and what the rules say is due"))
    q.add_argument("resident", metavar=_("RESIDENT"), help=_("name, ID number or record id"))
    q.set_defaults(func=cmd_list)
    q = bsub.add_parser("add", parents=[common], help=_("record a period"))
    q.add_argument("resident", metavar=_("RESIDENT"), help=_("name, ID number or record id"))
    q.add_argument("kind", metavar=_("KIND"), help=_("one of {codes}, or its name").format(codes=codes_named(BENEFIT_KINDS)))
    q.add_argument("--from", dest="start_on", action=DateOption,
                   help=_("the day it began (default: not known)"))
    q.add_argument("--to", dest="end_on", action=DateOption, help=_("the day it ends, if known"))
    q.add_argument("--note", default="", metavar=_("TEXT"), help=_("a short note, e.g. class A"))
    q.set_defaults(func=cmd_add)
    q = bsub.add_parser("end", parents=[common], help=_("end a period"))
    q.add_argument("benefit_id", metavar=_("RECORD"), help=_("the record id (gridcare benefit list shows it)"))
    q.add_argument("--on", dest="end_on", action=DateOption, help=_("the last day (default: today)"))
    q.set_defaults(func=cmd_end)

    p = sub.add_parser("pair", parents=[common], help=_("name a resident's paired helper"),
                       description=_("Name a resident's paired helper, or end the pairing with --end."))
    p.add_argument("resident", metavar=_("RESIDENT"), help=_("name, ID number or record id"))
    p.add_argument("--name", metavar=_("NAME"), help=_("the helper's name"))
    p.add_argument("--phone", default="", metavar=_("PHONE"), help=_("the helper's phone"))
    p.add_argument("--unit", default="", metavar=_("UNIT"), help=_("where the helper works, e.g. the village committee"))
    p.add_argument("--since", action=DateOption, field="helper_since", help=_("the day the pairing began (default: today)"))
    p.add_argument("--end", action="store_true", help=_("end the pairing"))
    p.set_defaults(func=cmd_pair)


def _open(args):
    from storage.core.db import open_database
    from tui.cli import db_path

    return open_database(db_path(args), create=False)


def cmd_list(args: argparse.Namespace) -> int:
    from rich.table import Table
    from rich.text import Text

    from storage.register.benefits import benefit_summary
    from storage.register.categories import BENEFIT_KINDS, join_list, label
    from storage.register.lookup import resident_by_key
    from storage.register.periods import Period, period_text
    from tui.console import CliConsole

    db = _open(args)
    today = china_today()
    r = resident_by_key(db, args.resident)
    summary = benefit_summary(db, r.id, today)
    console = CliConsole()
    # Text: a name is never read as markup; printable: nor its ESC as a terminal's command (a bundle's name may hold one)
    table = Table(title=Text(printable(r.name)), title_justify="left")
    for header in (_("Record"), _("Assistance or subsidy"), _("Period"), _("Status"), _("Note")):
        table.add_column(header)
    for b in summary.benefits:
        state = _("in force") if Period(b.kind, b.start_on, b.end_on).current(today) else _("not in force")
        table.add_row(b.id, label(BENEFIT_KINDS, b.kind), period_text(b.start_on, b.end_on), state,
                      Text(printable(b.note)))
    console.print(table)
    for hint in summary.unclaimed:
        console.print(Text(_("Eligible, not recorded as receiving: {benefit} ({why})").format(
            benefit=label(BENEFIT_KINDS, hint.benefit), why=join_list(_(w) for w in hint.why))))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from storage.core.i18n import join_list
    from storage.register.benefits import record_benefit
    from storage.register.categories import BENEFIT_KINDS, label
    from storage.register.lookup import resident_by_key
    from tui.choice_codes import code_of

    kind = code_of(args.kind, BENEFIT_KINDS, lambda given, names: _(  # before the database: "foo" was "Choose which"
        "Unknown assistance or subsidy {kind}: choose one of {kinds}.").format(kind=given, kinds=join_list(names)))
    db = _open(args)
    r = resident_by_key(db, args.resident)
    b = record_benefit(db, r.id, kind, start_on=args.start_on, end_on=args.end_on, note=args.note)
    print(_("Recorded {kind} for {name} (record {id}).").format(kind=label(BENEFIT_KINDS, b.kind), name=printable(r.name), id=b.id))
    return 0


def cmd_end(args: argparse.Namespace) -> int:
    from storage.register.benefits import end_benefit
    from storage.register.categories import BENEFIT_KINDS, label
    from tui.formatting import format_date

    db = _open(args)
    b = end_benefit(db, args.benefit_id.strip(), args.end_on)
    assert b.end_on is not None  # end_benefit always writes an end
    print(_("{kind} ends on {date}.").format(kind=label(BENEFIT_KINDS, b.kind), date=format_date(b.end_on)))
    return 0


def cmd_pair(args: argparse.Namespace) -> int:
    from storage.core.errors import UserError
    from storage.register.lookup import resident_by_key
    from storage.register.pairing import end_pairing, set_paired_helper

    db = _open(args)
    r = resident_by_key(db, args.resident)
    if args.end:
        end_pairing(db, r.id)
        print(_("The pairing of {name} has ended.").format(name=printable(r.name)))
        return 0
    if not args.name:
        raise UserError(_("Give the paired helper's name (--name), or --end to end the pairing."))
    saved = set_paired_helper(db, r.id, args.name, args.phone, args.unit, args.since)
    print(_("{name} is paired with {helper}.").format(name=printable(saved.name), helper=printable(saved.helper_name)))
    return 0

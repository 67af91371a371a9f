"""`gridcare close` and `gridcare reopen`: what the resident page's x does, from the command line.

A closing's remark is the case's own field (退出原因说明), never added to the notes (备注).
"""

from __future__ import annotations

import argparse

from storage.core.china_day import china_today
from storage.core.i18n import _
from tui.date_options import DateOption


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from storage.register.categories import CLOSE_REASONS
    from tui.choice_codes import codes_named

    p = sub.add_parser("close", parents=[common], help=_("close a resident's case (it leaves the visit lists)"),
                       description=_("Close a resident's case. RESIDENT is the name, the ID number or the record id."))
    p.add_argument("resident", metavar=_("RESIDENT"), help=_("name, ID number or record id"))
    p.add_argument("--reason", required=True, metavar=_("REASON"),
                   help=_("why: one of {codes}, or its name").format(codes=codes_named(CLOSE_REASONS)))
    p.add_argument("--on", dest="closed_on", action=DateOption, help=_("the day it closed (default: today)"))
    p.add_argument("--note", default="", metavar=_("TEXT"), help=_("a remark on the closing (one line)"))
    p.set_defaults(func=cmd_close)
    p = sub.add_parser("reopen", parents=[common], help=_("put a closed case back on the register"),
                       description=_("Put a closed case back on the register; its reason, date and remark are cleared."))
    p.add_argument("resident", metavar=_("RESIDENT"), help=_("name, ID number or record id"))
    p.set_defaults(func=cmd_reopen)


def _open(args):
    from storage.core.db import open_database
    from tui.cli import db_path

    return open_database(db_path(args), create=False)


def _reason(text: str) -> str:
    from storage.core.i18n import join_list
    from storage.register.categories import CLOSE_REASONS
    from tui.choice_codes import code_of

    return code_of(text, CLOSE_REASONS, lambda given, names: _(
        "Unknown reason {reason}: choose one of {reasons}.").format(reason=given, reasons=join_list(names)))


def cmd_close(args: argparse.Namespace) -> int:
    from storage.core.i18n import join_sentences
    from storage.core.text import printable
    from storage.register.categories import CLOSE_REASONS, label
    from storage.register.lookup import resident_by_key
    from storage.register.referrals import open_referrals_of, still_open_text
    from storage.register.residents import close_case
    from tui.formatting import format_date

    db = _open(args)
    today = china_today()
    r = resident_by_key(db, args.resident)
    if r.status == "closed":
        from storage.core.errors import UserError

        raise UserError(_("The case of {name} is already closed.").format(name=printable(r.name)))
    closed = close_case(db, r.id, _reason(args.reason), args.closed_on, args.note, today=today)
    print(_("The case of {name} is closed: {reason}, {date}.").format(
        name=printable(closed.name), reason=label(CLOSE_REASONS, closed.close_reason),
        date=format_date(closed.closed_on)))  # in a sentence, as the language writes a day (2026年11月20日)
    still = still_open_text(open_referrals_of(db, r.id))
    if still:  # left open (each is followed up until closed); Home lists them no more
        print(join_sentences(still, _("Home no longer lists a closed case's referrals: follow up on the resident's "
                                      "page until each is closed.")))
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    from storage.core.errors import UserError
    from storage.core.text import printable
    from storage.register.lookup import resident_by_key
    from storage.register.residents import reopen_case

    db = _open(args)
    r = resident_by_key(db, args.resident)
    if r.status != "closed":
        raise UserError(_("The case of {name} is not closed.").format(name=printable(r.name)))
    reopen_case(db, r.id)
    print(_("{name} is back on the register.").format(name=printable(r.name)))
    return 0

"""`gridcare emergencies [ack KEY | text KEY]`: emergency findings, their report, the township's acknowledgement."""

from __future__ import annotations

import argparse

from storage.core.china_day import china_today
from storage.core.i18n import _
from storage.core.offices import person_text


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("emergencies", parents=[common], help=_("emergency findings not yet acknowledged by the township"),
                       description=_("List the emergency findings of the last 30 days that the township has not "
                                     "acknowledged, with their age; acknowledge one (township), or print its report."))
    p.add_argument("action", nargs="?", choices=("ack", "text"), metavar="ack|text",
                   help=_("ack: acknowledge the finding KEY (township); text: print its report for the township"))
    p.add_argument("key", nargs="?", metavar=_("KEY"), help=_("a finding's key, as the list shows it"))
    p.add_argument("--note", default="", metavar=_("TEXT"), help=_("a note with the acknowledgement"))
    p.set_defaults(func=cmd_emergencies, parser=p)


def cmd_emergencies(args: argparse.Namespace) -> int:
    import datetime as dt

    from storage.core.db import open_database
    from storage.core.text import printable
    from storage.register.emergencies import acknowledge, open_emergencies
    from tui.cli import db_path
    from tui.formatting import hours_text

    if args.action and not args.key:  # a bad argument (exit status 2, with the usage), not a user error
        args.parser.error(_("Name the finding: gridcare emergencies {action} KEY.").format(action=args.action))
    db = open_database(db_path(args), create=False)
    if args.action == "ack":
        from storage.register.emergencies import parse_instant
        from tui.formatting import format_moment

        ack = acknowledge(db, args.key, note=args.note)
        when = parse_instant(ack.acknowledged_at)  # stored as ISO 8601: said as the reader's language says times
        print(_("Acknowledged {key} ({by}, {when}).").format(key=printable(args.key), by=person_text(ack.acknowledged_by),
                                                           when=format_moment(when)))
        return 0
    if args.action == "text":
        from storage.register.urgent_report import report_for

        print(report_for(db, args.key).text, end="")
        return 0
    now = dt.datetime.now(dt.timezone.utc)
    with db.session() as s:
        found = open_emergencies(s, china_today())
    if not found:
        print(_("No emergency waiting for acknowledgement."))
        return 0
    for e in found:
        age = hours_text(e.age_hours(now))
        print(_("{key}  {age}  {name}  {grid}  found {day}").format(  # names come from bundles: printable
            key=printable(e.key), age=age, name=printable(e.name), grid=printable(e.grid_code.split("-", 1)[-1]),
            day=e.found_on.isoformat()))
    return 0

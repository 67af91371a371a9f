"""`gridcare policy` (show, any role) and `gridcare policy set ...` (township): the visit policy.

The storage modules a command runs are imported inside it: every start-up (the TUI's too) builds
this parser, and they would load SQLAlchemy before Home's first figures (tests/test_startup_imports.py).
"""

from __future__ import annotations

import argparse

from storage.core.china_day import china_today
from storage.core.i18n import _


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(_("write NAME=VALUE, e.g. phone=reached (not {text})").format(text=text))
    return name.strip(), value.strip()


def _code(table: dict[str, str], text: str, what: str) -> str:
    """A code of `table` from its code, or its label in either language (独居老年人, Elder living alone)."""
    from storage.core.i18n import LANGUAGES, translator

    for code, msgid in table.items():
        if text.lower() in (code, msgid.lower()) or any(text == translator(lang)(msgid) for lang in LANGUAGES):
            return code
    raise argparse.ArgumentTypeError(_("unknown {what}: {text} (one of: {codes})").format(
        what=what, text=text, codes=", ".join(table)))


def _every(text: str):
    from storage.register.policy import PolicyError, parse_every

    try:
        return parse_every(text)
    except PolicyError as exc:
        raise argparse.ArgumentTypeError(_(str(exc))) from exc


def count_arg(text: str) -> tuple[str, str]:
    from storage.register.categories import VISIT_METHODS
    from storage.register.policy import COUNT_RULES

    name, rule = _pair(text)
    method = _code(VISIT_METHODS, name, _("visit method"))
    if rule not in COUNT_RULES[method]:
        raise argparse.ArgumentTypeError(_("{method} can be: {rules}").format(
            method=method, rules=", ".join(COUNT_RULES[method])))
    return method, rule


def every_arg(text: str) -> tuple[str, object]:
    from storage.register.categories import RISK_LEVELS

    name, value = _pair(text)
    return _code(RISK_LEVELS, name, _("risk level")), _every(value)


def _category_and_age(text: str) -> tuple[str, int | None]:
    from storage.register.categories import CATEGORIES
    from storage.register.policy import MAX_AGE

    name, sep, age = text.partition(":")
    category = _code(CATEGORIES, name.strip(), _("category"))
    if not sep:
        return category, None
    if not age.strip().isdigit() or not 0 <= int(age) <= MAX_AGE:
        raise argparse.ArgumentTypeError(_("the age after ':' is a whole number from 0 to 130 (not {text})").format(
            text=age))
    return category, int(age)


def category_arg(text: str):
    from storage.register.policy import CategoryRule

    name, value = _pair(text)
    category, age = _category_and_age(name)
    return CategoryRule(category, _every(value), age)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("policy", parents=[common], help=_("show (any role) or set (township) the visit policy"),
                       description=_("The visit policy this database works under: which visits count toward the "
                                     "month, and how often each key person is due. Definitions: docs/reports.md."))
    p.set_defaults(func=cmd_policy_show)
    actions = p.add_subparsers(dest="action", metavar="set")
    s = actions.add_parser(
        "set", parents=[common], help=_("change the township's visit policy"),
        description=_("Change the township's visit policy (township database only). It is in force from today, "
                      "and reaches every grid in the township's return bundle (export --grid)."))
    s.add_argument("--count", action="append", type=count_arg, default=[], metavar=_("METHOD=RULE"),
                   help=_("how a visit of METHOD (home, phone, video, proxy) counts: always, reached "
                          "(when the person was reached) or never; repeat for each method"))
    s.add_argument("--every", action="append", type=every_arg, default=[], metavar=_("LEVEL=INTERVAL"),
                   help=_("how often a key person at risk LEVEL (low, medium, high, emergency) is due: month "
                          "(once every calendar month) or a number of days"))
    s.add_argument("--category", action="append", type=category_arg, default=[], metavar=_("CATEGORY[:AGE]=INTERVAL"),
                   help=_("residents of CATEGORY (aged AGE or over) are due at least this often, e.g. "
                          "solitary_elder:80=7"))
    s.add_argument("--drop-category", action="append", type=_category_and_age, default=[],
                   metavar=_("CATEGORY[:AGE]"), help=_("remove the rule for CATEGORY (of that age; without :AGE, all)"))
    s.add_argument("--defaults", action="store_true", help=_("start from the default policy, not the current one"))
    s.set_defaults(func=cmd_policy_set)


def cmd_policy_show(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.core.text import printable
    from storage.register.policy_set import current_policy
    from storage.register.policy_text import policy_lines
    from storage.register.township_policies import county_policies
    from tui.cli import db_path

    db = open_database(db_path(args), create=False)
    by_township = county_policies(db)
    if by_township is not None:  # a county: each township works under its own
        for code, (name, policy) in by_township.items():
            print(_("{name} ({code}):").format(name=printable(name, limit=20), code=code))
            for line in policy_lines(policy):
                print("  " + line)
        return 0
    for line in policy_lines(current_policy(db)):
        print(line)
    return 0


def cmd_policy_set(args: argparse.Namespace) -> int:
    from storage.core.db import open_database
    from storage.core.errors import UserError
    from storage.register.policy_set import (
        ANY_AGE,
        changed_policy,
        current_policy,
        refuse_unless_township,
        set_policy,
    )
    from storage.register.policy_text import policy_lines
    from tui.cli import db_path

    db = open_database(db_path(args), create=False)
    refuse_unless_township(db)
    if not (args.count or args.every or args.category or args.drop_category or args.defaults):
        raise UserError(_("Nothing to change: give --count, --every, --category, --drop-category or --defaults."))
    new = changed_policy(current_policy(db), counts=dict(args.count), every=dict(args.every),
                         add_rules=args.category,
                         drop_rules=[(c, ANY_AGE if age is None else age) for c, age in args.drop_category],
                         defaults=args.defaults)
    stored = set_policy(db, new, today=china_today())
    for line in policy_lines(stored):
        print(line)
    print(_("It reaches each grid with the township's next return bundle (gridcare export --grid CODE)."))
    return 0

"""The CLI's date options, read as the forms read a typed date (storage/core/dates.py).

`--from 2019-05`, `--since 2019年5月`, `--on 2019/5/3` mean what they mean in the form's field of the same
name: a short date is completed the way that field looks, and a year and month alone are the month's first
day where the form takes them so. What cannot be read is a UserError raised while the arguments are parsed:
tui/cli.py main says it in one line, without argparse's usage (the command was right, the date was not), and
exits 2, a bad argument (DESIGN §3). A date read well that the records refuse is the command's: exit 1.
"""

from __future__ import annotations

import argparse
import datetime as dt

from storage.core.china_day import china_today
from storage.core.dates import DateProblem, parse_field_date
from storage.core.errors import UserError
from storage.core.i18n import _


class DateOption(argparse.Action):
    """An option holding one of storage's date fields (`field` decides how a short date is completed)."""

    def __init__(self, option_strings, dest, *, field: str | None = None, **kwargs) -> None:
        kwargs.setdefault("metavar", "YYYY-MM-DD")
        super().__init__(option_strings, dest, **kwargs)
        self.field = field or dest

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, option_date(self.field, str(values), option_string or self.dest))


def option_date(field: str, text: str, option: str, today: dt.date | None = None) -> dt.date:
    try:
        day = parse_field_date(field, text, today or china_today())
    except DateProblem as problem:
        raise UserError(_("{option}: {problem}").format(option=option, problem=problem.message)) from None
    if day is None:
        raise UserError(_("{option}: give a date, e.g. 2026-11-30.").format(option=option))
    return day


class MonthOption(argparse.Action):
    """`--month`: a report's month, as YYYY-MM or as a person writes it (2026/11, 2026年11月, 202611)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from storage.reports.months import parse_month

        try:
            setattr(namespace, self.dest, parse_month(str(values)))
        except UserError as exc:
            raise UserError(_("{option}: {problem}").format(option=option_string or self.dest, problem=exc)) from None

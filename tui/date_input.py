"""A date field that takes dates as people type them and says, below it, what it understood.

The parsing is storage's (storage/core/dates.py, the same the save runs), so what the line
under the field says is what will be saved: "2026年11月30日星期一", or why it is not a date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Label

from storage.core.dates import MONTH_IS_FIRST_DAY, NEEDS_YEAR, DateProblem, parse_field_date, year_month
from storage.core.i18n import _
from tui.as_text import as_text
from tui.formatting import format_date
from tui.ordered_keys import TextInput


def understood_text(field: str, text: str, today) -> tuple[str, bool]:
    """(what the field's text means, whether it is a problem); ("", False) for an empty field."""
    try:
        day = parse_field_date(field, text, today)
    except DateProblem as problem:
        return problem.message, True
    if day is None:
        return "", False
    if field in MONTH_IS_FIRST_DAY and year_month(text) is not None:  # the day it saves, and why that day
        return _("= {date} (first of the month)").format(date=format_date(day, "full")), False
    return _("= {date}").format(date=format_date(day, "full")), False


if TYPE_CHECKING:
    from screens.host import ScreenHost


class DateInput(TextInput):
    """An Input for one of storage's date fields (`field` decides how a short date is completed)."""

    app: ScreenHost  # the app its screen runs in (screens/host.py): "today" completes a short date

    def __init__(self, value: str = "", *, field: str, **kwargs) -> None:
        # a birth date takes its year (storage/core/dates.py NEEDS_YEAR): "11-30, or 30" would be refused there
        kwargs.setdefault("placeholder", _("e.g. 1950-03-12, 1950/3/12 or 19500312") if field in NEEDS_YEAR
                          else _("e.g. 2026-11-30, 11-30, or 30"))
        super().__init__(value, **kwargs)
        self.field = field

    def understood_label(self) -> Label:
        return Label("", id=f"understood-{self.id}", classes="understood -empty")

    def on_mount(self) -> None:
        self.show_understood()

    def watch_value(self, value: str) -> None:
        if self.is_mounted:
            self.show_understood()

    def show_understood(self) -> None:
        for label in self.screen.query(f"#understood-{self.id}").results(Label):
            text, bad = understood_text(self.field, self.value, self.app.today())
            label.update(as_text(text))
            label.set_class(not text, "-empty")
            label.set_class(bad, "-bad")

"""Home's emergencies: the findings waiting for the township, at the top of the screen with their age.

A township sees what it has to acknowledge (`a` on Home); a worker sees what it sent that the township
has not acknowledged yet. The list comes with Home's figures (storage/register/home.py).
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from storage.core.i18n import N_, _, ngettext
from tui.as_text import as_text
from tui.formatting import hours_text
from tui.table import Table

COLUMNS = (("age", N_("Waiting")), ("name", N_("Name")), ("grid", N_("Grid")), ("what", N_("Finding")),
           ("found", N_("Found on")))


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def title(count: int, township: bool, hidden: int = 0) -> Text:
    """`hidden`: findings below the panel's last row (a small terminal shows two): said, with the key to them."""
    text = (ngettext("{n} emergency to acknowledge (a: acknowledge)", "{n} emergencies to acknowledge (a: acknowledge)",
                     count)
            if township else
            ngettext("{n} emergency not yet acknowledged by the township",
                     "{n} emergencies not yet acknowledged by the township", count))
    if hidden > 0:
        text += ngettext(" ({hidden} more below: e, then ↓)", " ({hidden} more below: e, then ↓)", hidden)
    return Text(text.format(n=count, hidden=hidden), style="bold red")


def finding_text(e) -> str:
    from storage.register.emergencies import finding_words

    return finding_words(e)


def rows(emergencies: list, day_text) -> list[tuple[str, str, tuple]]:
    """(key, resident id, cells) per finding; `day_text` formats a date as Home's lists do."""
    at = now()
    return [(e.key, e.resident_id, (hours_text(e.age_hours(at)), e.name, e.grid_code.split("-", 1)[-1],
                                    finding_text(e), day_text(e.found_on))) for e in emergencies]


class EmergencyPanel(Vertical):
    """Hidden while nothing waits."""

    def compose(self) -> ComposeResult:
        yield Static("", id="emergencies-title")
        yield Table(id="t-emergencies", cursor_type="row")

    rows_in_view = 5  # findings the panel's height leaves room for (HomeScreen sets it by the terminal's height)
    _said: tuple[int, bool] | None = None  # (findings, whether at a township): what the title says

    def show(self, emergencies: list, township: bool, day_text) -> dict[str, str]:
        """Fill the list; returns row key -> resident id (for Enter on a row)."""
        self.display = bool(emergencies)
        if not emergencies:
            return {}
        self._said = len(emergencies), township
        self._title()
        table = self.query_one("#t-emergencies", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for key, header in COLUMNS:
            table.add_column(_(header), key=key)
        targets = {}
        for key, resident_id, cells in rows(emergencies, day_text):
            table.add_row(*(as_text(c) for c in cells), key=key)  # names are data: never markup
            targets[key] = resident_id
        table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))
        return targets

    def make_room(self, rows: int) -> None:
        """Room for this many findings: the title says how many more the list holds below them."""
        self.rows_in_view = rows
        self.styles.max_height = rows + 2  # its title and the list's header
        if self.display:
            self._title()

    def _title(self) -> None:
        if self._said is None:
            return
        count, township = self._said
        self.query_one("#emergencies-title", Static).update(title(count, township, count - self.rows_in_view))

    def selected_index(self, count: int) -> int:
        return min(max(self.query_one("#t-emergencies", DataTable).cursor_row, 0), count - 1)

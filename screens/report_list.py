"""The residents (or referrals) behind one figure of the report; Enter opens the resident."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.home_lists import CATEGORY_WIDTH
from screens.resident import ResidentScreen
from storage.core.collector import collector_paused
from storage.core.i18n import N_, _, ngettext
from storage.reports.files import LIST_COLUMNS, cell_value
from tui.as_text import as_text
from tui.category_words import categories_cell
from tui.footer import TranslatedFooter
from tui.formatting import cell_text, format_number
from tui.header import Header
from tui.table import Table

if TYPE_CHECKING:
    from screens.host import ScreenHost


# rows added to the table at a time, more as the cursor nears the last: a county's category lists 26,618 key
# persons, and the table measures every cell it is given (all of them at once: 13 s before the list showed)
STEP = 200
# a column the list leaves out when every row holds the same value: the heading names it (村: 茅山村), and at 80
# columns its room is the categories' (cut at "Widowed or" in English)
SAME_IN_EVERY_ROW = ("Village", "Grid")
CATEGORIES = "Categories"  # the column of a resident's categories: one whole and "+N", as Home's lists
PAD = 2  # a column's padding, one cell either side
SCROLLBAR = 2


class ReportListScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "reports.tcss"
    BINDINGS = [Binding("escape", "back", N_("Back"), id="report_list.back")]

    def help_rows(self) -> list[tuple[str, str]]:
        return [(_("Enter"), N_("Open the resident on the highlighted row")), (_("Up, Down"), N_("Move in the list"))]

    def __init__(self, heading: Callable[[], str], list_name: str, rows: list) -> None:
        """`heading` words the list's heading in the language of the moment (F2 composes the screen again)."""
        super().__init__()
        self.heading, self.list_name, self.rows = heading, list_name, rows
        self.columns = LIST_COLUMNS[list_name]  # those shown: on_mount leaves out a village or grid named above
        self.cat_width = CATEGORY_WIDTH

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(as_text(self.heading()), id="list-heading")
        yield Table(id="list", cursor_type="row", zebra_stripes=True)
        yield Static(ngettext("{n} resident", "{n} residents", len(self.rows)).format(n=format_number(len(self.rows)))
                     if self.list_name != "open_referrals" else
                     ngettext("{n} referral", "{n} referrals", len(self.rows)).format(n=format_number(len(self.rows))),
                     id="list-count")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("Reports")
        table = self.query_one("#list", DataTable)
        self.columns = [c for c in LIST_COLUMNS[self.list_name]
                        if not (c.header in SAME_IN_EVERY_ROW and len(self.rows) > 1
                                and len({c.get(r) for r in self.rows}) == 1)]
        self.cat_width = self._categories_width()
        for c in self.columns:
            table.add_column(_(c.header))
        self._add_rows()
        table.focus()

    def _categories_width(self) -> int:
        """The categories' cells: the room left at the screen's edge when they are the last column (the first
        STEP rows measured), else as wide as Home's."""
        if not self.columns or self.columns[-1].header != CATEGORIES:
            return CATEGORY_WIDTH
        shown = self.rows[:STEP]
        used = sum(max([cell_len(_(c.header))] + [cell_len(self._text(c, r)) for r in shown]) + PAD
                   for c in self.columns[:-1])
        return max(CATEGORY_WIDTH, self.app.size.width - SCROLLBAR - used - PAD)

    def _text(self, column, item) -> str:
        if column.header == CATEGORIES and hasattr(item, "categories"):
            return categories_cell(item.categories, self.cat_width)
        return cell_text(cell_value(column, item, False), column.kind)

    def _add_rows(self) -> None:
        """The next STEP rows into the table (the count below it says how many there are in all)."""
        table = self.query_one("#list", DataTable)
        start = table.row_count
        with collector_paused():  # (the objects of a county's report, alive meanwhile: storage/core/collector.py)
            for i in range(start, min(start + STEP, len(self.rows))):
                table.add_row(*(as_text(self._text(c, self.rows[i])) for c in self.columns), key=str(i))

    @on(DataTable.RowHighlighted, "#list")
    def _more(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - 5 and event.data_table.row_count < len(self.rows):
            self._add_rows()

    @on(DataTable.RowSelected, "#list")
    def _open(self, event: DataTable.RowSelected) -> None:
        item = self.rows[int(event.row_key.value)]
        self.app.push_screen(ResidentScreen(getattr(item, "resident_id", None) or item.id))

    def action_back(self) -> None:
        self.app.pop_screen()


def month_list(app: ScreenHost, grouping: str, key: str, measure: str, group: str, name: str) -> ReportListScreen:
    """The list behind one figure of this month's report, for a group of it (Home's grid, the county Home's
    township): read in the caller's worker thread, pushed by the caller. `group`: the grouping's msgid."""
    from storage.reports.monthly import DRILL, LISTS, MEASURES, monthly_report
    from storage.reports.township_people import township_people
    from tui.formatting import format_month

    today = app.today()
    if grouping == "township":  # (a county's: that township's alone, a twentieth of the county)
        rows = township_people(app.db, today.year, today.month, key, measure, today=today)
    else:
        rows = monthly_report(app.db, today.year, today.month, today=today, with_lists=True).behind(grouping, key, measure)
    drill = DRILL[measure]

    def heading() -> str:  # worded when drawn: F2 on the list words it again
        return _("{what} — {group}: {label}, {month}").format(
            what=_(LISTS.get(drill) or MEASURES[measure]), group=_(group), label=name, month=format_month(today))

    return ReportListScreen(heading, drill, rows)

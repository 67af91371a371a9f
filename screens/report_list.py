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
from storage.reports.files import LIST_COLUMNS, Column, cell_value
from tui.as_text import as_text
from tui.category_words import categories_cell
from tui.footer import TranslatedFooter
from tui.formatting import cell_text, format_number
from tui.header import Header
from tui.line_breaks import Wrapped
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
# when a list's columns do not all fit the width, what the clerk opened it for comes first (at 80 columns the open
# referrals showed name, ID number, village, grid and agency, and their status and days only when scrolled to); the
# other columns follow in the export's order, the masked ID number last. A wide screen keeps the export's order.
_PERSON_FIRST = ("Name", "Village", "Grid", "Last seen", "Risk", CATEGORIES)
FIRST: dict[str, tuple[str, ...]] = {
    "not_visited": _PERSON_FIRST, "key_persons": _PERSON_FIRST, "visited": _PERSON_FIRST,
    "overdue": ("Name", "Village", "Grid", "Days overdue", "Last seen", "Risk", CATEGORIES, "Due"),
    "emergency_high": ("Name", "Village", "Grid", "Risk", "Risk since", "Last seen", "Open referrals", CATEGORIES),
    "open_referrals": ("Name", "Village", "Status", "Days open", "Reason", "Referred to", "Grid", "Opened on"),
    "aged_out": ("Name", "Village", "Grid", "Age", "Aged out on", CATEGORIES, "Case"),
}
LAST = "ID number"


class ReportListScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "reports.tcss"
    BINDINGS = [Binding("escape", "back", N_("Back"), id="report_list.back")]

    def help_rows(self) -> list[tuple[str, str]]:
        return [(_("Enter"), N_("Open the resident on the highlighted row")), (_("Up, Down"), N_("Move in the list")),
                (_("Left, Right"), N_("Scroll to the columns beyond the screen's edge; the line under the list "
                                      "shows them for the highlighted row"))]

    def __init__(self, heading: Callable[[], str], list_name: str, rows: list) -> None:
        """`heading` words the list's heading in the language of the moment (F2 composes the screen again)."""
        super().__init__()
        self.heading, self.list_name, self.rows = heading, list_name, rows
        self.columns = LIST_COLUMNS[list_name]  # those shown, in the order shown: _lay_out
        self.cat_width = CATEGORY_WIDTH
        self._laid_out: tuple[list[Column], int] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(as_text(self.heading()), id="list-heading")
        # the name stays in view when the list is scrolled sideways
        yield Table(id="list", cursor_type="row", zebra_stripes=True, fixed_columns=1)
        yield Static("", id="list-detail", markup=False)
        yield Static(ngettext("{n} resident", "{n} residents", len(self.rows)).format(n=format_number(len(self.rows)))
                     if self.list_name != "open_referrals" else
                     ngettext("{n} referral", "{n} referrals", len(self.rows)).format(n=format_number(len(self.rows))),
                     id="list-count")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("Reports")
        table = self.query_one("#list", DataTable)
        self._laid_out = None  # (F2 composes the screen again: a new table, empty)
        self._lay_out()
        self.watch(table, "scroll_x", lambda: self._show_detail(), init=False)
        table.focus()

    def on_resize(self) -> None:
        if self._laid_out is not None:
            self._lay_out()

    def _lay_out(self) -> None:
        """The table's columns for the screen's width (the order, the categories' room), its rows filled again when
        they change (a resize across the width where all the columns fit)."""
        columns = [c for c in LIST_COLUMNS[self.list_name]
                   if not (c.header in SAME_IN_EVERY_ROW and len(self.rows) > 1
                           and len({c.get(r) for r in self.rows}) == 1)]
        room = self.app.size.width - SCROLLBAR
        self.cat_width = CATEGORY_WIDTH
        widths = {c.header: self._width(c) for c in columns}  # (each measures the first STEP rows)
        spare = room - sum(widths.values())
        if spare < 0:
            first = FIRST.get(self.list_name, ("Name",))
            columns = sorted(columns, key=lambda c: (c.header == LAST, first.index(c.header) if c.header in first
                                                     else len(first)))
        names = [c.header for c in columns]
        if CATEGORIES in names:  # their whole words where they fit: the room to spare, else up to the screen's edge
            used = sum(widths[c.header] for c in columns[:names.index(CATEGORIES)])
            self.cat_width = CATEGORY_WIDTH + spare if spare >= 0 else max(CATEGORY_WIDTH, room - used - PAD)
        if self._laid_out == (columns, self.cat_width):
            return
        self._laid_out = (columns, self.cat_width)
        self.columns = columns
        table = self.query_one("#list", DataTable)
        cursor, filled = table.cursor_row, max(table.row_count, STEP)
        table.clear(columns=True)
        for c in columns:
            table.add_column(_(c.header))
        self._add_rows(filled)
        if 0 < cursor < table.row_count:
            table.move_cursor(row=cursor)
        self.call_after_refresh(self._show_detail)

    def _width(self, column: Column) -> int:
        """A column's cells (of the first STEP rows, their title) with its padding."""
        return max([cell_len(_(column.header))] + [cell_len(self._text(column, r)) for r in self.rows[:STEP]]) + PAD

    def _text(self, column: Column, item) -> str:
        if column.header == CATEGORIES and hasattr(item, "categories"):
            return categories_cell(item.categories, self.cat_width)
        return cell_text(cell_value(column, item, False), column.kind)

    def _add_rows(self, count: int = STEP) -> None:
        """The next `count` rows into the table (the count below it says how many there are in all)."""
        table = self.query_one("#list", DataTable)
        start = table.row_count
        with collector_paused():  # (the objects of a county's report, alive meanwhile: storage/core/collector.py)
            for i in range(start, min(start + count, len(self.rows))):
                table.add_row(*(as_text(self._text(c, self.rows[i])) for c in self.columns), key=str(i))

    def _show_detail(self) -> None:
        """Under the list, what the highlighted row holds beyond the screen's edge, or cut short in its cell (a
        category's "+1"): "状态：待办理；已转介天数：360". Nothing, and no line, when every column is in view."""
        table = self.query_one("#list", DataTable)
        detail = self.query_one("#list-detail", Static)
        view = table.scrollable_content_region.width
        fixed = sum(c.get_render_width(table) for c in table.ordered_columns[:table.fixed_columns])
        hidden, x = set(), 0
        for i, shown in enumerate(table.ordered_columns):
            width = shown.get_render_width(table)
            left = x if i < table.fixed_columns else x - table.scroll_x
            if left < (0 if i < table.fixed_columns else fixed) or left + width - 1 > view:
                hidden.add(i)
            x += width
        # a line under the list when columns are out of view, or a resident's categories cut to one and "+N"
        detail.display = bool(hidden) or CATEGORIES in [c.header for c in self.columns]
        row = table.cursor_row
        if not 0 <= row < table.row_count:
            detail.update("")
            return
        item = self.rows[row]  # (the rows are added in their order, and never sorted)
        parts = []
        for i, column in enumerate(self.columns):
            whole = cell_text(cell_value(column, item, False), column.kind)
            if whole and (i in hidden or self._text(column, item) != whole):
                parts.append(_("{field}: {value}").format(field=_(column.header), value=" ".join(whole.split())))
        detail.update(Wrapped(_("; ").join(parts)))  # (no "；" at a line's start)

    @on(DataTable.RowHighlighted, "#list")
    def _more(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - 5 and event.data_table.row_count < len(self.rows):
            self._add_rows()
        self._show_detail()

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

"""The register: instant search as you type, filters, a table loaded a page at a time."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from screens.read_only import at_county
from screens.resident import ResidentScreen
from screens.resident_form import ResidentFormScreen
from screens.worker_errors import damage_named
from storage.core.errors import as_user_error
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _, ngettext
from storage.register.categories import RISK_LEVELS, SHOWN_CATEGORIES
from storage.register.policy import load_policy
from storage.register.report_query import township_names
from storage.register.search import PAGE, ResidentFilter, ResidentRow, count_residents, search_residents
from storage.register.spelled import warm_for
from storage.reports.county_passes import township_of
from tui.as_text import as_text, notify_text
from tui.category_words import categories_cell
from tui.footer import TranslatedFooter
from tui.formatting import format_column_date, format_number
from tui.header import Header
from tui.line_breaks import Wrapped
from tui.ordered_keys import TextInput
from tui.table import Table
from tui.texts import risk_text

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.15
DUE_FILTERS: dict[str, str] = {
    "overdue": N_("Overdue"),
    "due_week": N_("Due this week"),
    "visited_month": N_("Visited this month"),
    "not_visited_month": N_("Not visited this month"),
}
STATUS_FILTERS: dict[str, str] = {"active": N_("Active cases"), "closed": N_("Closed cases"), "all": N_("All cases")}


WIDER_CATEGORIES = 12  # cells the categories gain past 80 columns: "Widowed or childless elder" (26) whole at 92


def _cut(text: str, cells: int) -> str:
    more = narrow("…")
    return text if cell_len(text) <= cells else set_cell_size(text, cells - len(more)).rstrip() + more


class _SearchBox(TextInput):
    """Down from the search box goes into the results, as in any list with a filter box above it: a binding of
    the box's own, so that it acts where it arrives, before an Enter typed after it (tui/ordered_keys.py)."""

    BINDINGS = [Binding("down", "into_list", show=False)]

    def action_into_list(self) -> None:
        table = self.screen.query_one(DataTable)
        if table.row_count:
            self.screen.set_focus(table)  # now (focus() waits a turn): the Enter typed after goes to the list


class ResidentsScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "residents.tcss"
    BINDINGS = [
        # priority: "/" always means "search", also while the search box has the cursor; it never reaches the query
        Binding("slash", "focus_search", N_("Search"), id="residents.search", priority=True),
        Binding("n", "new_resident", N_("New resident"), id="residents.new"),
        Binding("f", "focus_filters", N_("Filters"), id="residents.filters"),
        Binding("escape", "back", N_("Back"), id="residents.back"),
    ]

    def help_rows(self) -> list[tuple[str, str]]:
        # Enter on a row is the table's own key: not in the bindings, and the first thing a person looks for
        return [(_("Enter"), N_("Open the resident on the highlighted row")), (_("Up, Down"), N_("Move in the list")),
                (_("Enter in the search box"), N_("Open the one resident found; with several, go to the list"))]

    def __init__(self) -> None:
        super().__init__()
        self._debounce: Timer | None = None
        self._generation = 0
        self._rows_of = 0  # the search whose rows the list shows (its generation)
        self._exhausted = False
        self._loading = False
        self._enter_waiting = False  # Enter in the box before its query's rows came: acted on when they come
        self._query_typed = False  # typed, its search not started yet (the pause after typing)
        self._townships: dict[str, str] | None = None  # a county's township names, read with the first page

    def compose(self) -> ComposeResult:
        yield Header()
        yield _SearchBox(placeholder=self._search_hint(), id="search", compact=True)
        with Horizontal(id="filters"):
            yield Select([(_(v), k) for k, v in SHOWN_CATEGORIES.items()], prompt=_("All categories"), id="f-category",
                         compact=True)
            yield Select([(_(v), k) for k, v in RISK_LEVELS.items()], prompt=_("Any risk"), id="f-risk", compact=True)
            yield Select([(_(v), k) for k, v in DUE_FILTERS.items()], prompt=_("Any due status"), id="f-due",
                         compact=True)
            yield Select([(_(v), k) for k, v in STATUS_FILTERS.items()], value="active", allow_blank=False,
                         id="f-status", compact=True)
        yield Table(id="residents", cursor_type="row", zebra_stripes=True)
        yield Static("", id="summary")
        yield TranslatedFooter()

    COLUMNS = (("name", N_("Name"), 8), ("id", N_("ID number"), 18), ("age", N_("Age"), 4),
               ("cats", N_("Categories"), 14), ("risk", N_("Risk"), 9), ("due", N_("Due"), 14))
    # the township's register holds every grid: each row says whose (in the age's place, to fit 80 columns)
    TOWNSHIP_COLUMNS = tuple(("grid", N_("Grid"), 5) if key == "age" else (key, title, width)
                             for key, title, width in COLUMNS)

    # a county's register holds 20 townships, where one name is many people's: each row says which township, in the
    # age's place; to fit 80 columns the categories, the risk and the due date give up 2 cells each (in Chinese
    # nothing is cut by it: "独居老年人+1", "紧急", "逾期 34 天"; English "Emergency" is)
    COUNTY_COLUMNS = (("name", N_("Name"), 8), ("id", N_("ID number"), 18), ("township", N_("Township"), 8),
                      ("cats", N_("Categories"), 12), ("risk", N_("Risk"), 7), ("due", N_("Due"), 12))

    @property
    def columns(self) -> tuple:
        """The columns for the role, the categories' wider on a terminal wider than 80 columns: there a label
        whole ("Elder living alone+1"), where 80 columns show its shorter words ("Lives alone+1")."""
        role = getattr(getattr(self.app, "identity", None), "role", None)
        columns = {"township": self.TOWNSHIP_COLUMNS, "county": self.COUNTY_COLUMNS}.get(role or "", self.COLUMNS)
        extra = max(0, min(WIDER_CATEGORIES, self.app.size.width - 80))
        return tuple((key, title, width + extra if key == "cats" else width) for key, title, width in columns)

    def on_resize(self) -> None:
        """The terminal's new width: the categories' column (and the words in it) follow it."""
        table = self.query_one(DataTable)
        width = {key: cells for key, _title, cells in self.columns}["cats"]
        if "cats" in table.columns and table.columns["cats"].width != width:
            table.clear(columns=True)
            for key, title, cells in self.columns:
                table.add_column(_(title), key=key, width=cells)
            self.start_search(keep_cursor=True)

    def _search_hint(self) -> str:
        ident = getattr(self.app, "identity", None)
        if ident is not None and ident.role == "township":  # 40 grids: one grid's people by its code
            return _("Search: name, pinyin or initials (zhang, zs), last ID digits, phone, grid (G03)")
        return _("Search: name, pinyin or initials (zhang, zs), last ID digits, phone")

    def on_mount(self) -> None:
        self.title = _("Residents")
        table = self.query_one(DataTable)
        for key, title, width in self.columns:
            table.add_column(_(title), key=key, width=width)
        self.query_one("#search", Input).focus()
        self.start_search()

    def language_changed(self) -> None:
        """Called by the app after a language switch: labels again, rows again."""
        self.title = _("Residents")
        self.query_one("#search", Input).placeholder = self._search_hint()
        for selector, table, prompt in (("#f-category", SHOWN_CATEGORIES, N_("All categories")),
                                        ("#f-risk", RISK_LEVELS, N_("Any risk")),
                                        ("#f-due", DUE_FILTERS, N_("Any due status")),
                                        ("#f-status", STATUS_FILTERS, None)):
            select = self.query_one(selector, Select)
            value = select.value
            with select.prevent(Select.Changed):
                select.set_options([(_(v), k) for k, v in table.items()])
                if prompt:
                    select.prompt = _(prompt)
                select.value = value
                # the same value again wakes no watcher: a list with no blank ("在册对象") kept its old words
                select.mutate_reactive(Select.value)  # type: ignore[misc]  # (the descriptor, as Textual means it)
        data_table = self.query_one(DataTable)
        for key, title, _width in self.columns:
            data_table.columns[key].label = Text(_(title))
        data_table.refresh()
        self.start_search(keep_cursor=True)

    def on_screen_resume(self) -> None:
        # back from a resident: names, risks and due dates may have changed
        if self.is_mounted:
            self.start_search(keep_cursor=True)

    # --- searching --------------------------------------------------------

    def current_filter(self) -> ResidentFilter:
        def value(selector: str) -> str | None:
            v = self.query_one(selector, Select).value
            return None if v == Select.NULL else str(v)

        status = value("#f-status")
        return ResidentFilter(category=value("#f-category"), risk=value("#f-risk"), due=value("#f-due"),
                              status=None if status == "all" else status)

    @on(Input.Changed, "#search")
    def _query_changed(self) -> None:
        self._enter_waiting = False
        self._query_typed = True
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self.start_search)

    @on(Input.Submitted, "#search")
    def _query_submitted(self) -> None:
        table = self.query_one(DataTable)
        if self.focused is table and table.row_count:
            # Down then Enter typed ahead: both reached the box (a key goes to what has the focus when it
            # arrives), whose Down moved into the list first (_SearchBox); the person meant the row Down chose
            table.action_select_cursor()
        elif self._loading or self._query_typed:
            # the rows on screen are an earlier query's (typed fast, Enter before the pause): wait for this one's
            self._enter_waiting = True
            if self._query_typed:
                if self._debounce is not None:
                    self._debounce.stop()
                self.start_search()
        else:
            self._enter_on_rows()

    def _enter_on_rows(self) -> None:
        """Enter in the search box: the one resident found is opened (a name typed to open that person took two
        Enters); with several, the list takes the focus to choose among them."""
        self._enter_waiting = False
        table = self.query_one(DataTable)
        if table.row_count == 1 and self._exhausted:
            table.move_cursor(row=0)
            table.action_select_cursor()
        elif table.row_count:
            self.set_focus(table)

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.start_search()

    def start_search(self, keep_cursor: bool = False) -> None:
        self._query_typed = False
        self._generation += 1
        self._loading = True
        self._exhausted = False
        query = self.query_one("#search", Input).value
        self._search(query, self.current_filter(), 0, self._generation, keep_cursor)

    @work(thread=True, exclusive=True, exit_on_error=False, group="residents-search")
    def _search(self, query: str, filters: ResidentFilter, offset: int, generation: int, keep_cursor: bool) -> None:
        try:
            self._read(query, filters, offset, generation, keep_cursor)
        except Exception as exc:
            # a value edited by hand: said, its record named (the worker ends well); text that is not UTF-8, as damage
            known = damage_named(self.app, exc) or as_user_error(exc)
            if known is None:
                raise  # said by on_worker_state_changed
            self.app.call_from_thread(self._not_read, known, generation)

    def _read(self, query: str, filters: ResidentFilter, offset: int, generation: int, keep_cursor: bool) -> None:
        worker = get_current_worker()
        today = self.app.today()
        with self.app.db.session() as s:
            if self._townships is None and at_county(self.app):
                self._townships = township_names(s.connection())
            policy = load_policy(s)
            rows = search_residents(s, query, filters=filters, limit=PAGE, offset=offset, today=today, policy=policy)
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self._show_rows, rows, offset, generation, keep_cursor)
            if offset == 0:
                total = len(rows) if len(rows) < PAGE else count_residents(s, query, filters=filters, today=today,
                                                                           policy=policy)
                if not worker.is_cancelled:
                    self.app.call_from_thread(self._show_total, total, generation)
                warm_for(query)  # after the page: a first letter typed, the full pinyin's table for the next

    def _show_rows(self, rows: list[ResidentRow], offset: int, generation: int, keep_cursor: bool) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        if offset == 0:
            table.clear()
            self._rows_of = generation
        today = self.app.today()
        for row in rows:
            table.add_row(*self._cells(row, today), key=row.id)
        self._exhausted = len(rows) < PAGE
        self._loading = False
        if keep_cursor and offset == 0 and table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        if offset == 0 and not rows:
            self.query_one("#summary", Static).update(self._empty_message())
        elif offset == 0 and not self._exhausted:  # the total is counted next: not the last filter's meanwhile
            self.query_one("#summary", Static).update(_("Counting…"))
        if self._enter_waiting and self.focused is self.query_one("#search", Input):
            self._enter_on_rows()

    def _show_total(self, total: int, generation: int) -> None:
        if generation != self._generation:
            return
        if total:
            self.query_one("#summary", Static).update(
                ngettext("{n} resident", "{n} residents", total).format(n=format_number(total)))

    def _empty_message(self) -> str:
        query = self.query_one("#search", Input).value.strip()
        if query.isdigit() and len(query) < 3:
            return _("Type at least 3 digits of the ID number or phone.")
        return _("No resident matches.")

    def _cells(self, row: ResidentRow, today: dt.date) -> list:
        width = {key: cells for key, _title, cells in self.columns}
        risk = risk_text(row.risk_level)
        if row.status == "closed":
            due = Text(_("Off the register"), style="dim")
        elif row.due_on and row.due_on < today:
            n = (today - row.due_on).days
            due = Text(ngettext("{n} day late", "{n} days late", n).format(n=n), style="bold red")
        else:
            due = Text(format_column_date(row.due_on))
        return [as_text(_cut(row.name, width["name"])), row.masked_id, as_text(self._third(row, width)),
                categories_cell(row.categories, width["cats"]), risk, due]

    def _third(self, row: ResidentRow, width: dict[str, int]) -> str:
        """The third column's text: the grid at a township, the township at a county, else the age."""
        if "grid" in width:
            return row.grid_code.split("-", 1)[-1]
        if "township" in width:
            code = township_of(row.grid_code, "")
            return _cut((self._townships or {}).get(code, code), width["township"])
        return "" if row.age is None else str(row.age)

    @on(DataTable.RowHighlighted)
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if self._loading or self._exhausted or event.cursor_row < table.row_count - 5:
            return
        self._loading = True
        query = self.query_one("#search", Input).value
        self._search(query, self.current_filter(), table.row_count, self._generation, False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._loading = False
            self._enter_waiting = False
            log.error("search failed", exc_info=event.worker.error)
            notify_text(self, _("The search failed: {error}").format(error=event.worker.error), severity="error")

    def _not_read(self, problem: object, generation: int) -> None:
        """Said under the list, as the search's outcome; an earlier search's rows taken away (they stayed under the
        words typed, with their count, as if found), a next page's kept."""
        notify_text(self, problem, severity="error", timeout=60)
        if generation != self._generation:
            return  # a newer search is on its way
        self._loading = self._enter_waiting = False
        if self._rows_of != self._generation:
            self.query_one(DataTable).clear()
        self.query_one("#summary", Static).update(Wrapped(str(problem), style="bold red"))

    # --- actions -------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(ResidentScreen(str(event.row_key.value)))

    def action_focus_search(self) -> None:
        search = self.query_one("#search", Input)
        # the focus moved now, not a turn later (focus()): the letters typed right after `/` go into the box
        self.set_focus(search)
        search.select_all()  # what is typed next is a new search

    def action_focus_filters(self) -> None:
        self.set_focus(self.query_one("#f-category", Select))

    def action_back(self) -> None:
        if self.focused is not None and self.focused.id == "search":
            self.set_focus(self.query_one(DataTable))
        elif len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a county registers no one: its people come in the townships' bundles
        return not (action == "new_resident" and at_county(self.app))

    def action_new_resident(self) -> None:
        def opened(resident_id: str | None) -> None:
            if resident_id:
                self.app.push_screen(ResidentScreen(resident_id))

        self.app.push_screen(ResidentFormScreen(), opened)

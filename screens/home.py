"""Home (today): this month's progress, and who needs a visit; every row opens the resident.

The figures come from storage.register.home.home_data, read in a thread after the first
paint and again whenever the screen comes back (a saved visit changes them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane, Tabs

from screens.home_emergencies import EmergencyPanel, now
from screens.home_lists import WRAPPED, category_width, free_text_width, list_columns, list_rows, short_day, wrapped
from screens.home_progress import compact_for, not_read_text, progress_renderable
from screens.home_tabs import SHORT_WORDS, SHORTER_WORDS, keys_span, tab_labels
from screens.home_waiting import WAITS_FOR, go_on_visit, open_moved_here
from screens.latest import show_if_latest
from screens.worker_errors import damage_named
from storage.core.errors import as_user_error
from storage.core.i18n import N_, _, join_list
from storage.register.home import home_data
from storage.register.home_later import LATER_LISTS, add_later
from tui.as_text import as_text, notify_text
from tui.footer import TranslatedFooter
from tui.formatting import format_number, hours_text
from tui.header import Header
from tui.table import Table

if TYPE_CHECKING:
    from screens.host import ScreenHost

# pane id -> (tab title, the list's full name): the order of the tabs and of the 1..9 keys. A tab's title is a
# word or two, so that all nine tabs fit 80 columns in both languages (the Chinese full names did not, English
# not by far); the open list's full name and its count stand on the line above it.
LISTS: dict[str, tuple[str, str]] = {
    "overdue": (N_("Overdue"), N_("Overdue visits")),
    "due_week": (N_("Week"), N_("Due this week")),
    "high_risk": (N_("Risk"), N_("Emergency and high risk")),
    "referrals": (N_("Referrals"), N_("Open referrals")),
    # the already aged out and those about to, each row saying which: 超龄提醒, not the report's 超龄退出 (a figure of
    # the aged out alone, and of those closed as aged out in the month)
    "ageing_out": (N_("Age-out"), N_("Aged out or about to age out")),
    "recent": (N_("Recent"), N_("Recent visits")),
    "benefits": (N_("Benefits"), N_("Benefits not received, or ending soon")),  # 应享未享, then ending in 30 days
    "unpaired": (N_("Unpaired"), N_("Not paired with a helper")),  # should have a paired helper and do not
    "grids": (N_("Grids"), N_("Progress by grid")),  # township only
}
# the list shown first; the others' tables are built with their rows, after the first figures
# are on screen (styling seven DataTables up front measured ~25 ms of the start-up)
FIRST_LIST = next(iter(LISTS))
SMALL_HEIGHT = 30  # rows: below it the emergencies panel and the progress panel give room to the lists
SCROLLBAR = 2  # cells the lists' vertical scrollbar takes (Textual's scrollbar-size-vertical)


class HomeScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "home.tcss"
    READ_AGAIN_ON_WRITES = True  # another program's writes shown without F5 (tui/outside_changes.py)
    FOOTER_APP_KEYS = True  # Home's footer names ^q and f2 too; other screens leave them to F1 and the palette
    # the cursor starts in the first list, not in the emergencies panel above it (`e` goes there)
    AUTO_FOCUS = f"#t-{FIRST_LIST}"
    BINDINGS = [
        Binding("r", "open('residents')", N_("Residents"), id="home.residents"),
        # `/` searches wherever there is a list, and Home is the first screen a worker looking for someone is on:
        # the register opens with its search box holding what is typed next
        Binding("slash", "open('residents')", N_("Search"), show=False, id="home.search"),
        Binding("n", "open('new_resident')", N_("New resident"), id="home.new_resident"),
        # a clerk registers rarely: the footer's room at 80 columns goes to 报表, and `n` still works (冲突: the
        # screen says "按 c" when there are any; English has no room for both at 80 columns)
        Binding("n", "open_unlisted('new_resident')", N_("New resident"), show=False, id="home.new_resident.clerk"),
        Binding("s", "open('sync')", N_("Sync"), id="home.sync"),
        Binding("c", "open('conflicts')", N_("Conflicts"), show=False, id="home.conflicts"),
        Binding("m", "open('reports')", N_("Reports"), id="home.reports"),
        Binding("a", "acknowledge", N_("Acknowledge"), id="home.acknowledge"),
        Binding("e", "focus_emergencies", N_("Emergencies"), show=False, id="home.emergencies"),
        Binding("p", "open('policy')", N_("Visit policy"), show=False, id="home.policy"),
        Binding("d", "open('devices')", N_("Devices"), show=False, id="home.devices"),
        Binding("v", "open('villages')", N_("Villages"), show=False, id="home.villages"),
        Binding("b", "open('backup')", N_("Backup and restore"), show=False, id="home.backup"),
        Binding("f5", "reload", N_("Refresh"), show=False, id="home.reload"),
        Binding("u", "go_on_visit", N_("Go on with an unsaved visit"), show=False, id="home.draft"),
        Binding("t", "open_moved_here", N_("Open a person moved or registered to this grid"), show=False, id="home.moved_here"),
    ] + [Binding(str(i), f"show_list('{pane}')", names[1], show=False, id=f"home.list.{pane}")
         for i, (pane, names) in enumerate(LISTS.items(), start=1)]

    HELP_SKIP = ("home.list.",)  # the number keys: one row in help_rows

    def help_rows(self) -> list[tuple[str, str]]:
        lists = [p for p in LISTS if p != "grids" or self._role == "township"]
        return [
            (_("Enter"), N_("Open the resident on the highlighted row")),
            (_("Up, Down"), N_("Move in the list")),
            (_("Tab"), N_("To the tabs and back (Left, Right: lists)")),
        ] + ([(_("Enter"), N_("On a grid: its people not visited yet"))] if self._role == "township" else []) + [  # the number keys four to a row: one row would not fit the help at 80 columns
            (keys_span(start, min(start + 3, len(lists))),
             join_list(f"{i} {_(LISTS[p][0])}" for i, p in enumerate(lists[start - 1:start + 3], start=start)))
            for start in range(1, len(lists) + 1, 4)
        ]

    def __init__(self, role: str | None = None, data=None) -> None:
        """`role` and `data` given: pushed with its first figures, before the database is fully open."""
        super().__init__()
        self._first = data
        self._targets: dict[str, dict[str, str]] = {}  # table id -> row key -> resident id
        self._filled_at: dict[str, int] = {}  # a wrapped list (WRAPPED) -> the width it was filled for
        self._role = role or ""
        self.data = None  # the storage.register.home.HomeData shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield EmergencyPanel(id="emergencies")  # at the top, shown while a finding waits for acknowledgement
        yield Static(_("Loading…"), id="progress")
        with TabbedContent(id="lists"):
            for pane, (tab, name) in LISTS.items():
                with TabPane(_(tab), id=pane):
                    yield Static(_(name), id=f"name-{pane}", classes="list-name")
                    if pane == FIRST_LIST:
                        yield _table(pane)
        yield TranslatedFooter()

    def on_mount(self) -> None:
        ident = self.app.identity
        if ident is not None:
            self._role = ident.role
        if self._role != "township":
            self.query_one(TabbedContent).hide_tab("grids")
        if self._first is not None:
            first, self._first = self._first, None
            self._show(first)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_list" and parameters == ("grids",) and self._role != "township":
            return False
        if action == "open" and parameters in (("conflicts",), ("devices",)) and self._role != "township":
            return False
        if action == "open" and parameters == ("new_resident",) and self._role == "township":
            return False  # `n` is the unlisted binding's there
        if action == "open_unlisted":
            return self._role == "township"
        if action in WAITS_FOR:  # only while there is one to go to
            return bool(self.data is not None and getattr(self.data, WAITS_FOR[action]))
        if action == "acknowledge":  # the township acknowledges; a worker's list only waits
            return self._role == "township" and bool(self.data is not None and self.data.emergencies)
        return True

    def on_screen_resume(self) -> None:
        self.title = _("Today")
        self.action_reload()

    def language_changed(self) -> None:
        self.title = _("Today")
        tabs = self.query_one(TabbedContent)
        for pane, (tab, name) in LISTS.items():
            tabs.get_tab(pane).label = _(tab)
            self.query_one(f"#name-{pane}", Static).update(_(name))
        self.action_reload()

    def show_later(self, later) -> None:
        """The figures the start-up's first read left for after the paint (storage/register/home_later.py)."""
        data = self.data
        if data is None or not data.later:  # a full read came in meanwhile
            return
        add_later(data, later)  # in place: the lists not filled yet are filled from the same figures
        self._show_progress()
        self._name_lists(data)
        for pane in LATER_LISTS:
            self._fill(pane, data)

    def database_opened(self) -> None:
        """The full open is done: figures the start-up could not finish reading are read again, whole."""
        if self.data is not None and self.data.later:
            self.action_reload()

    def action_reload(self) -> None:
        if self.app.db is None:  # shown before the full open: the app hands the first figures in
            return
        self._load(self.app.today())

    @work(thread=True, exclusive=True, exit_on_error=False, group="home")
    def _load(self, today) -> None:
        try:
            data = home_data(self.app.db, today)
        except Exception as exc:
            # a damaged file (a power cut, a value edited by hand): said on Home, where b puts a backup back
            damaged = damage_named(self.app, exc) or as_user_error(exc)
            if damaged is None:
                raise  # a bug: the app logs it with its traceback
            self.app.call_from_thread(notify_text, self.app, damaged, severity="error", timeout=60)
            show_if_latest(self.app, self._not_read, damaged)
            return
        show_if_latest(self.app, self._show, data)

    def _not_read(self, problem) -> None:
        """In place of "Loading…" (it stayed beside the notice, as if still reading); an earlier read's lists hidden."""
        self.data = None
        self.query_one("#progress", Static).update(not_read_text(problem))
        self.query_one("#lists").display = self.query_one(EmergencyPanel).display = False
        self.refresh_bindings()

    # --- showing ---------------------------------------------------------------------------------

    def _show(self, data) -> None:
        """Progress and tab counts at once, the open list next, the hidden lists after the paint."""
        self._role, self.data = data.role, data
        self.query_one("#lists").display = True  # (hidden while the figures could not be read: empty, nobody due)
        self._show_emergencies(data)
        self._show_progress()
        tabs = self.query_one(TabbedContent)
        panes = [p for p in LISTS if p != "grids" or data.role == "township"]
        self._name_lists(data)
        if data.role == "township":
            tabs.show_tab("grids")
        active = tabs.active if tabs.active in panes else panes[0]
        self._fill(active, data)
        if self.focused is None or self.focused is self.query_one(Tabs):
            # the cursor starts in the list: Down and Enter work at once (Tab reaches the tab bar)
            self.query_one(f"#t-{active}", DataTable).focus()
        self.call_after_refresh(self.app.first_data_shown)
        self.call_after_refresh(self._fill_rest, [p for p in panes if p != active], data)

    def _name_lists(self, data) -> None:
        """The tabs' words and the lists' names, with their counts (a list read later: none yet)."""
        self._label_tabs()
        for pane in (p for p in LISTS if p != "grids" or data.role == "township"):
            count = len(data.grids) if pane == "grids" else data.counts.get(pane)
            name = _(LISTS[pane][1])
            self.query_one(f"#name-{pane}", Static).update(
                name if count is None else _("{list} ({n})").format(list=name, n=format_number(count)))

    def _show_progress(self) -> None:
        if self.data is None:
            return
        height = self.app.size.height
        panel = self.query_one(EmergencyPanel)
        # a small terminal keeps two findings in view (the list scrolls; `e` goes there), the rest for the lists
        panel.make_room(2 if height < SMALL_HEIGHT else 5)
        emergencies = min(len(self.data.emergencies), panel.rows_in_view) + 2 if panel.display else 0
        compact = compact_for(height - emergencies, len(self.data.by_category))
        self.query_one("#progress", Static).update(progress_renderable(self.data, compact))

    def on_resize(self) -> None:
        self._show_progress()  # bars per category when the terminal is tall enough, two to a line when not
        self._label_tabs()
        if self.data is not None:  # the lists' category column follows the width (whole labels where they fit)
            width = category_width(self.app.size.width)
            for table in list(self.query(DataTable)):
                pane = str(table.id).removeprefix("t-")
                if not str(table.id).startswith("t-"):
                    continue
                # the referral and benefit lists' words and free text are fitted to the width they were filled at
                if ("cat" in table.columns and table.columns["cat"].width != width) \
                        or (pane in self._filled_at and self._filled_at[pane] != self.app.size.width):
                    self._fill(pane, self.data)

    def _label_tabs(self) -> None:
        """Each tab's word, with its list's count as far as the width holds them (screens/home_tabs.py).

        Tabs cut at the right edge hide lists (the township's 未结对 and 网格 were off an 80-column screen), so
        the counts give way first; the line above the open list always has its count.
        """
        if self.data is None:
            return
        tabs = self.query_one(TabbedContent)
        panes = [p for p in LISTS if p != "grids" or self.data.role == "township"]
        words = {p: _(LISTS[p][0]) for p in panes}
        labels = tab_labels(words, {p: self.data.counts.get(p) for p in panes}, self.app.size.width,
                            *({p: _(word) for p, word in tier.items()} for tier in (SHORT_WORDS, SHORTER_WORDS)))
        for pane in panes:
            tabs.get_tab(pane).label = labels[pane]

    def _fill_rest(self, panes: list[str], data) -> None:
        if data is not self.data:  # a newer load came in meanwhile
            return
        for pane in panes:
            self._fill(pane, data)

    def _fill(self, pane: str, data) -> None:
        found = self.query(f"#t-{pane}")
        if found:
            table = found.first(DataTable)
        else:  # a list not shown at first gets its table when first filled
            table = _table(pane)
            self.query_one(f"#{pane}", TabPane).mount(table)  # under the list's name
        cat_width = category_width(self.app.size.width)
        rows = list_rows(pane, data, cat_width, self.app.size.width)
        columns = list_columns(pane, cat_width)
        free = None
        if pane in WRAPPED:  # free text last: wrapped in the room the other columns leave, not run off the screen
            free = free_text_width([title for _k, title, _w in columns], [cells for _r, _i, cells in rows],
                                   self.app.size.width - SCROLLBAR)
            columns[-1] = (columns[-1][0], columns[-1][1], free)
            self._filled_at[pane] = self.app.size.width
        cursor = table.cursor_row
        table.clear(columns=True)
        for key, title_text, width in columns:
            table.add_column(title_text, key=key, width=width)
        targets: dict[str, str] = {}
        for row_key, resident_id, cells in rows:
            if free is not None:
                last = wrapped(str(cells[-1]), free)
                cells = (*cells[:-1], last)
                table.add_row(*(as_text(c) if isinstance(c, str) else c for c in cells), key=row_key,
                              height=max(1, len(last.plain.splitlines())))
            else:
                table.add_row(*(as_text(c) if isinstance(c, str) else c for c in cells), key=row_key)
            if resident_id:
                targets[row_key] = resident_id
        self._targets[pane] = targets
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def _show_emergencies(self, data) -> None:
        panel = self.query_one(EmergencyPanel)
        self._targets["emergencies"] = panel.show(data.emergencies, data.role == "township", short_day)
        self.refresh_bindings()

    def action_focus_emergencies(self) -> None:
        self.set_focus(self.query_one("#t-emergencies", DataTable))

    def action_acknowledge(self) -> None:
        from screens.dialogs import ConfirmScreen

        if self.data is None or not self.data.emergencies:
            return
        e = self.data.emergencies[self.query_one(EmergencyPanel).selected_index(len(self.data.emergencies))]
        age = hours_text(e.age_hours(now()))

        def answer(yes: bool | None) -> None:
            if yes:
                self._acknowledge(e.key)

        self.app.push_screen(ConfirmScreen(_("Acknowledge the emergency of {name} ({grid}), found {age} ago?").format(
            name=e.name, grid=e.grid_code.split("-", 1)[-1], age=age)), answer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="home-ack")
    def _acknowledge(self, key: str) -> None:
        from storage.core.errors import UserError
        from storage.register.emergencies import acknowledge

        try:
            acknowledge(self.app.db, key)
        except UserError as exc:
            self.app.call_from_thread(notify_text, self, exc, severity="error")
            return
        self.app.call_from_thread(notify_text, self, _("Acknowledged; the grid learns of it with its next return bundle."))
        self.app.call_from_thread(self.action_reload)

    @on(DataTable.RowSelected)
    def _open_row(self, event: DataTable.RowSelected) -> None:
        pane = (event.data_table.id or "").removeprefix("t-")
        if pane == "grids":  # a grid: who of it is not visited yet this month, as the report's drill-down lists them
            self._grid_not_visited(str(event.row_key.value))
            return
        resident_id = self._targets.get(pane, {}).get(str(event.row_key.value))
        if resident_id:
            from screens.resident import ResidentScreen  # deferred: Home is up before SQLModel is loaded

            self.app.after_open(lambda: self.app.push_screen(ResidentScreen(resident_id)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="home.grid")
    def _grid_not_visited(self, grid_id: str) -> None:
        from screens.report_list import month_list

        grids: list = self.data.grids if self.data is not None else []
        name = next((g.name for g in grids if g.grid_code == grid_id), grid_id.split("-", 1)[-1])
        screen = month_list(self.app, "grid", grid_id, "visit_rate", N_("Grid"), name)
        self.app.call_from_thread(self.app.push_screen, screen)

    def action_go_on_visit(self) -> None:
        go_on_visit(self.app, self.data)

    def action_open_moved_here(self) -> None:
        open_moved_here(self.app, self.data)

    def action_show_list(self, pane: str) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = pane
        for table in self.query(f"#t-{pane}"):  # none yet before the first figures
            # now, not after the keys already sent on: an Enter typed right after the list's key opens its row
            self.set_focus(table)

    def action_open(self, name: str) -> None:
        self.app.open_screen(name)

    action_open_unlisted = action_open


def _table(pane: str) -> DataTable:
    return Table(id=f"t-{pane}", cursor_type="row", zebra_stripes=True)

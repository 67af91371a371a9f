"""A county's Home: its townships at a glance, the last bundle each sent, emergencies, the month's rate.

Read-mostly: the county merges its townships' bundles and reports; it does not register or visit.
The figures come from storage.reports.county_home (the monthly report's, per township), read in a
thread after the first paint and again when the screen comes back (after a merge).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from screens.home_progress import not_read_text
from screens.latest import show_if_latest
from screens.worker_errors import NotifyWorkerErrors, damage_named
from storage.core.errors import UserError
from storage.core.i18n import N_, _, join_list
from tui.as_text import notify_text
from tui.footer import TranslatedFooter
from tui.header import Header
from tui.line_breaks import Wrapped
from tui.table import Table
from tui.texts import two_lines

TOWNSHIP_COLUMNS = (N_("Township"), N_("Key persons"), N_("Visited"), N_("Visit rate"), N_("Overdue"),
                    N_("Emergency + high risk"), N_("Last bundle"), N_("Missing bundles"))
# a figure's column -> the report's measure whose people Enter lists (the others: those not visited)
FIGURE_OF_COLUMN = {1: "key_persons", 2: "visited", 3: "visit_rate", 4: "overdue", 5: "emergency_high"}
EMERGENCY_COLUMNS = (N_("Name"), N_("ID number"), N_("Township"), N_("Grid"), N_("Risk since"))

if TYPE_CHECKING:
    from screens.host import ScreenHost


class CountyHomeScreen(NotifyWorkerErrors, Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    # its figures that could not be read (a value edited by hand: _load; anything else: here) are said in place of
    # "Loading…", which stayed there without a word: the screen's worker's error reached no one
    LOAD_GROUPS = frozenset({"county_home"})
    CSS_PATH = "county_home.tcss"
    AUTO_FOCUS = "#t-townships"  # not the tabs: Enter on a figure lists its people, from the first keystroke
    READ_AGAIN_ON_WRITES = True  # another program's writes shown without F5 (tui/outside_changes.py)
    BINDINGS = [
        # the county's register, read-only: one person among the townships' 120,000, by name, initials, ID or phone
        Binding("r", "open('residents')", N_("Residents"), id="county_home.residents"),
        Binding("s", "open('sync')", N_("Sync"), id="county_home.sync"),
        Binding("m", "open('reports')", N_("Reports"), id="county_home.reports"),
        # the townships' keys: enroll a township, approve one waiting, revoke one (the county's Devices screen)
        Binding("d", "open('devices')", N_("Townships' keys"), id="county_home.devices"),
        # (a county on PostgreSQL is told its server backs it up: tui/app.py open_screen)
        Binding("b", "open('backup')", N_("Backup and restore"), show=False, id="county_home.backup"),
        Binding("f5", "reload", N_("Refresh"), show=False, id="county_home.reload"),
        Binding("1", "show_list('townships')", N_("Townships"), show=False, id="county_home.list.townships"),
        Binding("2", "show_list('emergencies')", N_("Emergencies"), show=False, id="county_home.list.emergencies"),
    ]

    def help_rows(self) -> list[tuple[str, str]]:
        return [(_("Enter"), N_("Figure: its people. Emergency: the resident")),
                (_("Arrows"), N_("Move from figure to figure"))]

    def __init__(self) -> None:
        super().__init__()
        self.data = None  # the storage.reports.county_home.CountyHome shown
        self._targets: dict[str, str] = {}  # emergency row key -> resident id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading…"), id="progress", markup=False)
        with TabbedContent(id="lists"):
            with TabPane(_("Townships"), id="townships"):
                # titles on two lines ("紧急和/高风险"): all eight columns fit 80, none cut to "Emergency + high ri"
                yield Table(id="t-townships", cursor_type="cell", zebra_stripes=True, header_height=2)
            with TabPane(_("Emergencies"), id="emergencies"):
                yield Table(id="t-emergencies", cursor_type="row", zebra_stripes=True)
        yield TranslatedFooter()

    def on_screen_resume(self) -> None:
        self.title = _("County")
        self.action_reload()

    def language_changed(self) -> None:
        self.title = _("County")
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("townships").label = _("Townships")
        tabs.get_tab("emergencies").label = _("Emergencies")
        self.action_reload()

    def action_reload(self) -> None:
        if self.app.db is not None:
            self._load(self.app.today())

    @work(thread=True, exclusive=True, exit_on_error=False, group="county_home")
    def _load(self, today) -> None:
        from storage.reports.county_home import county_home

        try:
            data = county_home(self.app.db, today)
        except UserError as exc:  # a damaged value, its record named: said as Home says it, the worker ending well
            line = str(damage_named(self.app, exc) or exc)
            self.app.call_from_thread(notify_text, self.app, line, severity="error", timeout=60)
            show_if_latest(self.app, self.load_failed, line)
            return
        show_if_latest(self.app, self._show, data)

    def load_failed(self, line: str) -> None:
        self.data = None
        self.query_one("#progress", Static).update(not_read_text(line))
        self.query_one("#lists").display = False  # (an earlier read's figures, or empty lists: read as none)

    def _show(self, data) -> None:
        self.data = data
        self.query_one("#lists").display = True
        self.query_one("#progress", Static).update(Wrapped(summary_text(data)))
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("townships").label = f"{_('Townships')} {len(data.townships)}"
        tabs.get_tab("emergencies").label = f"{_('Emergencies')} {data.emergency_count}"
        table = self.query_one("#t-townships", DataTable)
        table.clear(columns=True)
        for i, title in enumerate(TOWNSHIP_COLUMNS):
            table.add_column(_(title) if i == 0 else two_lines(_(title)))
        for g in data.townships:
            table.add_row(*township_cells(g, data.today), key=g.code)
        table = self.query_one("#t-emergencies", DataTable)
        table.clear(columns=True)
        for title in EMERGENCY_COLUMNS:
            table.add_column(_(title))
        self._targets = {}
        names = {g.code: g.name for g in data.townships}
        for p in data.emergencies:
            table.add_row(*emergency_cells(p, names), key=p.id)
            self._targets[p.id] = p.id
        self.call_after_refresh(self.app.first_data_shown)

    @on(DataTable.CellSelected, "#t-townships")
    def _drill(self, event: DataTable.CellSelected) -> None:
        """Enter on a township's figure lists the people behind it, as the Reports screen does (its name, its
        last bundle: those not visited this month, the figure a county asks after first)."""
        code = str(event.cell_key.row_key.value)
        # seconds at a county: the line above the figures says so until the list is up (a toast did, and stayed
        # its five seconds over the list and back on Home after it)
        reading = _("Reading {township}'s month…").format(township=self._township_name(code))
        self.query_one("#progress", Static).update(Wrapped(reading))
        self._list(code, FIGURE_OF_COLUMN.get(event.coordinate.column, "visit_rate"))

    def _township_name(self, code: str) -> str:
        townships: list = self.data.townships if self.data is not None else []
        return next((g.name or g.code for g in townships if g.code == code), code)

    @work(thread=True, exclusive=True, exit_on_error=False, group="county_home.drill")
    def _list(self, code: str, measure: str) -> None:
        from screens.report_list import month_list

        try:
            screen = month_list(self.app, "township", code, measure, N_("Township"), self._township_name(code))
            self.app.call_from_thread(self.app.push_screen, screen)
        finally:  # the month's figures again, the list up or the reading failed
            if self.data is not None:
                self.app.call_from_thread(self.query_one("#progress", Static).update, Wrapped(summary_text(self.data)))

    @on(DataTable.RowSelected, "#t-emergencies")
    def _open_resident(self, event: DataTable.RowSelected) -> None:
        resident_id = self._targets.get(str(event.row_key.value))
        if resident_id:
            from screens.resident import ResidentScreen

            self.app.push_screen(ResidentScreen(resident_id))

    def action_show_list(self, pane: str) -> None:
        self.query_one(TabbedContent).active = pane
        self.set_focus(self.query_one(f"#t-{pane}", DataTable))  # now: an Enter typed right after opens its row

    def action_open(self, name: str) -> None:
        self.app.open_screen(name)


# --- what the screen shows (pure: data in, text out) --------------------------------------------------


def summary_text(data) -> str:
    from tui.formatting import format_month, format_number, format_rate

    rate = data.totals.visit_rate
    # figures after their words, as the Chinese has them: "1 key persons" needed no plural then
    return _("{county} · {month}: key persons {n}, visited {visited} ({rate}), overdue {overdue}, "
             "emergencies {emergencies}").format(
        county=data.county_name, month=format_month(data.today), n=format_number(data.totals.key_persons),
        visited=format_number(data.totals.visited), rate=format_rate(rate) if rate is not None else "-",
        overdue=format_number(data.totals.overdue), emergencies=format_number(data.emergency_count))


def township_cells(g, today) -> tuple:
    from tui.formatting import format_ago, format_number, format_rate

    rate = g.visit_rate
    last = format_ago(g.last_bundle.date(), today) if g.last_bundle is not None else _("never")
    missing = join_list(str(n) for n in g.missing[:5]) + ("…" if len(g.missing) > 5 else "")  # 3、5 / 3, 5
    # the name alone (unique in its county; the code is in `gridcare devices --townships` and the report)
    return (g.name or g.code, format_number(g.key_persons), format_number(g.visited),
            format_rate(rate) if rate is not None else "-", format_number(g.overdue),  # as the report: 16.0%
            format_number(g.emergency_high), last, missing)


def emergency_cells(p, names: dict[str, str]) -> tuple:
    from storage.register.idnumbers import mask_id
    from tui.formatting import format_date

    return (p.name, mask_id(p.id_number), names.get(p.township_code, p.township_code), p.grid,
            format_date(p.risk_since))

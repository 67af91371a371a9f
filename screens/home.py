"""Home (today): this month's progress, and who needs a visit; every row opens the resident.

The figures come from storage.register.home.home_data, read in a thread after the first
paint and again whenever the screen comes back (a saved visit changes them).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from babel.dates import format_skeleton
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane, Tabs

from screens.home_emergencies import EmergencyPanel, hours_text, now
from screens.home_progress import compact_for, progress_renderable
from storage.core.i18n import N_, _, babel_locale, current_language, join_list, ngettext
from storage.register.categories import (
    BENEFIT_KINDS,
    REFERRAL_AGENCIES,
    REFERRAL_STATUSES,
    VISIT_METHODS,
    label,
)
from storage.register.home import home_data
from storage.register.idnumbers import mask_id
from tui.as_text import as_text, notify_text
from tui.footer import TranslatedFooter
from tui.formatting import format_ago, format_datetime, format_percent
from tui.texts import categories_cell, risk_text

if TYPE_CHECKING:
    from screens.host import ScreenHost

# pane id -> tab title; the order of the tabs and of the 1..9 keys
LISTS: dict[str, str] = {
    "overdue": N_("Overdue"),
    "due_week": N_("This week"),
    "high_risk": N_("At risk"),
    "referrals": N_("Referrals"),
    "ageing_out": N_("Ageing out"),
    "recent": N_("Recent"),
    "benefits": N_("Benefits due"),  # 应享未享, then benefits ending within 30 days
    "unpaired": N_("Unpaired"),  # should have a paired helper and do not
    "grids": N_("Grids"),  # township only
}
# the list shown first; the others' tables are built with their rows, after the first figures
# are on screen (styling seven DataTables up front measured ~25 ms of the start-up)
FIRST_LIST = next(iter(LISTS))
CATEGORY_WIDTH = 16
SMALL_HEIGHT = 30  # rows: below it the emergencies panel and the progress panel give room to the lists


class HomeScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "home.tcss"
    FOOTER_APP_KEYS = True  # Home's footer names ^q and f2 too; other screens leave them to F1 and the palette
    # the cursor starts in the first list, not in the emergencies panel above it (`e` goes there)
    AUTO_FOCUS = f"#t-{FIRST_LIST}"
    BINDINGS = [
        Binding("r", "open('residents')", N_("Residents"), id="home.residents"),
        Binding("n", "open('new_resident')", N_("New resident"), id="home.new_resident"),
        Binding("s", "open('sync')", N_("Sync"), id="home.sync"),
        Binding("c", "open('conflicts')", N_("Conflicts"), show=False, id="home.conflicts"),
        Binding("m", "open('reports')", N_("Reports"), show=False, id="home.reports"),
        Binding("a", "acknowledge", N_("Acknowledge"), id="home.acknowledge"),
        Binding("e", "focus_emergencies", N_("Emergencies"), show=False, id="home.emergencies"),
        Binding("p", "open('policy')", N_("Visit policy"), show=False, id="home.policy"),
        Binding("d", "open('devices')", N_("Devices"), show=False, id="home.devices"),
        Binding("v", "open('villages')", N_("Villages"), show=False, id="home.villages"),
        Binding("f5", "reload", N_("Refresh"), show=False, id="home.reload"),
    ] + [Binding(str(i), f"show_list('{pane}')", title, show=False, id=f"home.list.{pane}")
         for i, (pane, title) in enumerate(LISTS.items(), start=1)]

    HELP_SKIP = ("home.list.",)  # the number keys: one row in help_rows

    def help_rows(self) -> list[tuple[str, str]]:
        lists = [p for p in LISTS if p != "grids" or self._role == "township"]
        return [
            (_("Enter"), N_("Open the resident on the highlighted row")),
            (_("Up, Down"), N_("Move in the list")),
            (_("Tab"), N_("Move between the list and the tab bar (Left, Right: another list)")),
        ] + [  # the number keys four to a row: one row would not fit the help at 80 columns
            (f"{start}–{min(start + 3, len(lists))}",
             join_list(f"{i} {_(LISTS[p])}" for i, p in enumerate(lists[start - 1:start + 3], start=start)))
            for start in range(1, len(lists) + 1, 4)
        ]

    def __init__(self, role: str | None = None, data=None) -> None:
        """`role` and `data` given: pushed with its first figures, before the database is fully open."""
        super().__init__()
        self._first = data
        self._targets: dict[str, dict[str, str]] = {}  # table id -> row key -> resident id
        self._role = role or ""
        self.data = None  # the storage.register.home.HomeData shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield EmergencyPanel(id="emergencies")  # at the top, shown while a finding waits for acknowledgement
        yield Static(_("Loading…"), id="progress")
        with TabbedContent(id="lists"):
            for pane, title in LISTS.items():
                with TabPane(_(title), id=pane):
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
        if action == "focus_emergencies":
            return bool(self.data is not None and self.data.emergencies)
        if action == "acknowledge":  # the township acknowledges; a worker's list only waits
            return self._role == "township" and bool(self.data is not None and self.data.emergencies)
        return True

    def on_screen_resume(self) -> None:
        self.title = _("Today")
        self.action_reload()

    def language_changed(self) -> None:
        self.title = _("Today")
        tabs = self.query_one(TabbedContent)
        for pane, title in LISTS.items():
            tabs.get_tab(pane).label = _(title)
        self.action_reload()

    def action_reload(self) -> None:
        if self.app.db is None:  # shown before the full open: the app hands the first figures in
            return
        self._load(self.app.today())

    @work(thread=True, exclusive=True, exit_on_error=False, group="home")
    def _load(self, today) -> None:
        data = home_data(self.app.db, today)
        self.app.call_from_thread(self._show, data)

    # --- showing ---------------------------------------------------------------------------------

    def _show(self, data) -> None:
        """Progress and tab counts at once, the open list next, the hidden lists after the paint."""
        self._role, self.data = data.role, data
        self._show_emergencies(data)
        self._show_progress()
        tabs = self.query_one(TabbedContent)
        panes = [p for p in LISTS if p != "grids" or data.role == "township"]
        for pane in panes:
            count = data.counts.get(pane)
            tabs.get_tab(pane).label = _(LISTS[pane]) if count is None else f"{_(LISTS[pane])} {count}"
        if data.role == "township":
            tabs.show_tab("grids")
        active = tabs.active if tabs.active in panes else panes[0]
        self._fill(active, data)
        if self.focused is None or self.focused is self.query_one(Tabs):
            # the cursor starts in the list: Down and Enter work at once (Tab reaches the tab bar)
            self.query_one(f"#t-{active}", DataTable).focus()
        self.call_after_refresh(self.app.first_data_shown)
        self.call_after_refresh(self._fill_rest, [p for p in panes if p != active], data)

    def _show_progress(self) -> None:
        if self.data is None:
            return
        height = self.app.size.height
        panel = self.query_one(EmergencyPanel)
        # a small terminal keeps two findings in view (the list scrolls; `e` goes there), the rest for the lists
        panel.styles.max_height = 4 if height < SMALL_HEIGHT else 7
        emergencies = min(len(self.data.emergencies) + 2, 4 if height < SMALL_HEIGHT else 7) if panel.display else 0
        compact = compact_for(height - emergencies, len(self.data.by_category))
        self.query_one("#progress", Static).update(progress_renderable(self.data, compact))

    def on_resize(self) -> None:
        self._show_progress()  # bars per category when the terminal is tall enough, two to a line when not

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
            self.query_one(f"#{pane}", TabPane).mount(table)
        rows = list_rows(pane, data)
        cursor = table.cursor_row
        table.clear(columns=True)
        for key, title_text, width in list_columns(pane):
            table.add_column(title_text, key=key, width=width)
        targets: dict[str, str] = {}
        for row_key, resident_id, cells in rows:
            table.add_row(*(as_text(c) if isinstance(c, str) else c for c in cells), key=row_key)
            if resident_id:
                targets[row_key] = resident_id
        self._targets[pane] = targets
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def _show_emergencies(self, data) -> None:
        panel = self.query_one(EmergencyPanel)
        self._targets["emergencies"] = panel.show(data.emergencies, data.role == "township", _day)
        self.refresh_bindings()

    def action_focus_emergencies(self) -> None:
        self.query_one("#t-emergencies", DataTable).focus()

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
        resident_id = self._targets.get(pane, {}).get(str(event.row_key.value))
        if resident_id:
            from screens.resident import ResidentScreen  # deferred: Home is up before SQLModel is loaded

            self.app.after_open(lambda: self.app.push_screen(ResidentScreen(resident_id)))

    def action_show_list(self, pane: str) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = pane
        for table in self.query(f"#t-{pane}"):  # none yet before the first figures
            table.focus()

    def action_open(self, name: str) -> None:
        self.app.open_screen(name)


def _table(pane: str) -> DataTable:
    return DataTable(id=f"t-{pane}", cursor_type="row", zebra_stripes=True)


# --- what the lists and the progress panel hold (pure: data in, cells out) -------------------------


def _categories(codes: list[str]) -> str:
    return categories_cell(codes, CATEGORY_WIDTH)


def _day(day) -> str:
    """A short date, "10月9日" / "Oct 9" (the year is this one or the last, clear from context)."""
    if day is None:
        return _("never")
    return _cached_day(day, current_language())


def _ago(day, today) -> str:
    return _cached_ago(day, today, current_language()) if day else _("never")


# Babel formats a few hundred rows slowly; a home list holds few distinct dates
@lru_cache(maxsize=2048)
def _cached_day(day, _lang: str) -> str:
    return format_skeleton("MMMd", day, locale=babel_locale())


@lru_cache(maxsize=2048)
def _cached_ago(day, today, _lang: str) -> str:
    return format_ago(day, today)


def _due(f, today):
    """A referral's deadline; past it, in red with the days overdue."""

    if f.due_on is None:
        return ""
    if f.overdue(today):
        late = (today - f.due_on).days
        return Text(ngettext("{day}, {n} day late", "{day}, {n} days late", late).format(day=_day(f.due_on), n=late),
                    style="bold red")
    return _day(f.due_on)


def list_columns(pane: str) -> list[tuple[str, str, int | None]]:
    """(key, title, width or None for automatic) of a list."""
    columns = {
        "overdue": [("name", N_("Name"), None), ("id", N_("ID number"), None), ("risk", N_("Risk"), None),
                    ("cat", N_("Category"), CATEGORY_WIDTH), ("last", N_("Last visit"), None),
                    ("late", N_("Late"), None)],
        "due_week": [("name", N_("Name"), None), ("id", N_("ID number"), None), ("risk", N_("Risk"), None),
                     ("cat", N_("Category"), CATEGORY_WIDTH), ("due", N_("Due"), None),
                     ("planned", N_("Planned"), None)],
        "high_risk": [("name", N_("Name"), None), ("id", N_("ID number"), None), ("risk", N_("Risk"), None),
                      ("last", N_("Last visit"), None), ("due", N_("Due"), None)],
        "referrals": [("name", N_("Name"), None), ("agency", N_("Referred to"), None),
                      ("status", N_("Status"), None), ("due", N_("Follow up by"), None), ("reason", N_("Reason"), None)],
        "ageing_out": [("name", N_("Name"), None), ("id", N_("ID number"), None),
                       ("cat", N_("Category"), CATEGORY_WIDTH), ("when", N_("Ages out"), None)],
        "recent": [("date", N_("Visit date"), None), ("name", N_("Name"), None), ("method", N_("How"), None),
                   ("visitor", N_("By"), None)],
        "benefits": [("name", N_("Name"), None), ("id", N_("ID number"), None), ("what", N_("What"), None),
                     ("benefit", N_("Assistance or subsidy"), None), ("when", N_("Details"), None)],
        "unpaired": [("name", N_("Name"), None), ("id", N_("ID number"), None),
                     ("cat", N_("Category"), CATEGORY_WIDTH), ("age", N_("Age"), None)],
        "grids": [("grid", N_("Grid"), None), ("visited", N_("Visited"), None), ("share", N_("Rate"), None),
                  ("overdue", N_("Overdue"), None), ("bundle", N_("Last bundle"), None)],
    }[pane]
    return [(key, _(title), width) for key, title, width in columns]


def list_rows(pane: str, data) -> list[tuple[str, str | None, tuple]]:
    """(row key, resident id to open or None, cells) of a list."""
    today = data.today
    if pane in ("overdue", "due_week", "high_risk"):
        keys = [key for key, _title, _width in list_columns(pane)]
        rows = []
        for r in getattr(data, pane):
            cells = {"name": r.name, "id": r.masked_id, "risk": risk_text(r.risk_level), "cat": _categories(r.categories),
                     "last": _day(r.last_seen), "late": str(r.days_overdue), "due": _ago(r.due_on, today),
                     "planned": _ago(r.planned_on, today) if r.planned_on else ""}
            rows.append((r.id, r.id, tuple(cells[k] for k in keys)))
        return rows
    if pane == "referrals":
        return [(f.id, f.resident_id, (f.name, label(REFERRAL_AGENCIES, f.agency), label(REFERRAL_STATUSES, f.status),
                                       _due(f, today), f.reason)) for f in data.referrals]
    if pane == "ageing_out":
        return [(r.id, r.id, (r.name, r.masked_id, _categories(r.categories),
                              _ago(when, today) if when > today else _("aged out ({ago})").format(ago=_ago(when, today))))
                for r, when in data.ageing_out]
    if pane == "recent":
        return [(v.id, v.resident_id, (_day(v.visit_date), v.name, label(VISIT_METHODS, v.method), v.visitor))
                for v in data.recent]
    if pane == "benefits":
        rows = []
        for i, w in enumerate(data.benefits):
            if w.end_on is None:  # 应享未享: the rules' reasons
                what, when = _("Eligible, not receiving"), join_list(_(why) for why in w.why)
            else:
                what, when = _("Ends"), _ago(w.end_on, today)
            rows.append((f"{w.resident_id}:{w.benefit}:{i}", w.resident_id,
                         (w.name, mask_id(w.id_number), what, label(BENEFIT_KINDS, w.benefit), when)))
        return rows
    if pane == "unpaired":
        return [(w.resident_id, w.resident_id, (w.name, mask_id(w.id_number), _categories(w.categories),
                                                "" if w.age is None else str(w.age))) for w in data.unpaired]
    if pane == "grids":
        return [(g.grid_code, None, (g.name, f"{g.progress.visited}/{g.progress.total}",
                                     format_percent(g.progress.share), str(g.progress.overdue),
                                     format_datetime(g.last_bundle, "short") if g.last_bundle else _("none yet")))
                for g in data.grids]
    raise ValueError(pane)

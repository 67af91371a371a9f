"""Grids and their villages: which village each grid is in, and putting a grid in one (Enter).

The clerk assigns every grid of the township (set up before anyone knew the village codes);
a worker sees their own grid. The work is storage/register/villages.py, as `gridcare villages`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from screens.dialogs import OkCancelDialog
from screens.latest import show_if_latest
from screens.read_only import at_county
from storage.core import places
from storage.core.errors import UserError, ValidationError
from storage.core.i18n import N_, _, join_list
from storage.register.villages import GridVillage, grid_villages, known_villages, set_grid_village
from tui.as_text import as_text
from tui.footer import TranslatedFooter
from tui.form_keys import FORM_KEYS, FormKeys
from tui.header import Header
from tui.ordered_keys import TextInput, after_typing
from tui.table import Table

if TYPE_CHECKING:
    from screens.host import ScreenHost


class VillageDialog(FormKeys, OkCancelDialog[tuple[str, str]]):
    """The village's name and (optional) code; Ctrl+S, Enter or OK saves, Esc or Cancel cancels."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        *FORM_KEYS,
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("ctrl+s", "submit", N_("Save"), id="dialog.ok", priority=True),
    ]

    def __init__(self, grid: GridVillage, known: list[tuple[str, str]]):
        super().__init__(classes="dialog")
        self.grid, self.known = grid, known

    def compose(self) -> ComposeResult:
        current = next((name for vid, name in self.known if vid == self.grid.village_id), self.grid.village)
        code = self.grid.village_id if self.grid.village_id.isdigit() else ""
        with Vertical(id="dialog"):
            yield Static(as_text(_("Village of grid {grid} ({name})").format(grid=self.grid.grid_code,
                                                                            name=self.grid.grid_name)), id="dialog-title")
            with Horizontal(classes="field"):
                yield Label(_("Village"), classes="field-label")
                yield TextInput(current, id="village_name", compact=True)
            with Horizontal(classes="field"):
                yield Label(_("Village code"), classes="field-label")
                yield TextInput(code, placeholder=_("12 digits, if you know it"), id="village_code", compact=True)
            yield Label("", id="village-error", classes="error")
            if self.known:
                yield Static(as_text(_("Villages already known: {names}").format(
                    names=join_list(name for _vid, name in self.known[:12]))), id="dialog-message")
            yield self.ok_cancel()  # the screen's footer stays below a dialog: how to save was said nowhere

    def enter_submits(self, box: Input) -> bool:
        return box.id != "village_name"  # from the name Enter moves on to the code

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @after_typing
    def action_submit(self) -> None:
        name = self.query_one("#village_name", Input).value.strip()
        code = self.query_one("#village_code", Input).value.strip()
        try:  # storage's own checks, while the dialog is open: a wrong code closed it, and the clerk typed it all again
            places.check_village(self.grid.grid_id.split("-", 1)[0], name, code)
        except ValidationError as exc:
            self.query_one("#village-error", Label).update(as_text(exc.message))
            self.query_one(f"#{exc.field}", Input).focus()
            return
        self.dismiss((name, code))



class VillagesScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "villages.tcss"
    BINDINGS = [
        Binding("enter", "assign", N_("Set the village"), id="villages.assign", priority=True),
        Binding("escape", "back", N_("Back"), id="villages.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, GridVillage] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Each grid's village, as its township set it: the monthly report counts by village.")
                     if at_county(self.app) else
                     _("Each grid's village: the monthly report counts by village. Enter sets the highlighted grid's."),
                     id="villages-intro")
        yield Table(id="grids", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("Villages")
        table = self.query_one(DataTable)
        for key, title in (("grid", N_("Grid")), ("name", N_("Grid name")), ("worker", N_("Worker")),
                           ("village", N_("Village"))):
            table.add_column(_(title), key=key)
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="villages-load")
    def _load(self, status: str = "") -> None:
        rows, known = grid_villages(self.app.db), known_villages(self.app.db)
        show_if_latest(self.app, self._show, rows, known, status)

    def _show(self, rows: list[GridVillage], known: list[tuple[str, str]], status: str) -> None:
        self._known = known
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        self._rows = {g.grid_id: g for g in rows}
        for g in rows:
            table.add_row(as_text(g.grid_code), as_text(g.grid_name), as_text(g.worker),
                          as_text(g.village or _("(no village yet)")), key=g.grid_id)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        table.focus()
        self.query_one("#status", Static).update(as_text(status))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_assign()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "assign" and at_county(self.app))  # the township puts its grids in villages

    def action_assign(self) -> None:
        table = self.query_one(DataTable)
        if not self._rows or table.row_count == 0 or at_county(self.app):  # (Enter on a row comes here too)
            return
        grid = self._rows[str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)]

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self._assign(grid, *answer)

        self.app.push_screen(VillageDialog(grid, getattr(self, "_known", [])), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="villages-write")
    def _assign(self, grid: GridVillage, name: str, code: str) -> None:
        try:
            set_grid_village(self.app.db, grid.grid_id, name or None, code or None)
        except ValidationError as exc:
            status = exc.message
        except UserError as exc:
            status = str(exc)
        else:
            status = _("Grid {grid} is now in {village}.").format(grid=grid.grid_code, village=name or code)
        self.app.call_from_thread(self._load, status)

    def action_back(self) -> None:
        self.app.pop_screen()

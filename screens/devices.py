"""Devices: at a township, enroll a worker's device, approve a waiting one, revoke a lost laptop; at a county,
the same for its townships (each township's database is one device to the county).

What `gridcare enroll` and `gridcare devices` do, through the same storage functions (storage/sync/devices.py,
storage/sync/county_trust.py for a county); the screen collects the choice and shows the result.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import Worker, WorkerState

from screens.devices_codes import CodeAndKeyActions
from screens.dialogs import OkCancelDialog
from screens.latest import show_if_latest
from storage.core.errors import UserError, ValidationError
from storage.core.i18n import N_, _
from tui.footer import TranslatedFooter
from tui.form_keys import FORM_KEYS, FormKeys
from tui.formatting import format_moment
from tui.header import Header
from tui.line_breaks import Wrapped
from tui.ordered_keys import TextInput
from tui.table import Table
from tui.texts import (
    approved_beside_text,
    codes_unused_text,
    describe_outcome,
    describe_totals,
    device_columns,
    device_rows,
    other_key_notes,
)

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)


class EnrollScreen(FormKeys, OkCancelDialog[tuple[str, str]]):
    """Ask for the grid and the worker's name (a county: the township's code and name); the result is
    (grid or township, worker or township name)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [*FORM_KEYS, Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
                Binding("ctrl+s", "submit", N_("OK"), id="dialog.ok")]

    def __init__(self, grid: str = "", *, county: bool = False):
        super().__init__(classes="dialog")
        self.grid, self.county = grid, county

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            if self.county:
                yield Static(_("A one-time enrollment code for a township"), id="dialog-title")
                yield Label(_("Township code (9 digits)"))
                yield TextInput(self.grid, placeholder=_("e.g. 330521101"), id="grid")
                yield Label(_("Township name"))
            else:
                yield Static(_("A one-time enrollment code for a worker's new device"), id="dialog-title")
                yield Label(_("Grid code"))
                yield TextInput(self.grid, placeholder=_("e.g. G03"), id="grid")
                yield Label(_("Worker"))
            yield TextInput(id="worker")
            yield Label("", id="enroll-error", classes="error")
            yield self.ok_cancel()

    def on_mount(self) -> None:
        self.query_one("#worker" if self.grid else "#grid", Input).focus()

    def enter_submits(self, box: Input) -> bool:
        return box.id != "grid"  # from the grid's code Enter moves on to the worker's name

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        grid = self.query_one("#grid", Input).value.strip()
        worker = " ".join(self.query_one("#worker", Input).value.split())
        if not grid or not worker:
            self.query_one("#enroll-error", Label).update(_("Give the township's code and name.") if self.county
                                                          else _("Give the grid and the worker's name."))
            self.query_one("#grid" if not grid else "#worker", Input).focus()
            return
        if not self.county:
            from storage.sync.grid_codes import code_for_a_name

            problem = code_for_a_name(worker)
            if problem:
                self.query_one("#enroll-error", Label).update(problem)
                self.query_one("#grid", Input).focus()
                return
        self.dismiss((grid, worker))


class DevicesScreen(CodeAndKeyActions, Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "devices.tcss"
    BINDINGS = [
        Binding("n", "enroll", N_("New code"), id="devices.enroll"),
        Binding("a", "approve", N_("Approve"), id="devices.approve"),
        Binding("r", "revoke", N_("Revoke/reject"), id="devices.revoke"),
        Binding("w", "withdraw", N_("Withdraw"), id="devices.withdraw"),
        Binding("k", "key_file", N_("Key file"), show=False, id="devices.key_file"),
        Binding("f5", "reload", N_("Refresh"), show=False, id="devices.reload"),
        Binding("escape", "back", N_("Back"), id="devices.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: list = []
        self.codes: list = []  # enrollment codes not used yet (what `w` offers to withdraw)
        self.county = False  # a county's devices are its townships' databases: set from the app's identity
        # opened from Home's "devices wait for approval (d)": the cursor starts on the first one waiting, so that a
        # approves it (walk cwalk: with a township's 40 laptops enrolled above it, it was off the 80×24 screen)
        self._to_waiting = True
        self.code_line = ""  # the code just made: it is not kept anywhere, so writing the key file after it keeps it

    def compose(self) -> ComposeResult:
        ident = getattr(self.app, "identity", None)
        self.county = ident is not None and ident.role == "county"
        yield Header()
        yield Static(self._intro(), id="intro")
        yield Table(id="devices", cursor_type="row", zebra_stripes=True)
        yield Static("", id="codes")
        yield Static("", id="result")
        yield TranslatedFooter()

    def _intro(self) -> str:
        if self.county:
            return _("Bundles are merged only from townships enrolled with the county. A township whose bundle came "
                     "without a valid code waits here: check its key fingerprint with its clerk before approving it.")
        return _("Bundles are merged only from devices enrolled for their grid. A device that came without a valid "
                 "code waits here: check its key fingerprint with the worker before approving it.")

    def language_changed(self) -> None:
        """Called by the app after a language switch (F2): the words again, the rows and codes read again."""
        self.title = _("Townships' keys") if self.county else _("Devices")
        self.query_one("#intro", Static).update(self._intro())
        table = self.query_one("#devices", DataTable)
        for column, title in zip(table.columns.values(), device_columns(county=self.county, screen=True), strict=True):
            column.label = Text(title)
        self._load()

    def on_mount(self) -> None:

        self.title = _("Townships' keys") if self.county else _("Devices")
        table = self.query_one("#devices", DataTable)
        for title in device_columns(county=self.county, screen=True):
            table.add_column(title)
        self._load()
        table.focus()

    # --- loading ---------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="devices-load")
    def _load(self, status: str = "") -> None:
        from storage.sync.devices import enrollments, list_devices

        db = self.app.db
        show_if_latest(self.app, self._show, list_devices(db), enrollments(db), status)

    def _show(self, views, codes, status: str) -> None:
        from storage.core.text import printable

        self.views, self.codes = views, codes
        table = self.query_one("#devices", DataTable)
        table.clear()
        for row, view in zip(device_rows(views, screen=True, today=self.app.today()), views, strict=True):
            table.add_row(*row, key=f"{view.status}:{view.device_id}:{view.fingerprint}")
        waiting = [i for i, view in enumerate(views) if view.status == "waiting"]
        if self._to_waiting and waiting:
            table.move_cursor(row=waiting[0])
            self._to_waiting = False
        lines = other_key_notes(views) if self.county else []
        lines += [_("Enrollment codes not used yet:")] if codes else []
        line = _("  township {township} {name}, made {date}") if self.county else _("  grid {grid}, {worker}, made {date}")
        lines += [line.format(grid=e.grid_code, township=e.grid_code, worker=printable(e.worker, limit=20),
                              name=printable(e.worker, limit=20), date=format_moment(e.created_at, self.app.today()))
                  for e in codes]
        self.query_one("#codes", Static).update(Wrapped("\n".join(lines)))
        if not views and not status:
            status = (_("No townships yet: press n to make an enrollment code for a township.") if self.county
                      else _("No devices yet: press n to make an enrollment code for a worker."))
        self.query_one("#result", Static).update(Wrapped(status))

    def action_reload(self) -> None:
        self._load()

    def _current(self):
        table = self.query_one("#devices", DataTable)
        if not self.views or table.cursor_row is None or not 0 <= table.cursor_row < len(self.views):
            return None
        return self.views[table.cursor_row]

    def _say(self, text: str) -> None:
        self.query_one("#result", Static).update(Wrapped(text))  # never "：" at the start of a line

    # --- the clerk's actions -----------------------------------------------------------

    def action_enroll(self) -> None:
        current = self._current()
        # a worker's new laptop is often for a grid listed (its code filled in); a county's code is for a township
        # not enrolled yet, so its box starts empty
        start = current.grid_code if current and not self.county else ""
        self.app.push_screen(EnrollScreen(start, county=self.county), self._enroll_chosen)

    def _enroll_chosen(self, answer: tuple[str, str] | None) -> None:
        if answer:
            self._enroll(*answer)

    @work(thread=True, exclusive=True, exit_on_error=False, group="devices-act")
    def _enroll(self, grid: str, worker: str) -> None:
        from storage.core.text import printable
        from storage.sync.county_trust import enroll_township
        from storage.sync.devices import enroll, enrollments, list_devices

        db = self.app.db
        try:
            code, view = enroll_township(db, grid, worker) if self.county else enroll(db, grid, worker)
        except (UserError, ValidationError) as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        if self.county:
            text = _("Enrollment code for township {township} {name}: {code}").format(
                township=view.grid_code, name=printable(view.worker, limit=20), code=code) + "\n" + _(
                "Give it to the township's clerk with the county's key file (k writes it to a folder). It works "
                "once, for this township only, and is not kept: if it is lost, make another.")
            self.code_line = text.split("\n", 1)[0]
            self.app.call_from_thread(self._show, list_devices(db), enrollments(db), text)
            return
        text = _("Enrollment code for {worker}, grid {grid}: {code}").format(
            worker=printable(view.worker, limit=20), grid=view.grid_code, code=code) + "\n" + _(
            "Read it to the worker, who types it when setting up the laptop. It works once, for this grid only, and "
            "is not kept: if it is lost, make another.") + "\n" + _(
            "The laptop also needs this township's key file: k writes it to a folder (the USB stick).")
        self.code_line = text.split("\n", 1)[0]
        self.app.call_from_thread(self._show, list_devices(db), enrollments(db), text)

    def action_approve(self) -> None:
        from screens.dialogs import ConfirmScreen
        from storage.core.text import printable

        view = self._current()
        if view is None or view.status not in ("waiting", "revoked"):
            self._say(_("Choose a township awaiting approval (or a revoked one) first.") if self.county
                      else _("Choose a device awaiting approval (or a revoked one) first."))
            return
        if self.county and view.other_keys:  # not a new township: an impostor, or its replaced computer
            from storage.sync.county_trust import other_keys_text

            question = other_keys_text(view.grid_code, view.other_keys, view.fingerprint) + "\n\n" + _(
                "Approve this other key of township {township} ({name})? Check its key fingerprint with the "
                "township's clerk first:").format(township=printable(view.grid_code, limit=16),
                                                  name=printable(view.unit_name or view.worker, limit=20))
        elif self.county:
            question = _("Approve the key of township {township} ({name})? Check its key fingerprint with the "
                         "township's clerk first:").format(township=printable(view.grid_code, limit=16),
                                                            name=printable(view.worker, limit=20))
        else:
            question = _("Approve device {device} ({worker}) for grid {grid}? Check its key fingerprint with the worker "
                         "first:").format(device=printable(view.device_id[:8]), worker=printable(view.worker, limit=20),
                                          grid=printable(view.grid_code, limit=16))
        # on a line of its own: folded inside the sentence at 80 columns, its four groups were read across two lines
        question += "\n\n    " + view.fingerprint

        def answered(yes: bool | None) -> None:
            if yes:
                self._approve(view.fingerprint.replace(" ", ""), view.grid_code)

        self.app.push_screen(ConfirmScreen(question, yes=_("Approve"), no=_("Cancel")), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="devices-act")
    def _approve(self, ident: str, grid: str) -> None:
        from storage.sync.county_trust import approve_township
        from storage.sync.devices import approve, enrollments, list_devices
        from storage.sync.merge import merge_paths

        db = self.app.db
        try:  # a county's row names the township its key speaks for, as `devices approve ID --township CODE`
            view, files = approve_township(db, ident, grid) if self.county else approve(db, ident, grid)
        except (UserError, ValidationError) as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        lines = [_("Township {township} approved: its bundles are merged from now on.").format(township=view.grid_code)
                 if self.county else
                 _("Device {device} approved for grid {grid}.").format(device=view.device_id[:8], grid=view.grid_code)]
        if view.codes_unused:
            lines.append(codes_unused_text(view))
        if view.other_keys:
            lines.append(approved_beside_text(view))
        if files:
            report = merge_paths(db, files)
            lines += [describe_outcome(b) for b in report.bundles] + describe_totals(report)
        self.app.call_from_thread(self._show, list_devices(db), enrollments(db), "\n".join(lines))

    def action_revoke(self) -> None:
        from screens.dialogs import ConfirmScreen
        from storage.core.text import printable

        view = self._current()
        if view is None or view.status not in ("approved", "waiting"):
            self._say(_("Choose an approved township or one awaiting approval first.") if self.county
                      else _("Choose an approved device or one awaiting approval first."))
            return
        if self.county and view.status == "approved":
            question = _("Revoke the key of township {grid} ({worker})? Its bundles are refused from now on, and "
                         "bundles for it are no longer encrypted to that key.")
        elif self.county:
            question = _("Reject the key of township {grid} ({worker})? Its bundles are refused.")
        elif view.status == "approved":
            question = _("Revoke device {device} ({worker}, grid {grid})? Its bundles are refused from now on, and "
                         "bundles for the grid are no longer encrypted to it.")
        else:
            question = _("Reject device {device} ({worker}, grid {grid})? Its bundles are refused.")
        question = question.format(device=printable(view.device_id[:8]), worker=printable(view.worker, limit=20),
                                   grid=printable(view.grid_code, limit=16))

        def answered(yes: bool | None) -> None:
            if yes:
                self._revoke(view.fingerprint.replace(" ", ""))

        self.app.push_screen(ConfirmScreen(question, yes=_("Revoke") if view.status == "approved" else _("Reject"),
                                           no=_("Cancel"), danger=True), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="devices-act")
    def _revoke(self, ident: str) -> None:
        from storage.sync.devices import enrollments, list_devices, revoke

        db = self.app.db
        try:
            view = revoke(db, ident)
        except UserError as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        if self.county:
            text = (_("Township {township}'s key revoked.") if view.status == "revoked" else
                    _("Township {township}'s key rejected.")).format(township=view.grid_code)
        else:
            text = (_("Device {device} revoked.") if view.status == "revoked" else _("Device {device} rejected.")).format(
                device=view.device_id[:8])
        self.app.call_from_thread(self._show, list_devices(db), enrollments(db), text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group.startswith("devices"):
            from storage.core.errors import as_user_error

            known = as_user_error(event.worker.error)
            if known is None:
                log.error("devices worker failed", exc_info=event.worker.error)
            self._say(str(known) if known else _("Something went wrong; nothing was half-written. The details are "
                                                 "in the log file."))

    def action_back(self) -> None:
        self.app.pop_screen()

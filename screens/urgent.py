"""After an emergency finding: the short report for the township, on the clipboard and in a file,
and a one-key export of everything not yet sent (the urgent records with it).

"Export now" is the ordinary incremental export (docs/bundle-format.md): a bundle of only the
urgent events would leave the township holding a visit whose resident, registered the same day,
travels in the next bundle, and would break the rule that each bundle carries what the device had
not exported before. What is pending is small, so the whole of it goes now.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static, TextArea
from textual.worker import Worker, WorkerState

from screens.dialogs import LanguageAfterDialog
from storage.core.errors import UserError
from storage.core.i18n import N_, _, ngettext
from storage.register.urgent_report import UrgentReport
from tui.as_text import notify_text
from tui.footer import TranslatedFooter
from tui.ordered_keys import TextBox, TextInput, after_typing

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)


class UrgentReportScreen(LanguageAfterDialog[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "urgent.tcss"
    BINDINGS = [
        Binding("x", "export", N_("Export now"), id="urgent.export"),
        Binding("ctrl+s", "export", N_("Export now"), show=False, id="urgent.export-save", priority=True),
        Binding("c", "copy", N_("Copy again"), id="urgent.copy"),
        Binding("escape", "close", N_("Close"), id="urgent.close"),
    ]

    def __init__(self, report: UrgentReport, saved_to: Path, *, can_export: bool = True) -> None:
        super().__init__(classes="dialog")
        self.report = report
        self.saved_to = saved_to
        self.can_export = can_export

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("Emergency: report it to the township now"), id="dialog-title")
            yield TextBox(self.report.text, id="report", read_only=True, soft_wrap=True, compact=True)
            yield Static(Text(_("Copied to the clipboard (where the terminal allows it); also saved as {path}").format(
                path=self.saved_to)), id="saved")
            if self.can_export:
                with Horizontal(id="export-row"):
                    yield Label(_("Export to"), id="folder-label")
                    yield TextInput(id="folder", compact=True)
            yield Static("", id="result")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.app.copy_to_clipboard(self.report.text)
        self.query_one("#report", TextArea).focus()
        if self.can_export:
            self._suggest_folder()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return self.can_export
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="urgent-folder")
    def _suggest_folder(self) -> None:
        from storage.sync.folder import suggested_folder

        folder = suggested_folder(self.app.db, "export")
        self.app.call_from_thread(self._set_folder, folder)

    def _set_folder(self, folder: Path) -> None:
        widget = self.query_one("#folder", Input)
        if not widget.value:
            widget.value = str(folder)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.report.text)
        notify_text(self, _("Copied to the clipboard."))

    @after_typing
    def action_export(self) -> None:
        if not self.can_export or any(w.is_running for w in self.workers if w.group == "urgent-export"):
            return
        folder = Path(self.query_one("#folder", Input).value.strip() or ".").expanduser()
        self.query_one("#result", Static).update(_("Working…"))
        self._export(folder)

    @work(thread=True, exclusive=True, exit_on_error=False, group="urgent-export")
    def _export(self, folder: Path) -> None:
        from storage.sync.export import export_bundle

        try:
            result = export_bundle(self.app.db, folder)
        except UserError as exc:
            self.app.call_from_thread(self._show_result, str(exc))
            return
        text = ngettext("Bundle {seq} written: {file} ({n} change). Send it to the township now.",
                        "Bundle {seq} written: {file} ({n} changes). Send it to the township now.",
                        result.events).format(seq=result.seq, file=result.path.name, n=result.events)  # (its folder: above)
        self.app.call_from_thread(self._show_result, text)

    def _show_result(self, text: str) -> None:
        result = self.query_one("#result", Static)
        result.update(Text(text))
        # at 80×24 a long report left "send it to the township now" below the dialog's last row: it scrolls to it
        self.call_after_refresh(result.scroll_visible, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            log.error("urgent report: %s failed", event.worker.name, exc_info=event.worker.error)
            self._show_result(_("Something went wrong; nothing was half-written. The details are in the log file."))

"""The Devices screen's codes and key file: withdraw an enrollment code not used yet (w), and write this township's
(county's) public key file again for a new worker or township (k)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work

from storage.core.errors import UserError
from storage.core.i18n import _
from tui.formatting import format_moment
from tui.texts import withdrawn_text

if TYPE_CHECKING:
    from screens.host import ScreenHost


class CodeAndKeyActions:
    """Mixed into DevicesScreen, which gives `county`, `codes`, `_say()` and `_show()`."""

    app: ScreenHost
    county: bool
    codes: list
    code_line: str
    _say: Callable[[str], None]
    _show: Callable[..., Any]

    def action_withdraw(self) -> None:
        """Withdraw a code not used yet (a note that went astray, a worker who will not come): chosen from a list."""
        from screens.dialogs import Choice, ChooseScreen
        from storage.core.text import printable

        if not self.codes:
            self._say(_("No enrollment code is waiting to be used."))
            return
        codes = {e.id: e for e in self.codes}
        choices = [(f"{e.grid_code} · {printable(e.worker, limit=20)} · {format_moment(e.created_at, self.app.today())}", e.id)
                   for e in self.codes]

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                code = codes[choice.code]
                self._withdraw(code.grid_code, code.worker, choice.reason)

        self.app.push_screen(ChooseScreen(_("Withdraw which enrollment code? A device set up with it afterwards waits "
                                            "for your approval."), choices, reason_label=_("Why (optional)"),
                                          reason_required=False), chosen)

    def action_key_file(self) -> None:
        """This township's (county's) public key file, written to a folder (a USB stick) for a new worker: the one
        written at set-up is easily lost, and a worker cannot be set up without it."""
        from screens.path_picker import PathPickerScreen

        def picked(folder: Path | None) -> None:
            if folder is not None:
                self._write_key(folder)

        self.app.push_screen(PathPickerScreen(_("Folder to write the public key file to (e.g. the USB stick)"),
                                              None), picked)

    @work(thread=True, exclusive=True, exit_on_error=False, group="devices-act")
    def _write_key(self, folder: Path) -> None:
        from storage.core.identity import write_own_public_key

        try:
            written, _text = write_own_public_key(self.app.db, folder)
        except UserError as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        except OSError as exc:  # a stick pulled out, a folder not writable: said, nothing else happens
            self.app.call_from_thread(self._say_with_code, _(
                "The key file cannot be written to {folder} ({error}).").format(folder=folder, error=exc.strerror or exc))
            return
        self.app.call_from_thread(self._say_with_code, _(
            "Public key file written: {file}. Give it to the new worker with the enrollment code.").format(
            file=written) if not self.county else _(
            "Public key file written: {file}. Give it to the township with the enrollment code.").format(file=written))

    def _say_with_code(self, text: str) -> None:
        """`text` under the code just made: the message after n says "k writes it to a folder", and the code is kept
        nowhere, so the clerk who did as told lost it from the screen before reading it out (walked, h-clerk)."""
        self._say("\n".join(line for line in (self.code_line, text) if line))

    @work(thread=True, exclusive=True, exit_on_error=False, group="devices-act")
    def _withdraw(self, unit: str, worker: str, reason: str) -> None:
        from storage.sync.devices import enrollments, list_devices, withdraw_codes

        db = self.app.db
        try:
            views = withdraw_codes(db, unit, worker, reason=reason)
        except UserError as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        self.code_line = ""  # (the one just made may be the one withdrawn: never shown again as if it worked)
        self.app.call_from_thread(self._show, list_devices(db), enrollments(db), withdrawn_text(views))

"""The resident's paired helper (结对帮扶人): name, phone, unit, since when. Ctrl+S saves; Ctrl+D ends the pairing.

The work is storage.register.pairing's; the form shows its errors beside the fields.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from screens.dialogs import ConfirmScreen, Dialog
from screens.form import SavingDialog
from storage.core.i18n import N_, _
from storage.register.pairing import shown_helper
from tui.as_text import as_text
from tui.date_input import DateInput
from tui.form_keys import FORM_KEYS, FormKeys
from tui.ordered_keys import TextInput, after_typing

if TYPE_CHECKING:
    from screens.host import ScreenHost

FIELDS = ("helper_name", "helper_phone", "helper_unit", "helper_since")


class PairedHelperScreen(FormKeys, SavingDialog, Dialog[bool | None]):
    """Dismissed with True once saved (or the pairing ended), None if cancelled."""
    app: ScreenHost  # the app it runs in: screens/host.py

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        *FORM_KEYS,
        Binding("ctrl+s", "save", N_("Save"), id="paired-helper.save", priority=True),
        Binding("ctrl+d", "unpair", N_("End the pairing"), id="paired-helper.unpair", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="paired-helper.cancel"),
    ]

    def __init__(self, resident):
        super().__init__(classes="dialog")
        self.resident = resident
        self._saving = False
        self._shown = shown_helper(resident)  # a field left as it opened is not written over a merge since

    def compose(self) -> ComposeResult:
        r = self.resident
        since = r.helper_since.isoformat() if r.helper_since else ("" if r.helper_name else self.app.today().isoformat())
        rows = (("helper_name", _("Paired helper"), r.helper_name, ""),
                ("helper_phone", _("Phone"), r.helper_phone, ""),
                ("helper_unit", _("Unit"), r.helper_unit, _("e.g. the village committee, the township school")),
                ("helper_since", _("Paired since"), since, ""))
        with Vertical(id="dialog"):
            yield Static(as_text(_("Paired helper of {name}").format(name=r.name)), id="dialog-title")
            for name, title, value, placeholder in rows:
                yield Label(title)
                if name == "helper_since":  # a date as people type it, with what was understood under it
                    widget = DateInput(value or "", field=name, id=name, compact=True)
                    yield widget
                    yield widget.understood_label()
                else:  # compact fields: the dialog with its buttons fits 24 rows
                    yield TextInput(value or "", id=name, placeholder=placeholder, compact=True)
                yield Label("", id=f"err-{name}", classes="error")
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Save"), id="save", variant="primary")
                if r.helper_name:
                    yield Button(_("End the pairing"), id="unpair", variant="error")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#helper_name", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unpair" and not self.resident.helper_name:
            return False
        return True

    def enter_submits(self, box: Input) -> bool:
        return box.id == "helper_since"

    @on(Input.Submitted, "#helper_since")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "unpair":
            self.action_unpair()
        else:
            self.dismiss(None)

    @after_typing
    def action_save(self) -> None:
        self.save(partial(self._write, {name: self.query_one(f"#{name}", Input).value.strip() for name in FIELDS},
                          self.app.today()))

    def action_unpair(self) -> None:
        if not self.resident.helper_name:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.save(partial(self._write, None, self.app.today()))

        self.app.push_screen(ConfirmScreen(_("End the pairing of {name} with {helper}?").format(
            name=self.resident.name, helper=self.resident.helper_name), danger=True), answer)

    def _write(self, values: dict[str, str] | None, today: dt.date) -> bool:
        """In the save worker: the helper set, or (values None) the pairing ended."""
        from storage.register.pairing import end_pairing, set_paired_helper

        if values is None:
            end_pairing(self.app.db, self.resident.id, today=today, shown_name=self._shown["helper_name"])
        else:
            set_paired_helper(self.app.db, self.resident.id, values["helper_name"], values["helper_phone"],
                              values["helper_unit"], values["helper_since"] or None, today=today, shown=self._shown)
        return True

"""Recording a benefit period (kind, from, until, note), or ending one: a small form over the resident's page.

The work is storage.register.benefits' (record_benefit, end_benefit); the form shows its
errors beside the fields and is dismissed with the record's id once saved.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from screens.dialogs import Dialog
from screens.form import SavingDialog
from storage.core.i18n import N_, _
from storage.register.categories import BENEFIT_KINDS, label
from tui.date_input import DateInput
from tui.form_keys import FORM_KEYS, FormKeys
from tui.ordered_keys import TextInput, after_typing

if TYPE_CHECKING:
    from screens.host import ScreenHost

FIELDS = ("kind", "start_on", "end_on", "note")


class BenefitFormScreen(FormKeys, SavingDialog, Dialog[str | None]):
    """New period for `resident_id` (kind preset to `kind`), or the end of `benefit` (a Benefit row)."""
    app: ScreenHost  # the app it runs in: screens/host.py

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        *FORM_KEYS,
        Binding("ctrl+s", "save", N_("Save"), id="benefit-form.save", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="benefit-form.cancel"),
    ]

    def __init__(self, resident_id: str, *, kind: str | None = None, benefit=None):
        super().__init__(classes="dialog")
        self.resident_id = resident_id
        self.kind = kind
        self.benefit = benefit  # given: only its end is asked for
        self._saving = False

    def compose(self) -> ComposeResult:
        today = self.app.today().isoformat()
        with Vertical(id="dialog"):
            if self.benefit is None:
                yield Static(_("Record an assistance status or subsidy"), id="dialog-title")
                yield Label(_("Assistance or subsidy"))
                # one line, as the referral's choices: at 80×24 an error under a date (three lines in English) put
                # the buttons below the screen
                yield Select([(_(v), k) for k, v in BENEFIT_KINDS.items()], prompt=_("Choose…"), id="kind",
                             value=self.kind if self.kind in BENEFIT_KINDS else Select.NULL, compact=True)
                yield Label("", id="err-kind", classes="error")
                yield Label(_("From (empty if not known)"))
                yield from _date_field(today, "start_on")
                yield Label(_("Until (empty while it lasts)"))
                yield from _date_field("", "end_on")
                yield Label(_("Note (optional)"))
                yield TextInput("", id="note", compact=True)
                yield Label("", id="err-note", classes="error")
            else:
                b = self.benefit
                yield Static(_("End {kind}").format(kind=label(BENEFIT_KINDS, b.kind)), id="dialog-title")
                yield Label(_("Ended on"))
                yield from _date_field(today, "end_on")
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Save"), id="save", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        first = "#end_on" if self.benefit is not None else ("#start_on" if self.kind in BENEFIT_KINDS else "#kind")
        self.query_one(first).focus()

    def enter_submits(self, box: Input) -> bool:
        return box.id == ("end_on" if self.benefit is not None else "note")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.enter_submits(event.input):
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def values(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for name in FIELDS:
            found = self.query(f"#{name}")
            if not found:
                continue
            widget = found.first()
            if isinstance(widget, Select):
                out[name] = None if widget.value == Select.NULL else str(widget.value)
            else:
                out[name] = found.first(Input).value.strip()
        return out

    @after_typing
    def action_save(self) -> None:
        self.save(partial(self._write, self.values(), self.app.today()))

    def _write(self, values: dict[str, str | None], today: dt.date) -> str:
        """In the save worker: the period recorded, or its end; the record's id."""
        from storage.register.benefits import end_benefit, record_benefit

        if self.benefit is not None:
            # the end the list showed: one merged since is not written over by this form's proposal
            return end_benefit(self.app.db, self.benefit.id, values.get("end_on") or None, today=today,
                               shown_end=self.benefit.end_on).id
        return record_benefit(self.app.db, self.resident_id, values.get("kind") or "",
                              start_on=values.get("start_on") or None, end_on=values.get("end_on") or None,
                              note=values.get("note") or "", today=today).id


def _date_field(value: str, field: str):
    """A date as people type it (2024/3/1, 3-1...), what it understood, and its error line."""
    widget = DateInput(value, field=field, id=field, compact=True)
    yield widget
    yield widget.understood_label()
    yield Label("", id=f"err-{field}", classes="error")

"""The resident page's v: choose one of the resident's visits, to correct it (the visit form, filled in) or delete it.

A visit saved with a wrong date or field stayed for good and counted in the month's figures; this is the way back.
Dismissed with ("correct", visit id, "") or ("delete", visit id, reason) once the deletion is confirmed (DeleteVisitScreen:
what goes with the visit, what stays, and why it is deleted); None on Esc.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from screens.dialogs import Dialog, OkCancelDialog
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _
from storage.core.offices import person_text
from storage.core.text import printable
from storage.register.categories import VISIT_METHODS, label
from tui.as_text import as_text
from tui.formatting import format_date
from tui.ordered_keys import TextInput


def visit_summary(v) -> str:
    """One line naming a visit: its date, how, who visited and whom they met."""
    return "  ".join(x for x in (format_date(v.visit_date), label(VISIT_METHODS, v.method), person_text(v.visitor),
                                 printable(v.met_with or "")) if x)


class VisitPickScreen(OkCancelDialog[tuple[str, str, str]]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="visit-pick.cancel"),
        # Enter on the list (its own select) corrects; shown here so the footer and F1 name it
        Binding("enter", "submit", N_("Correct"), priority=True, id="visit-pick.correct"),
        Binding("d", "delete", N_("Delete"), id="visit-pick.delete"),
        Binding("delete", "delete", N_("Delete"), show=False, id="visit-pick.delete-key"),
    ]

    def __init__(self, name: str, visits: list, with_visit: Callable[[str], list[str]]):
        """`with_visit(visit id)`: the lines saying what a deletion takes with the visit and what it keeps."""
        super().__init__(classes="dialog")
        self.resident_name = name
        self.visits = visits
        self.with_visit = with_visit

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(as_text(_("Visits of {name}: choose one").format(name=printable(self.resident_name))),
                         id="dialog-title")
            yield OptionList(*[Option(as_text(visit_summary(v)), id=v.id) for v in self.visits], id="visit-list",
                             compact=True)
            # one line in the dialog at 80 columns: the longer words broke after "d:", its action on the next line
            yield Static(as_text(_("Enter: correct it in the visit form; d: delete it.")),
                         id="dialog-message")

    def on_mount(self) -> None:
        options = self.query_one("#visit-list", OptionList)
        options.highlighted = 0 if self.visits else None
        options.focus()

    def _chosen(self) -> str | None:
        options = self.query_one("#visit-list", OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    @on(OptionList.OptionSelected, "#visit-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        vid = self._chosen()
        if vid is not None:
            self.dismiss(("correct", vid, ""))

    def action_delete(self) -> None:
        vid = self._chosen()
        if vid is None:
            return
        visit = next(v for v in self.visits if v.id == vid)
        # the deletion travels to the township, and the month's figures lose the visit (and what goes with it)
        # the visit on a line of its own: "…电话探访  王芳  本人？" read as a question about 王芳本人
        question = "\n".join([_("Delete this visit?\n{visit}\nIt no longer counts in the figures, here and at the "
                                 "township.").format(visit=narrow(visit_summary(visit))), *self.with_visit(vid)])

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.dismiss(("delete", vid, reason))

        self.app.push_screen(DeleteVisitScreen(question), answered)


class DeleteVisitScreen(Dialog[str | None]):
    """Confirm a visit's deletion and say why (optional): dismissed with the reason ("" when none), None on Cancel.

    The reason has the focus, so what is typed goes there; Enter in it goes on to 删除, not past it: the deletion
    takes two deliberate keys, and Esc (or 取消) leaves everything as it was.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="visit-delete.cancel"),
        Binding("left", "focus_button('delete')", show=False, id="visit-delete.left"),
        Binding("right", "focus_button('cancel')", show=False, id="visit-delete.right"),
    ]

    def __init__(self, question: str):
        super().__init__(classes="dialog")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(as_text(self.question), id="dialog-message")
            yield Label(_("Reason for deleting (optional)"))
            yield TextInput("", id="reason")
            yield Label("", id="reason-error", classes="error")
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Delete"), id="delete", variant="error")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _to_delete(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#delete", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
            return
        from storage.core.errors import ValidationError
        from storage.register.visit_delete import delete_reason

        try:
            reason = delete_reason(self.query_one("#reason", Input).value)
        except ValidationError as e:  # too long, or a pasted control character: said under the field
            self.query_one("#reason-error", Label).update(e.message)
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_focus_button(self, button: str) -> None:
        if not isinstance(self.focused, Input):  # in the reason, Left and Right move the cursor
            self.query_one(f"#{button}", Button).focus()

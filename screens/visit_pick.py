"""The resident page's v: choose one of the resident's visits, to correct it (the visit form, filled in) or delete it.

A visit saved with a wrong date or field stayed for good and counted in the month's figures; this is the way back.
Dismissed with ("correct", visit id) or ("delete", visit id) once the deletion is confirmed; None on Esc.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from screens.dialogs import OkCancelDialog
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _
from storage.core.text import printable
from storage.register.categories import VISIT_METHODS, label
from tui.as_text import as_text
from tui.formatting import format_date


def visit_summary(v) -> str:
    """One line naming a visit: its date, how, who visited and whom they met."""
    return "  ".join(x for x in (format_date(v.visit_date), label(VISIT_METHODS, v.method), printable(v.visitor or ""),
                                 printable(v.met_with or "")) if x)


class VisitPickScreen(OkCancelDialog[tuple[str, str]]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="visit-pick.cancel"),
        # Enter on the list (its own select) corrects; shown here so the footer and F1 name it
        Binding("enter", "submit", N_("Correct"), priority=True, id="visit-pick.correct"),
        Binding("d", "delete", N_("Delete"), id="visit-pick.delete"),
        Binding("delete", "delete", N_("Delete"), show=False, id="visit-pick.delete-key"),
    ]

    def __init__(self, name: str, visits: list):
        super().__init__(classes="dialog")
        self.resident_name = name
        self.visits = visits

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(as_text(_("Visits of {name}: choose one").format(name=printable(self.resident_name))),
                         id="dialog-title")
            yield OptionList(*[Option(as_text(visit_summary(v)), id=v.id) for v in self.visits], id="visit-list",
                             compact=True)
            yield Static(as_text(_("Enter: correct it (the visit form opens filled in); d: delete it.")),
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
            self.dismiss(("correct", vid))

    def action_delete(self) -> None:
        vid = self._chosen()
        if vid is None:
            return
        visit = next(v for v in self.visits if v.id == vid)
        # asked, No the safe default: the deletion travels to the township, and the month's figures lose the visit
        question = _("Delete the visit {visit}? It no longer counts in the figures, here and at the township.").format(
            visit=narrow(visit_summary(visit)))
        self.dismiss_if_confirmed(("delete", vid), question, yes=_("Delete"), danger=True)

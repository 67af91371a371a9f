"""Enter on our forms and dialogs (Tab and Shift+Tab on every screen, tui/app.py): the focus moves before the next
key is delivered.

Textual hands each key to the widget focused at the moment the app reads the key, and
posts it to that widget's queue; Tab is acted on later, when it has bubbled up from
there. Keys typed right after Tab (ahead of a slow laptop, or read in one burst from
the terminal) were therefore all delivered to the field being left: the name became
测试老人11010519491231002X and the ID number stayed empty (issue #12, textual 8.2).
A priority binding runs in the app's own key handling, before the next key is read,
so these keys move the focus first; the app binds Tab and Shift+Tab that way for every screen. Enter moves on only from a text box; anywhere else
(a list, a choice, the notes) it does what that widget does with it.
"""

from __future__ import annotations

from textual.actions import SkipAction
from textual.binding import Binding
from textual.widgets import Input

from storage.core.i18n import N_, _

FORM_KEYS = [
    Binding("enter", "form_enter", N_("Next field (from a text box)"), show=False, priority=True, id="form.enter"),
]


class FormKeys:
    """Mixin for a form or dialog Screen: add FORM_KEYS to its BINDINGS. Help (F1) names the keys a form
    answers to that nobody can guess: Tab, Shift+Tab, Space in a checklist, Enter on a choice."""

    HELP_SKIP = ("form.",)  # FORM_KEYS: explained by help_rows, in the words a person needs

    def help_rows(self) -> list[tuple[str, str]]:
        return [
            (_("Tab"), N_("Next field")),
            (_("Shift+Tab"), N_("Previous field")),
            (_("Enter"), N_("Text box: next field; a choice: open its list")),
            (_("Up, Down"), N_("Move in a list or checklist")),
            (_("Space"), N_("Tick or untick a box ([x] ticked, [ ] not)")),
        ]

    def action_form_enter(self) -> None:
        box = self.focused  # type: ignore[attr-defined]
        if not isinstance(box, Input) or self.enter_submits(box):
            # the key goes on to the focused widget; a box that submits does so after the characters typed before
            # the Enter (they may still wait in its queue: acting here would save the field without them)
            raise SkipAction()
        self.focus_next()  # type: ignore[attr-defined]

    def enter_submits(self, box: Input) -> bool:
        """Whether Enter in this box saves or submits (the screen's Input.Submitted) rather than moving on."""
        return False

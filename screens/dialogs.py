"""Small reusable modals with typed results: Dialog (a modal with its own footer), confirm, choose-with-reason,
and OkCancelDialog, the base of choose-with-reason and of the other dialogs with OK and Cancel buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from storage.core.i18n import N_, _
from tui.as_text import as_text
from tui.line_breaks import Wrapped
from tui.ordered_keys import TextInput

if TYPE_CHECKING:
    from screens.host import ScreenHost

ResultT = TypeVar("ResultT")


class LanguageAfterDialog(ModalScreen[ResultT]):
    """F2 in a dialog says what to do. A modal screen passes no key on to the app's bindings, so F2 did nothing
    there, silently; and a dialog's question is worded by the screen that asked it, in the language of that
    moment, so switching under it would leave the question in the other language."""

    BINDINGS = [Binding("f2", "language_after_dialog", N_("Language"), show=False, id="dialog.language")]

    def action_language_after_dialog(self) -> None:
        from tui.as_text import notify_text

        notify_text(self.app, _("Answer or close this dialog first (Esc); then F2 switches the language."))


class Dialog(LanguageAfterDialog[ResultT]):
    """A modal screen with a footer of its own, at the bottom of the screen: without it the footer of the screen
    below showed through, naming that screen's keys ("n New resident" while a dialog's box took the letters
    typed) and none of the dialog's own (Ctrl+S, Esc)."""

    @on(events.Mount)
    def _own_footer(self) -> None:
        from tui.footer import TranslatedFooter

        self.mount(TranslatedFooter())
        self.call_after_refresh(self._note_opened)  # after the subclasses' on_mount have filled the fields in

    def _texts(self) -> list[str]:
        return [field.value for field in self.query(Input)] + [area.text for area in self.query(TextArea)]

    def _note_opened(self) -> None:
        self._opened_with = self._texts()

    def action_cancel(self) -> None:
        """Esc on a dialog bound to "cancel" (one of OK and Cancel, or a saving dialog's)."""
        self.leave_asking(lambda: self.dismiss(None))

    def leave_asking(self, close: Callable[[], object]) -> None:
        """`close()` now when nothing was typed since the dialog opened, else once the user says to throw it away:
        Esc on a closing with its remark typed lost the remark and said nothing (walk h-walk, 4), where the
        resident and visit forms ask (screens/form.py)."""
        if self._texts() == getattr(self, "_opened_with", None):
            close()
            return
        ask_to_discard(self.app, _("Discard what you typed?"), close)


class OkCancelDialog(Dialog[ResultT | None]):
    """A dialog with OK and Cancel under its fields (`ok_cancel()`): OK runs `action_submit`, which dismisses it
    with the result once the fields are right; Cancel (and its Esc binding) dismisses it with None."""

    @staticmethod
    def ok_cancel() -> Horizontal:
        return Horizontal(Button(_("OK"), id="ok", variant="primary"), Button(_("Cancel"), id="cancel"),
                          id="dialog-buttons")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_submit(self) -> None:
        raise NotImplementedError

    def dismiss_if_confirmed(self, result: ResultT, question: str | None, *, yes: str, danger: bool = False) -> None:
        """Dismiss with `result` once `question` (None: nothing to ask) is answered yes; on No the dialog stays,
        as filled in. Asked after the dialog had closed, a No threw away what was typed (a referral's outcome,
        a closing's remark) and nothing said so."""
        if question is None:
            self.dismiss(result)
            return

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.dismiss(result)

        self.app.push_screen(ConfirmScreen(question, yes=yes, no=_("Cancel"), danger=danger), answered)


class ConfirmScreen(Dialog[bool]):
    """Ask a yes/no question. The safe answer has the focus and is what Esc gives: by default No
    (nothing changes); `safe=True` where Yes is the answer that loses nothing (restoring a draft).
    `danger`: the Yes button is drawn red."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "answer_safe", N_("Cancel"), id="dialog.cancel"),
        Binding("y", "answer(True)", N_("Yes"), id="dialog.yes", show=False),
        Binding("n", "answer(False)", N_("No"), id="dialog.no", show=False),
        # to the button on that side, never round past the end: Right on "No" must not land on "Yes"
        Binding("left", "focus_button('yes')", show=False, id="dialog.left"),
        Binding("right", "focus_button('no')", show=False, id="dialog.right"),
    ]

    def __init__(self, message: str, *, yes: str | None = None, no: str | None = None, danger: bool = False,
                 safe: bool = False):
        super().__init__(classes="dialog")
        self.message = message
        self.yes_label = yes or _("Yes")
        self.no_label = no or _("No")
        self.danger = danger
        self.safe = safe
        # y and n named in the footer by the buttons' own words (y 办结 n 取消): a footer of "esc 取消" alone hid the
        # keys that answer, and "y 是" under a button reading 办结 would name an answer the dialog does not show
        keys = self._bindings.key_to_bindings
        answers = {key: [replace(b, description=label, show=True) for b in keys[key]]
                   for key, label in (("y", self.yes_label), ("n", self.no_label))}
        self._bindings.key_to_bindings = {**answers, **{k: b for k, b in keys.items() if k not in answers}}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            # wrapped as Chinese is set: Rich broke at the last space that fit, "备份之后的 1⏎项修改" (tui/line_breaks.py)
            yield Static(Wrapped(self.message), id="dialog-message")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.yes_label, id="yes", variant="error" if self.danger else "primary")
                yield Button(self.no_label, id="no")

    def on_mount(self) -> None:
        self.query_one("#yes" if self.safe else "#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    def action_answer_safe(self) -> None:
        self.dismiss(self.safe)

    def action_focus_button(self, button: str) -> None:
        self.query_one(f"#{button}", Button).focus()


@dataclass(frozen=True)
class Choice:
    code: str
    reason: str
    day: dt.date | None = None  # the dialog's date, when it asks one


@dataclass(frozen=True)
class DayField:
    """A date a ChooseScreen asks too: its label, storage's field (how a short date is completed), what it shows first;
    the earliest it may be, and what is said under it when earlier (storage refuses it too)."""

    label: str
    field: str
    value: dt.date
    earliest: dt.date | None = None
    too_early: str = ""


class ChooseScreen(OkCancelDialog[Choice]):
    """Pick one code from a list and give a reason (required or optional)."""

    app: ScreenHost  # the app it runs in (screens/host.py): today, for a date asked

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("ctrl+s", "submit", N_("OK"), id="dialog.ok"),
    ]

    def __init__(self, title: str, choices: list[tuple[str, str]], *, reason_label: str,
                 reason_required: bool = True, value: str | None = None, reason: str = "",
                 confirm: Callable[[Choice], tuple[str, str] | None] | None = None, day: DayField | None = None):
        """`confirm(choice)`: the question to answer before the dialog closes with it, and its Yes; None: none.
        `day`: a date asked too (not in the future), between the choice and the reason."""
        super().__init__(classes="dialog")
        self.confirm = confirm
        self.day = day
        self.title_text = title
        self.choices = choices
        self.reason_label = reason_label
        self.reason_required = reason_required
        self.initial = value
        self.initial_reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(as_text(self.title_text), id="dialog-title")
            yield Select(self.choices, prompt=_("Choose…"), id="choice",
                         value=self.initial if self.initial is not None else Select.NULL)
            yield Label("", id="choice-error", classes="error")
            if self.day is not None:
                from tui.date_input import DateInput

                yield Label(self.day.label)
                day = DateInput(self.day.value.isoformat(), field=self.day.field, id="day", compact=True)
                yield day
                yield day.understood_label()
                yield Label("", id="day-error", classes="error")
            yield Label(self.reason_label)
            yield TextInput(self.initial_reason, id="reason")
            yield Label("", id="reason-error", classes="error")
            yield self.ok_cancel()

    def on_mount(self) -> None:
        # the choice first, even with one proposed: Enter opens its list (on the reason, Enter saved the level
        # unchanged and asked why)
        self.query_one("#choice").focus()

    @on(Input.Changed, "#reason")
    def _reason_typed(self, event: Input.Changed) -> None:
        if event.value.strip():  # the "say why" under the field goes once there is a why
            self.query_one("#reason-error", Label).update("")

    @on(Select.Changed, "#choice")
    def _chosen(self, event: Select.Changed) -> None:
        if event.value != Select.NULL:
            self.query_one("#choice-error", Label).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        value = self.query_one("#choice", Select).value
        reason = " ".join(self.query_one("#reason", Input).value.split())
        missing_choice = value == Select.NULL
        missing_reason = self.reason_required and not reason
        self.query_one("#choice-error", Label).update(_("Choose one.") if missing_choice else "")
        self.query_one("#reason-error", Label).update(_("Say why.") if missing_reason else "")
        day, day_problem = self._day()
        if missing_choice or day_problem or missing_reason:
            self.query_one("#choice" if missing_choice else "#day" if day_problem else "#reason").focus()
            return
        choice = Choice(str(value), reason, day)
        asked = self.confirm(choice) if self.confirm is not None else None
        self.dismiss_if_confirmed(choice, asked[0] if asked else None, yes=asked[1] if asked else "", danger=True)

    def _day(self) -> tuple[dt.date | None, bool]:
        """(the date asked, whether it has a problem: said under it)."""
        if self.day is None:
            return None, False
        from storage.core.dates import DateProblem, parse_field_date

        try:
            day = parse_field_date(self.day.field, self.query_one("#day", Input).value, self.app.today())
            problem = "" if day is None or day <= self.app.today() else _("The date is in the future.")
            if day is not None and self.day.earliest is not None and day < self.day.earliest:
                problem = self.day.too_early
        except DateProblem as exc:
            day, problem = None, exc.message
        if day is None and not problem:
            problem = _("Give the date.")
        self.query_one("#day-error", Label).update(problem)
        return day, bool(problem)


def ask_to_discard(app: App, question: str, close: Callable[[], object]) -> None:
    """Esc on a form or a dialog with something typed: `close()` once the user says to throw it away (Keep editing,
    or Esc on the question, leaves it as it is)."""

    def answer(discard: bool | None) -> None:
        if discard:
            close()

    app.push_screen(ConfirmScreen(question, yes=_("Discard"), no=_("Keep editing"), danger=True), answer)


def when_folder_there(app: App, folder: Path, go: Callable[[], None]) -> None:
    """`go()` to write into `folder`; a folder that is not there, only once the person says to create it.
    A USB stick that is not plugged in leaves its path a plain folder on this computer: the file written
    there stays behind on the laptop while the worker carries the stick to the township."""
    if folder.is_dir():
        go()
        return

    def answered(create: bool | None) -> None:
        if create:
            go()

    app.push_screen(ConfirmScreen(_("The folder {folder} does not exist. Is the USB stick plugged in? Create the "
                                    "folder and write there?").format(folder=folder),
                                  yes=_("Create it"), no=_("Cancel")), answered)

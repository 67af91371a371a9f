"""What the resident and visit forms share: saving once at a time off the event loop, errors shown
beside their fields, the saved and failed states, and leaving with unsaved changes.

A form subclasses FormScreen, builds its widgets with `field_row()` / `error_label()`, keeps
`self._pristine` (the values as loaded) and calls `self.save(work)` with a function that does the
storage call and returns the saved record's id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual import work
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label
from textual.worker import Worker, WorkerState

from screens.dialogs import ConfirmScreen
from storage.core.errors import UserError, ValidationError, ValidationErrors
from storage.core.i18n import _
from storage.register.field_labels import field_label
from tui.as_text import as_text, notify_text
from tui.date_input import DateInput

log = logging.getLogger(__name__)
T = TypeVar("T")


def error_label(field: str) -> Label:
    """Where a field's problem is shown (empty until there is one)."""
    return Label("", id=f"err-{field}", classes="error -empty")


def set_message(widget: Label, message: str) -> None:
    widget.update(as_text(message))
    widget.set_class(not message, "-empty")


def field_row(widget: Widget, field: str, title: str | None = None) -> list[Widget]:
    """A field's label (storage/register/field_labels.py unless given), its input, and its error line."""
    return [Horizontal(Label(title or field_label(field), classes="field-label"), widget, classes="field"),
            error_label(field)]


def date_row(value: str, field: str, title: str | None = None, *, input_id: str | None = None) -> list[Widget]:
    """A date field (tui/date_input.py): its label and input, what it understood, and its error line."""
    widget = DateInput(value, field=field, id=input_id or field, compact=True)
    row = field_row(widget, input_id or field, title or field_label(field))
    return [row[0], widget.understood_label(), *row[1:]]


class FormScreen(Screen[T], Generic[T]):
    SAVED = ""  # N_(): shown once saved

    def __init__(self) -> None:
        super().__init__()
        self._pristine: dict[str, Any] | None = None  # the values as loaded: None until the form is built
        self._saving = False

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def is_dirty(self) -> bool:
        return self._pristine is not None and self.values() != self._pristine

    def can_save(self) -> bool:
        return self._pristine is not None and not self._saving

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field (the first one focused); the others in a notice."""
        for widget in self.query("Label.error").results(Label):
            set_message(widget, "")
        unplaced, first = [], None
        for field, message in errors.items():
            target = self.query(f"#err-{field}")
            if target:
                set_message(target.first(Label), message)
                first = first or field
            else:
                unplaced.append(message)
        if unplaced:
            notify_text(self, "\n".join(unplaced), severity="error")
        if first:
            widget = self.query(f"#{first}")
            if widget:
                widget.first().focus()
                self.query_one("#form", VerticalScroll).scroll_to_widget(self.query_one(f"#err-{first}"))

    def save(self, store: Callable[[], str]) -> None:
        """Run `store()` (the storage call; returns the saved id) in a worker; one save at a time."""
        self._saving = True
        self._store(store)

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-save")
    def _store(self, store: Callable[[], str]) -> None:
        try:
            saved_id = store()
        except ValidationErrors as e:
            self.app.call_from_thread(self._failed, e.by_field())
            return
        except ValidationError as e:
            self.app.call_from_thread(self._failed, {e.field: e.message})
            return
        self.after_save()
        self.app.call_from_thread(self._saved, saved_id)

    def after_save(self) -> None:
        """In the worker, once saved (the visit form deletes its draft)."""

    def _failed(self, errors: dict[str, str]) -> None:
        self._saving = False
        self.show_errors(errors)

    def _saved(self, saved_id: str) -> None:
        notify_text(self, _(self.SAVED))
        self.dismiss(saved_id)

    def leave(self, question: str, on_discard: Callable[[], None] | None = None) -> None:
        """Esc: leave at once if nothing changed, else ask `question` first."""
        if not self.is_dirty():
            if on_discard:
                on_discard()
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                if on_discard:
                    on_discard()
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(question, yes=_("Discard"), no=_("Keep editing"), danger=True), answer)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        self._saving = False
        error = event.worker.error
        if isinstance(error, UserError):
            notify_text(self, error, severity="error")
        else:
            log.error("%s: %s failed", type(self).__name__, event.worker.name, exc_info=error)
            notify_text(self, _("Something went wrong: {error}").format(error=error), severity="error")

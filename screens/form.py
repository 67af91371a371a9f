"""What the resident and visit forms share (AssessingFormScreen: their assessment and what follows a save): saving once at a time off the event loop, errors shown
beside their fields, the saved and failed states, leaving with unsaved changes, and a draft kept
on disk while the person types (a killed terminal or a power cut loses nothing).

A form subclasses FormScreen, builds its widgets with `field_row()` / `error_label()`, keeps
`self._pristine` (the values as loaded) and calls `self.save(work)` with a function that does the
storage call and returns the saved record's id. For drafts it names `DRAFT_KIND`, gives
`draft_key()` and `apply_values()`, calls `draft_changed()` whenever a value changes and
`offer_draft()` once it is built.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label

from screens.after_save import FollowUp, show_follow_up
from screens.dialogs import ConfirmScreen, ask_to_discard
from screens.worker_errors import SaveInWorker
from storage.core.errors import ValidationError, ValidationErrors
from storage.core.i18n import _
from storage.core.text import printable
from storage.register import drafts
from storage.register.field_labels import field_label
from tui.as_text import as_text, notify_text
from tui.assessment_section import AssessmentSection
from tui.date_input import DateInput
from tui.formatting import format_date
from tui.line_breaks import broken

if TYPE_CHECKING:
    from screens.host import ScreenHost


def error_label(field: str) -> Label:
    """Where a field's problem is shown (empty until there is one)."""
    return Label("", id=f"err-{field}", classes="error -empty")


def set_message(widget: Label, message: str) -> None:
    # lines broken as Chinese is set (tui/line_breaks.py), at the width the label has under its field: Textual breaks
    # at the last space that fits, and the phone's message broke inside its example, "（1xx xxxx⏎xxxx），"
    parent = widget.parent
    width = parent.scrollable_content_region.width - widget.styles.padding.width - widget.styles.margin.width \
        if isinstance(parent, Widget) else 0
    widget.update(as_text(broken(message, width) if message and width > 1 else message))
    widget.set_class(not message, "-empty")


def show_field_errors(screen: Screen, errors: dict[str, str]) -> str | None:
    """Each message under its field (its `#err-NAME` label; the other labels emptied), the first of those fields
    focused, scrolled into view with its message, and returned; messages with no field on the screen in a notice."""
    for widget in screen.query("Label.error").results(Label):
        set_message(widget, "")
    unplaced, first = [], None
    for field, message in errors.items():
        target = screen.query(f"#err-{field}")
        if target:
            set_message(target.first(Label), message)
            first = first or field
        else:
            unplaced.append(message)
    if unplaced:
        notify_text(screen, "\n".join(unplaced), severity="error")
    if first:
        found = screen.query(f"#{first}")
        to_focus = found.first() if found else None
        if to_focus is not None:
            to_focus.focus()
        screen.call_after_refresh(_into_view, screen.query_one(f"#err-{first}", Label), to_focus)
    return first


def _into_view(message: Label, field: Widget | None) -> None:
    """Once laid out (a message was hidden until now): the message in view, and its field above it. Focusing
    scrolls only to a field that was not focused already, never to the message under it: a message under the
    last field of a form at 80×24 was off-screen, and saving seemed to do nothing."""
    message.scroll_visible(animate=False, immediate=True)
    if field is not None:
        field.scroll_visible(animate=False, immediate=True)


def field_row(widget: Widget, field: str, title: str | None = None) -> list[Widget]:
    """A field's label (storage/register/field_labels.py unless given), its input, and its error line."""
    return [Horizontal(Label(title or field_label(field), classes="field-label"), widget, classes="field"),
            error_label(field)]


def date_row(value: str, field: str, title: str | None = None, *, input_id: str | None = None,
             placeholder: str | None = None) -> list[Widget]:
    """A date field (tui/date_input.py): its label and input, what it understood, and its error line."""
    extra = {"placeholder": placeholder} if placeholder else {}
    widget = DateInput(value, field=field, id=input_id or field, compact=True, **extra)
    row = field_row(widget, input_id or field, title or field_label(field))
    return [row[0], widget.understood_label(), *row[1:]]


DRAFT_DEBOUNCE_SECONDS = 0.5


class SavingDialog(SaveInWorker):
    """A small dialog's save, one at a time off the event loop: dismissed with what the storage call returns;
    its checks' messages beside their fields (the first focused), others notified."""

    def save(self, store: Callable[[], Any]) -> None:
        """Run `store()` (the storage call) in a worker, unless a save is running already."""
        if self._saving:
            return
        self._saving = True
        self._store(store)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dialog-save")
    def _store(self, store: Callable[[], Any]) -> None:
        try:
            saved = store()
        except (ValidationErrors, ValidationError) as e:
            self.app.call_from_thread(self._failed, e.by_field())
            return
        self.app.call_from_thread(self.dismiss, saved)

    def _failed(self, errors: dict[str, str]) -> None:
        self._saving = False
        show_field_errors(self, errors)


class FormScreen(SaveInWorker, Screen[str | None]):
    """Dismissed with the saved record's id, or None when left without saving."""

    app: ScreenHost  # the app it runs in: screens/host.py

    SAVED = ""  # N_(): shown once saved
    DRAFT_KIND = ""  # "visit" / "resident": the values kept on disk while typing (storage/register/drafts.py)
    RESTORE_QUESTION = ""  # N_() with {name} and {time}: offered when the form opens on a draft

    def __init__(self) -> None:
        super().__init__()
        self._pristine: dict[str, Any] | None = None  # the values as loaded: None until the form is built
        self._saving = False
        self._draft_timer: Timer | None = None
        self._asking_restore = False
        self._latest: dict[str, Any] | None = None  # the values at the last change (the widgets die first)

    # the forms' reads of the record (screens/resident_form.py, visit_form.py: each shows "Loading…" as #loading)
    LOAD_GROUPS = frozenset({"resident-form-load", "visit-load"})

    def load_failed(self, line: str) -> None:
        """What the form could not read (a record edited into text that is not JSON), in place of its "Loading…"."""
        from textual.widgets import Static

        from tui.as_text import as_text

        for loading in self.query("#loading").results(Static):
            loading.update(as_text(line, style="bold red"))

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def is_dirty(self) -> bool:
        return self._pristine is not None and self.values() != self._pristine

    def can_save(self) -> bool:
        return self._pristine is not None and not self._saving

    def show_errors(self, errors: dict[str, str]) -> None:
        show_field_errors(self, errors)

    def save(self, store: Callable[[], str]) -> None:
        """Run `store()` (the storage call; returns the saved id) in a worker; one save at a time."""
        self._saving = True
        self._store(store)

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-save")
    def _store(self, store: Callable[[], str]) -> None:
        try:
            saved_id = store()
        except (ValidationErrors, ValidationError) as e:
            self.app.call_from_thread(self._failed, e.by_field())
            return
        self.after_save()
        self.app.call_from_thread(self._saved, saved_id)

    def after_save(self) -> None:
        """In the worker, once saved: the draft has done its work."""
        if self.DRAFT_KIND:
            drafts.delete_draft(self.app.db.local_path, self.draft_key(), self.DRAFT_KIND)

    def _failed(self, errors: dict[str, str]) -> None:
        self._saving = False
        self.show_errors(errors)

    def _saved(self, saved_id: str) -> None:
        notify_text(self, _(self.SAVED))
        self.dismiss(saved_id)

    def leave(self, question: str, on_discard: Callable[[], None] | None = None) -> None:
        """Esc: leave at once if nothing changed, else ask `question` first. Leaving drops the draft."""
        if on_discard is None and self.DRAFT_KIND:
            on_discard = self._discard_draft

        def close() -> None:
            if on_discard:
                on_discard()
            self.dismiss(None)

        if self.is_dirty():
            ask_to_discard(self.app, question, close)
        else:
            close()

    # --- drafts -------------------------------------------------------------------------

    def draft_key(self) -> str:
        """The record the draft is of: a resident's id, or drafts.NEW for a registration."""
        raise NotImplementedError

    def draft_name(self) -> str:
        return ""

    def apply_values(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def draft_shown(self) -> dict[str, Any] | None:
        """What a draft's edits are measured from: the record's values as shown, for a form editing one. None for a
        new record, whose draft stands whole (a visit typed yesterday keeps yesterday's date, a default untouched)."""
        return None

    def load_draft(self) -> drafts.Draft | None:
        """In the load worker: the draft left by a form that did not finish, if any."""
        return drafts.load_draft(self.app.db.local_path, self.draft_key(), self.DRAFT_KIND) if self.DRAFT_KIND else None

    def offer_draft(self, draft: drafts.Draft | None) -> None:
        """Once built: offer what was typed last time. Restoring loses nothing: it is the default, and Esc."""
        if draft is None or draft.values == self._pristine:
            return
        # what was typed, over the record as it is now: a value the draft kept untouched is not put back over a
        # change merged since (the draft of an edit says what it was shown: drafts.Draft.edits)
        edits = draft.edits()
        restored = {**(self._pristine or {}), **edits}
        if restored == self._pristine:
            return
        saved = draft.saved_at.astimezone()
        when = format_date(saved.date()) + " " + saved.strftime("%H:%M")

        def answer(restore: bool | None) -> None:
            self._asking_restore = False
            if restore:
                self.apply_values(restored)
                self.call_after_refresh(self._focus_where_left, edits)
            else:
                self._delete_draft()

        self._asking_restore = True
        question = self.restore_question(printable(self.draft_name() or drafts.draft_person(draft)), when)
        self.app.push_screen(ConfirmScreen(question, yes=_("Restore"), no=_("Discard"), safe=True), answer)

    def restore_question(self, name: str, when: str) -> str:
        """The question offering a draft back: it names the form and the person the draft is for."""
        return _(self.RESTORE_QUESTION).format(name=name, time=when)

    def draft_widget_ids(self, name: str, value: Any) -> set[str]:
        """The ids of the widgets that hold a draft's value `name` (its own name, unless a form says otherwise)."""
        return {name}

    def _focus_where_left(self, values: dict[str, Any]) -> None:
        """The cursor on the last field (in the form's order) the draft filled: where the typing stopped, near
        enough. Left on the form's first field, the next keys typed went on the end of the name (解秀兰7)."""
        pristine = self._pristine or {}
        changed = {i for name, value in values.items() if pristine.get(name) != value
                   for i in self.draft_widget_ids(name, value)}
        last = None
        for widget in self.focus_chain:
            if widget.id in changed:
                last = widget
        if last is not None:
            self.set_focus(last)  # at once (widget.focus() waits for the app's queue), so that its Focus, which
            if isinstance(last, Input):  # selects the whole value, comes first: the next key goes on the end
                last.call_later(last.action_end)

    def draft_changed(self) -> None:
        """A value changed: the draft is written half a second after the typing stops."""
        if self._pristine is None or not self.DRAFT_KIND:
            return
        self._latest = self.values()
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DEBOUNCE_SECONDS, self._save_draft)

    def stop_draft_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()

    def _save_draft(self) -> None:
        self._draft_timer = None
        if self._saving or self._pristine is None:
            return
        if self.is_dirty():
            self._write_draft(self.values())
        elif not self._asking_restore:
            self._delete_draft()

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-draft")
    def _write_draft(self, values: dict[str, Any]) -> None:
        drafts.save_draft(self.app.db.local_path, self.draft_key(), values, resident_name=self.draft_name(),
                          kind=self.DRAFT_KIND, shown=self.draft_shown())

    def _delete_draft(self) -> None:
        # an app worker: it must finish even when this screen is already gone
        self.app.run_worker(partial(drafts.delete_draft, self.app.db.local_path, self.draft_key(), self.DRAFT_KIND),
                            thread=True, exit_on_error=False, group="form-draft-delete", name="delete draft")

    def _discard_draft(self) -> None:
        self._saving = True  # no more draft writes
        self.stop_draft_timer()
        self._delete_draft()

    def on_unmount(self) -> None:
        # the terminal is closing with a change not yet written: write it now (a small file);
        # the widgets are gone by now, so use the values read at the last change
        latest = self._latest
        if (self.DRAFT_KIND and self._draft_timer is not None and not self._saving
                and latest is not None and latest != self._pristine):
            self._draft_timer.stop()
            drafts.save_draft(self.app.db.local_path, self.draft_key(), latest, resident_name=self.draft_name(),
                              kind=self.DRAFT_KIND, shown=self.draft_shown())


class AssessingFormScreen(FormScreen):
    """The resident and visit forms: the six-dimension assessment among their fields, and a save that may need
    following up (an emergency's report, a risk review: screens/after_save.py), found by the save's worker."""

    def __init__(self) -> None:
        super().__init__()
        self._follow_up: FollowUp | None = None

    def show_errors(self, errors: dict[str, str]) -> None:
        if any(field.startswith("assess_") for field in errors):
            self.query_one(AssessmentSection).collapsed = False  # its rows can take the focus again
        super().show_errors(errors)

    def _saved(self, saved_id: str) -> None:
        if self._follow_up is None:
            super()._saved(saved_id)
            return
        # the emergency's report over this form, which leaves once it is closed: leaving first let the screen
        # the form returns to (a new resident's page) cover the report, and take the keys meant for it
        notify_text(self, _(self.SAVED))
        show_follow_up(self.app, self._follow_up, then=lambda _closed: self.dismiss(saved_id))

"""The conflict review queue: keep the winner, take the other value, or type a new one."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import Worker, WorkerState

from screens.dialogs import Dialog
from screens.duplicates import DuplicatesScreen
from screens.latest import show_if_latest
from screens.read_only import at_county
from screens.worker_errors import damage_named
from storage.core.errors import UserError
from storage.core.glyphs import narrow
from storage.core.hlc import wall_ms
from storage.core.i18n import N_, _, ngettext
from storage.core.offices import person_text
from storage.core.schema import RECORD_LABELS
from storage.core.text import printable
from storage.register.field_labels import record_field_label
from storage.register.idnumbers import mask_id
from storage.register.value_labels import value_text
from storage.sync.conflict_undo import Decision, last_decision, undo_decision
from storage.sync.conflicts import (
    ID_FIELDS,
    WHOLE_SIDES,
    ConflictView,
    Writer,
    keep_winner,
    open_conflicts,
    resolve_conflict,
    start_text,
    take_other,
    typeable,
)
from tui.as_text import as_text
from tui.footer import TranslatedFooter
from tui.formatting import format_moment, format_number
from tui.header import Header
from tui.ordered_keys import TextInput
from tui.table import Table

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)
# the undo key is named where the clerk reads that the decision is made (a wrong key is seen at once)
DECIDED = N_("Decision saved; it goes to the grid with the next export (u: undo).")
NAMED_RECORDS = frozenset({"grid", "village"})  # named as people know them (conflict_groups.record_name)


def show_value(value: Any, record_type: str | None = None, field: str = "", *, masked: bool = False) -> str:
    """A value from a bundle, as one printable line (storage.core.text.printable); codes by their labels;
    an ID number masked when `masked` (the list shows every conflict at once, as `gridcare conflicts` does)."""
    if masked and (record_type, field) in ID_FIELDS and isinstance(value, str):
        value = mask_id(value)
    if value is None or value == "" or value == []:
        return narrow("—")
    words = value_text(record_type, field, value) if field else None
    if words is not None:
        return printable(words)
    if isinstance(value, list):
        return printable(", ".join(str(v) for v in value))
    if isinstance(value, (dict, bool)):
        return printable(json.dumps(value, ensure_ascii=False))
    return printable(value)


def _kept(view: ConflictView, *, masked: bool = False) -> str:
    """The kept side: a group's as storage words it (a grid's village, 王家村（330521101201）), else the value."""
    c = view.conflict
    text = view.kept_text if masked or view.kept_full is None else view.kept_full  # an ID number in full in the detail
    return printable(text) if text is not None else show_value(c.winner_value, c.record_type, c.field, masked=masked)


def _other(view: ConflictView, *, masked: bool = False) -> str:
    c = view.conflict
    text = view.other_text if masked or view.other_full is None else view.other_full
    return printable(text) if text is not None else show_value(c.loser_value, c.record_type, c.field, masked=masked)


def when(stamp: int, other: int | None = None, today: dt.date | None = None) -> str:
    """The wall-clock part of a hybrid clock stamp, in the reader's language; to the second when `other` (the
    conflict's other side) was written in the same minute: both sides said "12月5日 09:14", and which came later
    was not to be seen (h-walk)."""
    same_minute = other is not None and wall_ms(stamp) // 60_000 == wall_ms(other) // 60_000
    return format_moment(dt.datetime.fromtimestamp(wall_ms(stamp) / 1000, dt.timezone.utc), today, seconds=same_minute)


def writer_text(writer: Writer | None, author: str) -> str:
    """Who wrote a value, for the clerk choosing between two: the person, and the laptop it came from (which
    grid's worker, or this computer); an office's name (乡镇民政助理员) in the language of the moment."""
    if writer is None:
        return person_text(author, limit=20)
    name = person_text(writer.name, limit=20) if writer.name else _("unknown")
    if writer.here:
        return _("{name}, on this computer").format(name=name)
    if writer.grid:
        return _("{name}, grid {grid}, device {device}").format(name=name, grid=printable(writer.grid, limit=12),
                                                                 device=printable(writer.device))
    if writer.township:
        return _("{name}, township {township}, device {device}").format(
            name=name, township=printable(writer.township, limit=12), device=printable(writer.device))
    if writer.device:
        return _("{name}, device {device}").format(name=name, device=printable(writer.device))
    return name


class ValueScreen(Dialog[str | None]):
    """Type the value to keep; Enter saves, Esc cancels."""
    app: ScreenHost  # the app it runs in: screens/host.py

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel")]

    def __init__(self, title: str, value: str, decide: Callable[[str], str | None] | None = None):
        """`decide`: saves the value typed, or returns why not: said here, the value kept for mending (the dialog
        closed and what was typed was lost, walk D 9)."""
        super().__init__(classes="dialog")
        self.heading, self.value, self.decide = title, value, decide

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(as_text(self.heading), id="dialog-title")
            yield TextInput(self.value, id="value")
            yield Static(_("Enter to save, Esc to cancel."), id="dialog-message")

    @on(Input.Submitted, "#value")
    def _submitted(self, event: Input.Submitted) -> None:
        problem = self.decide(event.value) if self.decide is not None else None
        if problem:
            self.query_one("#dialog-message", Static).update(as_text(problem, style="bold red"))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConflictsScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "conflicts.tcss"
    BINDINGS = [
        # short words: the footer keeps every key of the review at 80 columns, in English too
        Binding("k", "keep", N_("Keep it"), id="conflicts.keep"),
        Binding("t", "take", N_("Take other"), id="conflicts.take"),
        Binding("e", "type_value", N_("Type value"), id="conflicts.type"),
        # u is named where the clerk reads the decision, not in the footer: beside the three decisions it pushed f1 off
        # the footer at 80 columns, and F1 is how the keys the footer leaves out are found
        Binding("u", "undo", N_("Undo"), show=False, id="conflicts.undo"),
        Binding("d", "duplicates", N_("Duplicates"), id="conflicts.duplicates"),
        Binding("escape", "back", N_("Back"), id="conflicts.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._views: dict[str, Any] = {}
        self._undoable: Decision | None = None  # the decision u takes back (none once a bundle has carried it)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a county decides nothing: each township decides its own, and the decision reaches the county in its bundle;
        # with no conflict left the footer offers no decision either (walk G, 11: k/t/e beside "no conflicts")
        if action == "undo":
            return self._undoable is not None and not at_county(self.app)
        if action == "type_value" and self._views and not at_county(self.app):
            # a case's closing is decided by sides only: e beside it answered that it cannot be typed (walk h-walk, 2)
            current = self._current()
            return current is None or typeable(current)
        return not (action in ("keep", "take", "type_value") and (at_county(self.app) or not self._views))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="summary")
        yield Table(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield Static("", id="status")
        yield TranslatedFooter()

    # who wrote each value, and when, is under the table for the highlighted row: four columns fit 80
    COLUMNS = (("record", N_("Record")), ("field", N_("Field")), ("winner", N_("Kept value")),
               ("loser", N_("Other value")))

    def on_mount(self) -> None:
        self.title = _("Conflicts to review")
        table = self.query_one(DataTable)
        for key, title in self.COLUMNS:
            table.add_column(_(title), key=key)
        self._load()

    def language_changed(self) -> None:
        """Called by the app after a language switch (F2): titles again, the values' labels read again."""
        self.title = _("Conflicts to review")
        table = self.query_one(DataTable)
        for column, (_key, title) in zip(table.columns.values(), self.COLUMNS, strict=True):
            column.label = Text(_(title))
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="conflicts-load")
    def _load(self, status: str = "") -> None:
        views = open_conflicts(self.app.db)
        show_if_latest(self.app, self._show, views, status, last_decision(self.app.db))

    def _show(self, views, status: str, undoable: Decision | None = None) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self._views = {v.conflict.id: v for v in views}
        self._undoable = undoable
        self.refresh_bindings()
        if undoable is not None and not status and not at_county(self.app):  # the screen opened again: u still works
            status = _("The last decision, on {record} · {field}, can still be undone (u).").format(
                record=printable(undoable.record_label, limit=40),
                field=record_field_label(undoable.record_type, undoable.field))
        for v in views:
            c = v.conflict
            cells = (v.record_label, record_field_label(c.record_type, v.field or c.field), _kept(v, masked=True), _other(v, masked=True))
            table.add_row(*map(as_text, cells), key=c.id)
        if views:
            table.move_cursor(row=min(row, len(views) - 1))
            table.focus()
        self.query_one("#summary", Static).update(
            ngettext("{n} field waits for a decision.", "{n} fields wait for a decision.", len(views)).format(
                n=format_number(len(views)))
            if views else _("No conflicts waiting for review."))
        self.query_one("#status", Static).update(as_text(status))
        self._show_detail()

    @on(DataTable.RowHighlighted, "#conflicts")
    def _highlighted(self) -> None:
        self._show_detail()
        self.refresh_bindings()  # e is offered for a row whose value can be typed only

    def _current(self):
        table = self.query_one(DataTable)
        if not self._views or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._views.get(key)

    def _show_detail(self) -> None:
        v = self._current()
        if v is None:
            self.query_one("#detail", Static).update("")
            return
        c = v.conflict
        field = record_field_label(c.record_type, v.field or c.field)
        # the one conflict being decided shows an ID number in full: the clerk checks it against the paper record
        if c.record_type in NAMED_RECORDS and v.record_label != c.record_id:  # G02（李家网格）says what it is
            record = v.record_label
        else:
            record = _("{record} ({kind})").format(record=v.record_label,
                                                   kind=_(RECORD_LABELS.get(c.record_type, c.record_type)))
        self.query_one("#detail", Static).update(as_text(
            _("{record} · {field}\nKept: {winner} — {winner_by}, {winner_when}\n"
              "Other: {loser} — {loser_by}, {loser_when}").format(
                record=record, field=field,
                winner=_kept(v), winner_by=writer_text(v.winner_by, c.winner_author),
                winner_when=when(c.winner_hlc, c.loser_hlc, self.app.today()), loser=_other(v),
                loser_by=writer_text(v.loser_by, c.loser_author), loser_when=when(c.loser_hlc, c.winner_hlc, self.app.today()))))

    # --- decisions -----------------------------------------------------------------

    def action_keep(self) -> None:
        v = self._current()
        if v is not None:
            self._decide(keep_winner, v.conflict.id)

    def action_take(self) -> None:
        v = self._current()
        if v is not None:
            self._decide(take_other, v.conflict.id)

    def action_type_value(self) -> None:
        v = self._current()
        if v is None:
            return
        if not typeable(v):  # a case's closing, a referral's status: both sides whole, or a mix that belongs to no one
            self.query_one("#status", Static).update(_(WHOLE_SIDES))
            return
        c = v.conflict
        field = printable(record_field_label(c.record_type, v.field or c.field))

        def decide(text: str) -> str | None:  # labels or codes, a list as shown: storage.sync.conflicts reads it
            try:  # (one record's event and rebuild: quick, and its refusal belongs beside the value typed)
                resolve_conflict(self.app.db, c.id, value=text, today=self.app.today())
            except UserError as exc:
                return str(exc)
            return None

        def typed(text: str | None) -> None:
            if text is not None:
                self._show(open_conflicts(self.app.db), _(DECIDED), last_decision(self.app.db))

        start = start_text(c) if v.kept_text is None else v.kept_text  # a grid's village: as shown, 王家村（code）
        self.app.push_screen(ValueScreen(_("{record} · {field}").format(record=v.record_label, field=field),
                                         printable(start), decide), typed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="conflicts-decide")
    def _decide(self, decide: Callable[..., None], conflict_id: str) -> None:
        """One of storage.sync.conflicts' decisions, off the event loop, checked on the app's day."""
        try:
            decide(self.app.db, conflict_id, today=self.app.today())
        except UserError as exc:  # a typed value that does not fit, or decided meanwhile
            status = str(exc)
        else:
            status = _(DECIDED)
        self.app.call_from_thread(self._show, open_conflicts(self.app.db), status, last_decision(self.app.db))

    def action_undo(self) -> None:
        if self._undoable is not None:
            self._undo()

    @work(thread=True, exclusive=True, exit_on_error=False, group="conflicts-decide")
    def _undo(self) -> None:
        """Take back the last decision (storage/sync/conflict_undo.py): the question is on the list again."""
        try:
            status = undo_decision(self.app.db).undone_text()
        except UserError as exc:  # a bundle went out meanwhile (another window, the command line)
            status = str(exc)
        self.app.call_from_thread(self._show, open_conflicts(self.app.db), status, last_decision(self.app.db))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        # a conflict's value edited into text that is not JSON: the damaged file's line naming the record
        known = damage_named(self.app, event.worker.error)
        if known is not None:
            self.query_one("#status", Static).update(str(known))
            return
        log.error("conflicts worker failed", exc_info=event.worker.error)
        self.query_one("#status", Static).update(_("Something went wrong; the details are in the log file."))

    def action_duplicates(self) -> None:
        self.app.push_screen(DuplicatesScreen())

    def action_back(self) -> None:
        self.app.pop_screen()

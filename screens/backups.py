"""备份与恢复: this database's backups, newest first; `b` backs up now, Enter puts the highlighted one back.

A worker with only the desktop shortcut has no console for `gridcare backup` / `gridcare restore` (walk E, C3).
The work is storage/core/restoring.py, the same functions the commands call. A restore needs the database
closed: on Yes the app exits with a RestoreRequest, and tui/cli.py's run_tui restores and opens the app again,
Home saying what was done. A server database has no backups of gridcare's (tui/commands.py says so instead).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import WorkerError

from screens.dialogs import ConfirmScreen
from screens.latest import show_if_latest
from screens.worker_errors import NotifyWorkerErrors
from storage.core import backup
from storage.core.backup_check import CHECKING, DAMAGED, refusals, state_of
from storage.core.errors import UserError
from storage.core.i18n import N_, _, join_sentences, moment_text, ngettext
from storage.core.paths import backups_dir
from storage.core.restore_carry import Dropped
from storage.core.restoring import RestoreRequest, backup_and_prune, will_leave_text, would_drop
from tui.as_text import as_text
from tui.footer import TranslatedFooter
from tui.formatting import format_size
from tui.header import Header
from tui.table import Table

if TYPE_CHECKING:
    from rich.console import RenderableType

    from screens.host import ScreenHost

CHECKS = "backups-check"  # the worker checking the backups listed
LOADS = "backups-load"  # the worker listing them
UNCHECKED = N_("not checked")  # a backup's state when the checks failed before it (the restore checks it itself)
WORKERS_WAIT = 30.0  # seconds for the app's running threads before it closes for a restore


class BackupsScreen(NotifyWorkerErrors, Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "backups.tcss"
    KEYS_DURING = (CHECKS,)
    # (a check that raises, a bug and not a refusal: load_failed lets Enter ask without its answer)
    LOAD_GROUPS = frozenset({LOADS, CHECKS})
    BINDINGS = [
        Binding("b", "backup", N_("Back up now"), id="backups.backup"),
        # Enter on the table is its own RowSelected too: priority keeps one restore to one key press
        Binding("enter", "restore", N_("Restore"), id="backups.restore", priority=True),
        Binding("r", "restore", N_("Restore"), show=False, id="backups.restore_alt"),
        Binding("escape", "back", N_("Back"), id="backups.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, backup.BackupFile] = {}
        # backup path -> what the restore would refuse it with (None: nothing); absent while being checked
        self._refused: dict[str, UserError | None] = {}
        self._busy = False  # a backup or a restore's question under way: one at a time
        self._waiting: str | None = None  # Enter pressed on this backup while it was being checked: asked once known
        self._unchecked = False  # the list or the checks failed: the backups not marked yet will not be

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._intro_shown(), id="backups-intro")
        yield Table(id="backups", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield TranslatedFooter()

    def _intro(self) -> str:
        days = backup.keep_days()
        return join_sentences(
            ngettext("Backups in {folder}, newest first, kept {days} day.",
                     "Backups in {folder}, newest first, kept {days} days.", days).format(
                folder=backups_dir(self.app.db_path), days=days),
            _("b backs up now; Enter puts the highlighted backup back in place of the current data."))

    def _intro_shown(self) -> RenderableType:
        return as_text(self._intro())  # (a folder named "[x]" is no markup)

    def _title(self) -> str:
        return _("Backup and restore")

    def _none_yet(self) -> str:
        """The status line when there is no backup at all."""
        return _("No backups yet: b makes one now.")

    def on_mount(self) -> None:
        self.title = self._title()
        table = self.query_one(DataTable)
        for key, title in (("time", N_("Taken at")), ("size", N_("Size")), ("state", N_("State"))):
            table.add_column(_(title), key=key)
        self._load()

    def language_changed(self) -> None:  # F2 (tui/relabel.py): the words again, the list read again
        self.title = self._title()
        self.query_one("#backups-intro", Static).update(self._intro_shown())
        self.query_one(DataTable).clear(columns=True)
        self.on_mount()

    # --- the list ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group=LOADS)
    def _load(self, status: str = "") -> None:
        """The list at once, then each backup's check (the restore's own: storage/core/backup_check.py), its row
        marked as it is known (seconds for a township's file, two or more checked at a time)."""
        found = backup.list_backups(self.app.db_path)
        show_if_latest(self.app, self._show, found, status)
        show_if_latest(self.app, self._check, found)

    @work(thread=True, exclusive=True, exit_on_error=False, group=CHECKS)
    def _check(self, found: list[backup.BackupFile]) -> None:
        # a worker of its own, which keys typed meanwhile do not wait for (KEYS_DURING, tui/keys_ahead.py): they
        # were held until every backup was checked, the cursor not moving for seconds on a township's files
        for path, refusal in refusals(self.app.db_path, [b.path for b in found]):
            show_if_latest(self.app, self._mark, path, refusal)
        show_if_latest(self.app, self._all_checked)

    def _all_checked(self) -> None:
        """Every backup listed has its state (screens/refused.py says then whether any can be put back)."""

    def _show(self, found: list[backup.BackupFile], status: str) -> None:
        self._unchecked = False  # (listed again: checked again)
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        self._rows = {str(b.path): b for b in found}
        for b in found:
            key = str(b.path)
            table.add_row(moment_text(b.taken_at), format_size(b.size),
                          _(state_of(self._refused[key]) if key in self._refused else CHECKING), key=key)
        if found:
            table.move_cursor(row=min(max(cursor, 0), len(found) - 1))
        table.focus()
        self._status(status or ("" if found else self._none_yet()))

    def _mark(self, path: Path, refusal: UserError | None) -> None:
        self._refused[str(path)] = refusal
        if str(path) in self._rows:
            self.query_one(DataTable).update_cell(str(path), "state", _(state_of(refusal)), update_width=True)
        if self._waiting == str(path):
            self._waiting = None
            chosen = self._highlighted()
            if chosen is not None and chosen.path == path:  # (moved off it meanwhile: nothing asked)
                self.action_restore()
            else:
                self._status("")

    def load_failed(self, line: str) -> None:
        """The list or the checks failed (the notice says why): the backups left unchecked say so, and Enter on one
        asks at once instead of waiting for ever; the question's own check (would_drop) and the restore's
        (restore_database) still refuse one that must not be put back."""
        self._unchecked = True
        table = self.query_one(DataTable)
        for key in self._rows:
            if key not in self._refused:
                table.update_cell(key, "state", _(UNCHECKED), update_width=True)
        if self._waiting is not None:
            self._waiting = None
            self.action_restore()

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(as_text(text))

    def worker_failed(self) -> None:  # (NotifyWorkerErrors) the notice says what went wrong; the line says no more
        self._busy = False
        self._status("")

    def _highlighted(self) -> backup.BackupFile | None:
        table = self.query_one(DataTable)
        if not self._rows or table.row_count == 0:
            return None
        return self._rows.get(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    # --- b: back up now ----------------------------------------------------------------------------

    def action_backup(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._status(_("Backing up…"))
        self._back_up()

    @work(thread=True, exclusive=True, exit_on_error=False, group="backups-write")
    def _back_up(self) -> None:
        if not backup.integrity_ok(self.app.db_path):  # said for this screen: the way back is in the list above
            self.app.call_from_thread(self._backed_up, _(
                "The database is damaged, so no backup was made (its copy would push a good backup out). "
                "Highlight a good backup and press Enter to put it back."))
            return
        try:
            made, removed = backup_and_prune(self.app.db_path, db=self.app.db, checked=True)
        except UserError as exc:  # a full disk, a folder that cannot be written
            status = str(exc)
        else:
            status = join_sentences(
                _("Backup written: {file}").format(file=made.path.name),
                ngettext("{n} old backup removed.", "{n} old backups removed.", len(removed)).format(n=len(removed))
                if removed else "")
        self.app.call_from_thread(self._backed_up, status)

    def _backed_up(self, status: str) -> None:
        self._busy = False
        self.query_one(DataTable).move_cursor(row=0)  # on the backup just made, the newest
        self._load(status)

    # --- Enter: restore the highlighted backup -------------------------------------------------------

    @on(DataTable.RowSelected)
    def _selected(self) -> None:  # a click on a row, or the table's own Enter: as the key's action, when it is one
        if self.check_action("restore", ()) is not False:  # (the refused file's screen with no good backup: none)
            self.action_restore()

    def action_restore(self) -> None:
        chosen = self._highlighted()
        if chosen is None or self._busy:
            return
        if str(chosen.path) not in self._refused and not self._unchecked:  # its check running: the question waits
            self._waiting = str(chosen.path)
            self._status(_("Checking this backup first…"))
            return
        refusal = self._refused.get(str(chosen.path))
        if refusal is not None:  # the restore's own words for any other refusal (another database's, a newer one's)
            self._status(_("This backup is damaged: choose another one.") if state_of(refusal) == DAMAGED
                         else str(refusal))
            return
        self._busy = True
        self._status(_("Comparing the backup with the current data…"))
        self._ask(chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="backups-ask")
    def _ask(self, chosen: backup.BackupFile) -> None:
        # what the restore would leave out: the current database's changes the backup lacks (both files read)
        self.app.call_from_thread(self._confirm, chosen, self._compare(chosen))

    def _compare(self, chosen: backup.BackupFile) -> Dropped | None:
        return would_drop(self.app.db_path, chosen.path)

    def _confirm(self, chosen: backup.BackupFile, left: Dropped | None) -> None:
        self._busy = False
        self._status("")
        # a sentence a line, each wrapped as Chinese is set by the dialog (a figure stays with its word)
        question = "\n".join(line for line in (
            _("Put the backup of {time} in place of the current data?").format(time=moment_text(chosen.taken_at)),
            _("The current database is kept aside, and gridcare closes and opens again on the restored data."),
            will_leave_text(left) or (_("Nothing has changed since this backup.")
                                      if left is not None and not left.changes else "")) if line)

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.request_restore(chosen.path)

        self.app.push_screen(ConfirmScreen(question, yes=_("Restore"), danger=True), answered)

    async def request_restore(self, path: Path) -> None:
        """The app closes, so that the database is closed when it is replaced; run_tui restores (tui/cli.py)."""
        self._status(_("Closing to restore…"))
        # the app's threads finish first (the daily backup's copy, Home's reading): the app's exit does not wait
        # for them, and Windows refuses to replace a file another thread still holds open. (This screen's checks
        # of the backups read no database file.)
        for worker in [w for w in self.app.workers if not w.is_finished and w.group not in (LOADS, CHECKS)]:
            with contextlib.suppress(WorkerError, asyncio.TimeoutError):  # (its own failure is said elsewhere)
                await asyncio.wait_for(worker.wait(), WORKERS_WAIT)
        self.app.exit(RestoreRequest(path))

    def action_back(self) -> None:
        self.app.pop_screen()

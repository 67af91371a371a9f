"""The screen the app opens on when its database file was refused at open (storage/core/refused.py): what is wrong,
in the refusal's own words, and the file's backups as the 备份与恢复 screen lists them, Enter restoring the one
highlighted the same way (the app closes, tui/cli.py restores and opens it again on Home).

A worker who starts gridcare from the desktop shortcut has no console: the refusal's line, which names
`gridcare restore`, was printed on a terminal that closed with the app (walk E, C3). With no good backup the
screen says what to do instead; q quits, the line then said on the terminal as before (tui/refused_open.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.widgets import DataTable, Static

from screens.backups import BackupsScreen
from storage.core.i18n import N_, _
from tui.line_breaks import Wrapped

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import RenderableType

    from storage.core import backup
    from storage.core.errors import UserError
    from storage.core.refused import RefusedDatabase
    from storage.core.restore_carry import Dropped


class RefusedScreen(BackupsScreen, inherit_bindings=False):
    # no `b`: a backup of the refused file would enter the rotation as its newest, a good one pushed out
    BINDINGS = [
        Binding("enter", "restore", N_("Restore"), id="refused.restore", priority=True),
        Binding("r", "restore", N_("Restore"), show=False, id="refused.restore_alt"),
        Binding("q", "app.quit", N_("Quit"), id="refused.quit"),
    ]
    DEFAULT_CSS = """
    RefusedScreen #backups-intro {
        color: $text;
        margin-bottom: 1;
    }
    """

    def __init__(self, refusal: RefusedDatabase) -> None:
        super().__init__()
        self._refusal = refusal
        # a backup the restore would take: found (True), none among those listed (False), not known yet (None).
        # The screen is up at once and finds it itself: read before, each backup whole until a good one, it kept
        # a township's worker on "正在打开…" for seconds with nothing said.
        self._good: bool | None = None

    def _title(self) -> str:
        return _("The database cannot be opened")

    def _intro_shown(self) -> RenderableType:
        # wrapped as Chinese is set: Textual broke "…超出了 gridcare⏎会写入…" at the space, half the line left empty
        return Wrapped(self._intro())

    def _intro(self) -> str:
        if self._good:
            advice = _("Highlight a good backup below and press Enter to put it back; the current file is kept aside.")
        elif self._good is None and self._unchecked and not self._rows:  # (the list itself failed: the notice)
            advice = _("Its backups could not be read. Copy the file aside (do not delete it) and ask for help.")
        elif self._good is None and self._unchecked:  # a check raised (a bug, in the notice): none will be known
            advice = _("Its backups could not all be checked. Copy the file aside (do not delete it) and ask for "
                       "help; or highlight a backup and press Enter: it is checked before it is put back.")
        elif self._good is None:
            advice = _("Checking which of its backups can be put back…")
        else:
            advice = _("No good backup of it was found. Copy the file aside (do not delete it) and ask for help.")
        # the path on a line of its own: in the sentence, it filled the first line at 80 columns and stood alone
        return "\n".join((self._refusal.where(), self._refusal.plain(), advice))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # (nothing to restore: Enter left off the footer and F1's list too; while checking, Enter waits for the answer)
        return self._good is not False or action != "restore"

    def _known(self, good: bool | None) -> None:
        self._good = good
        self.query_one("#backups-intro", Static).update(self._intro_shown())
        self.refresh_bindings()

    def _mark(self, path: Path, refusal: UserError | None) -> None:
        if refusal is None and not self._good:  # the first good one: the advice says to choose one
            self._known(True)
        super()._mark(path, refusal)

    def load_failed(self, line: str) -> None:
        super().load_failed(line)
        if not self._good:
            self._known(self._good)  # the advice says so instead of "Checking…" for ever

    def _all_checked(self) -> None:
        if self._good is None:
            self._known(False)

    def _show(self, found: list[backup.BackupFile], status: str) -> None:
        super()._show(found, status)
        self.query_one(DataTable).display = bool(found)  # no backup at all: no empty table under the words

    def _none_yet(self) -> str:
        return ""  # (the intro says there is no good backup)

    def _compare(self, chosen: backup.BackupFile) -> Dropped | None:
        if self._refusal.foreign:  # SQL of someone else's in the file: nothing more is read of it
            from storage.core.backup_check import check_backup

            check_backup(self.app.db_path, chosen.path)
            return None
        return super()._compare(chosen)

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
from textual.widgets import DataTable

from screens.backups import BackupsScreen
from storage.core.i18n import N_, _

if TYPE_CHECKING:
    from storage.core import backup
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

    def __init__(self, refusal: RefusedDatabase, *, good: bool) -> None:
        """`good`: a backup the restore would take was found (storage/core/backup.py latest_good_backup)."""
        super().__init__()
        self._refusal = refusal
        self._good = good

    def _title(self) -> str:
        return _("The database cannot be opened")

    def _intro(self) -> str:
        if self._good:
            advice = _("Highlight a good backup below and press Enter to put it back; the current file is kept aside.")
        else:
            advice = _("No good backup of it was found. Copy the file aside (do not delete it) and ask for help.")
        return self._refusal.plain() + "\n" + advice

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self._good or action != "restore"  # (nothing to restore: Enter left off the footer too)

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

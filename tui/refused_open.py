"""The app on a database file its open refused (storage/core/refused.py): the file's backups on screen, for a worker
who started gridcare from the desktop shortcut and has no console to run `gridcare restore` in (walk E, C3).

Before, the app closed at once with the refusal's line on a terminal that closed with it: the worker saw
"正在打开…" and then nothing. Now it opens on screens/refused.py; a backup chosen there is restored between two runs
of the app as the 备份与恢复 screen's is (tui/cli.py restore_between_runs), and quitting still ends with the line
and exit status 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from storage.core.errors import UserError
from storage.core.i18n import _

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from storage.core.refused import RefusedDatabase
    from storage.core.restoring import RestoreRequest

    _AppBase = App[RestoreRequest]  # GridcareApp's result
else:
    _AppBase = object


class RefusedOpen(_AppBase):
    """Mixed into GridcareApp, whose open worker calls `_refused`, and whose failed open sets `_refusal`."""

    _refusal: UserError | None = None  # why the database could not be opened: the exit says it
    _early_home: Screen | None
    _after_open: list[Callable[[], object]]

    def _refused(self, refusal: RefusedDatabase) -> None:
        from screens.refused import RefusedScreen

        self._refusal = refusal
        screen = RefusedScreen(refusal)
        if self._early_home is not None:  # Home read its figures from the file before the full open refused it
            self._early_home, self._after_open = None, []
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    async def action_quit(self) -> None:
        if self._refusal is not None:
            self._exit_refused()
        else:
            self.exit()

    def _exit_refused(self) -> None:
        """Exit status 1 and the refusal's line on the terminal, as the command line's errors."""
        from tui.cli import EXIT_USER_ERROR

        self.exit(return_code=EXIT_USER_ERROR, message=_("gridcare: {message}").format(message=self._refusal))

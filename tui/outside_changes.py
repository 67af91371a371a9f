"""The screen in view read again when another program changed the database (`gridcare merge` in another window).

Every few seconds the app asks storage/core/outside_writes.py whether anything was committed; nothing happens when
nothing was. When something was, the screen on top is read again as F5 would if it says so with `READ_AGAIN_ON_WRITES` (Home
and the county's Home: figures and lists, nothing typed, no message of the screen's own to lose); a form, a dialog
or any other screen is left alone, and Home reads its figures again anyway when it comes back into view. (Devices
has F5 but is left out: reading it again clears its line that may still show the enrollment code just made.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from storage.core.db import Database
    from storage.core.outside_writes import WriteWatch

LOOK_SECONDS = 3.0  # a merge's figures on Home within seconds; a look costs one pragma


class OutsideChanges:
    def __init__(self, app: App) -> None:
        self._app = app
        self._watch: WriteWatch | None = None
        self._timer: Timer | None = None

    def start(self, db: Database) -> None:
        """Watch `db` (a server database is not watched: storage/core/outside_writes.py says why)."""
        from storage.core.outside_writes import watch_writes

        self.stop()
        self._watch = watch_writes(db)
        if self._watch is not None:
            self._timer = self._app.set_interval(LOOK_SECONDS, self._look)

    def _look(self) -> None:
        if self._watch is None or not self._watch.changed():
            return
        screen = self._app.screen
        reload = getattr(screen, "action_reload", None) if getattr(screen, "READ_AGAIN_ON_WRITES", False) else None
        if callable(reload):  # F5's, on the screens that say so
            reload()

    def stop(self) -> None:
        """Before the database is closed: the watch's connection would keep its -wal from being folded in."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._watch is not None:
            self._watch.close()
            self._watch = None

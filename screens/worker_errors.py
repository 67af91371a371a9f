"""What a screen says when one of its workers fails: a UserError (a full disk, a record gone) in one line,
anything else as "something went wrong" with its traceback in the log file."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from storage.core.errors import UserError
from storage.core.i18n import _
from tui.as_text import notify_text

log = logging.getLogger(__name__)

# mixed into Screen subclasses: the type checker sees the mixins as screens
if TYPE_CHECKING:
    _ScreenBase = Screen
else:
    _ScreenBase = object


def damage_named(app: object, exc: BaseException | None) -> UserError | None:
    """A value of the app's database that is not JSON, or not of its column's shape (a server's too), said naming its
    row (storage/core/unreadable.py); None for any other error."""
    from storage.core.unreadable import named_damage

    if exc is None:
        return None
    path = getattr(app, "db_path", None)
    return named_damage(exc, getattr(app, "server_url", None) or path)


class NotifyWorkerErrors(_ScreenBase):
    # the worker groups that read what the screen shows: when one fails, its line takes the place of "Loading…"
    # (a resident whose visit was edited into text that is not JSON: the page stayed on 加载中… beside the notice)
    LOAD_GROUPS: frozenset[str] = frozenset()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        self.worker_failed()
        error = damage_named(self.app, event.worker.error) or event.worker.error
        if isinstance(error, UserError):
            line = str(error)
        else:
            log.error("%s: %s failed", type(self).__name__, event.worker.name, exc_info=error)
            line = _("Something went wrong: {error}").format(error=error)
        notify_text(self, line, severity="error")
        if event.worker.group in self.LOAD_GROUPS:
            self.load_failed(line)

    def worker_failed(self) -> None:
        """Called before the message is shown."""

    def load_failed(self, line: str) -> None:
        """Shows `line` where what a LOAD_GROUPS worker read would have been."""


class SaveInWorker(NotifyWorkerErrors):
    """For a form or dialog whose save runs in a worker: a save that fails unexpectedly lets the next one run."""

    _saving = False

    def worker_failed(self) -> None:
        self._saving = False

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


class NotifyWorkerErrors(_ScreenBase):
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        self.worker_failed()
        error = event.worker.error
        if isinstance(error, UserError):
            notify_text(self, error, severity="error")
        else:
            log.error("%s: %s failed", type(self).__name__, event.worker.name, exc_info=error)
            notify_text(self, _("Something went wrong: {error}").format(error=error), severity="error")

    def worker_failed(self) -> None:
        """Called before the message is shown."""


class SaveInWorker(NotifyWorkerErrors):
    """For a form or dialog whose save runs in a worker: a save that fails unexpectedly lets the next one run."""

    _saving = False

    def worker_failed(self) -> None:
        self._saving = False

"""A screen's figures read in a worker, shown only if no newer reading was asked for meanwhile."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.worker import get_current_worker


def show_if_latest(app: App[Any], show: Callable[..., object], *args: Any) -> None:
    """From a screen's exclusive load worker: `show(*args)` on the event loop, unless a newer load replaced it.

    A thread worker cannot be stopped: cancelled by the next load (Textual's `exclusive`), it still runs to the
    end and handed its older figures over after the newer ones. The township's Home showed an emergency just
    acknowledged: the load started as the dialog closed finished after the one the acknowledgement started.
    The check runs on the event loop, where the cancelling happens too, so no reading slips between.
    """
    worker = get_current_worker()

    async def show_now() -> None:
        if not worker.is_cancelled:
            shown = show(*args)
            if inspect.isawaitable(shown):  # (the policy screen's builds its editor)
                await shown

    app.call_from_thread(show_now)  # type: ignore[arg-type]  # (textual 8 types an async callback as Never)

"""The terminal closed (SIGHUP: its window shut, an SSH link dropped, tmux killed) or the system shutting down
(SIGTERM): the app ends as Ctrl+Q ends it, so that each screen is unmounted and a form writes the draft it holds
(screens/form.py on_unmount). Without it the process died at once, and the words typed in the half second before
the draft's timer were gone: "最后一句话" typed into a visit and the window closed came back without it.
"""

from __future__ import annotations

import asyncio
import signal

from textual.app import App

SIGNALS = ("SIGHUP", "SIGTERM")  # (Windows has neither to catch this way: its console closes the process)


def exit_on_hangup(app: App) -> None:
    loop = asyncio.get_running_loop()
    for name in SIGNALS:
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            loop.add_signal_handler(number, app.exit)
        except NotImplementedError:  # an event loop without signal support (Windows' proactor)
            return
        except RuntimeError:  # an app run outside the main thread, which no signal reaches
            return

"""Driving the app in Pilot tests: one way to wait for it, and running the coroutine tests."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable

from textual.worker import WorkerCancelled, WorkerState

# a loaded CI machine can be many times slower than a quiet one: a wait that runs out is a failure, never a pass
TIMEOUT = 30.0
_ACTIVE = (WorkerState.PENDING, WorkerState.RUNNING)


async def workers_done(app) -> None:
    """Wait until the app's workers have finished.

    An exclusive worker superseded by a newer one (a search replaced by the next
    keystroke's) ends cancelled: that is the app working as meant, not a failure.
    """
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            await asyncio.wait_for(app.workers.wait_for_complete(), max(0.0, deadline - time.monotonic()))
            return
        except WorkerCancelled:
            continue
        except asyncio.TimeoutError:  # (TimeoutError itself from Python 3.11)
            busy = [w.name for w in app.workers if w.state in _ACTIVE]
            raise AssertionError(f"workers still running after {TIMEOUT:.0f} s: {busy}") from None


async def settle(pilot, until: Callable[[], object] | None = None, *, timeout: float = TIMEOUT,
                 calm: int = 2, step: float = 0.05) -> None:
    """Wait until the app is at rest, and until `until()` holds when it is given; fail if that never happens.

    At rest: no worker pending or running at `calm` checks in a row. One check is not enough: a
    screen may start its worker only after its first paint, and a loaded machine makes the gap
    likely. Work behind a timer (the search's or the visit draft's debounce) is no worker: wait for
    what it does with `until` (the rows shown, the draft written), never with a fixed sleep.
    """
    app = pilot.app
    deadline = time.monotonic() + timeout
    rest = 0
    while rest < calm:
        if time.monotonic() > deadline:
            busy = [w.name for w in app.workers if w.state in _ACTIVE]
            waited = f"workers still running: {busy}" if busy else f"{getattr(until, '__name__', until)} never held"
            screens = [type(s).__name__ for s in app.screen_stack]
            notes = [n.message for n in app._notifications]  # (what the app told the user: often the reason)
            raise AssertionError(f"the app did not settle within {timeout:.0f} s: {waited}; screens {screens}; "
                                 f"notifications {notes}")
        await pilot.pause(step)
        await workers_done(app)
        await pilot.pause()
        idle = not any(w.state in _ACTIVE for w in app.workers)
        rest = rest + 1 if idle and (until is None or until()) else 0


async def on_screen(pilot, screen: type | str, **kw) -> None:
    """Settle with a `screen` on top (the app opens its database before Home shows).

    `screen` is the class itself where the test can import it (the language switch reloads no module,
    so the screen shown is an instance of that very class), or its name.
    """
    def shown() -> bool:
        top = pilot.app.screen
        return isinstance(top, screen) if isinstance(screen, type) else type(top).__name__ == screen

    shown.__name__ = f"on_screen({getattr(screen, '__name__', screen)})"  # (named in settle()'s failure)
    await settle(pilot, shown, **kw)


async def started(pilot, screen: Callable[[], object] | None = None) -> None:
    """Wait for the app to open its database and show Home; then open `screen` (a factory) on top and settle."""
    await on_screen(pilot, "HomeScreen")
    if screen is not None:
        pilot.app.push_screen(screen())
        await settle(pilot)


async def visits_listed(pilot, resident_id: str) -> None:
    """The resident's page on top of Home, then its list of visits (v): where a visit is corrected (Enter) or
    deleted (d)."""
    from screens.resident import ResidentScreen

    await started(pilot, lambda: ResidentScreen(resident_id))
    await settle(pilot, lambda: pilot.app.screen.profile is not None)
    await pilot.press("v")
    await on_screen(pilot, "VisitPickScreen")


async def correction_opened(pilot, resident_id: str) -> None:
    """The resident's newest visit open for correction (its list, Enter), the form built and focused."""
    await visits_listed(pilot, resident_id)
    await pilot.press("enter")
    await on_screen(pilot, "VisitFormScreen")
    await settle(pilot, lambda: pilot.app.screen.query("#visit_date") and pilot.app.screen.focused is not None)


async def still(pilot) -> None:
    """Settle, then take the focus away: no blinking cursor in a snapshot."""
    await settle(pilot)
    pilot.app.screen.set_focus(None)
    await pilot.pause()


def said(app) -> list[str]:
    """What the app's toasts told the user, each message whole: notify_text (tui/as_text.py) adds line feeds where
    a toast's lines break, and they are taken out (a message's own line feeds too)."""
    return [str(n.message).replace("\n", "") for n in app._notifications]


def run_async(test):
    """No asyncio plugin in the test stack: run the coroutine test to completion."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper


async def folder_read(pilot, screen, folder) -> None:
    """The Sync screen's folder typed and Enter pressed: the bundles in it listed (the screen at rest)."""
    from textual.widgets import Input

    field = screen.query_one("#folder", Input)
    field.value = str(folder)
    field.focus()
    await pilot.press("enter")
    await settle(pilot)

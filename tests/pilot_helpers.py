"""Waiting for an app's workers in Pilot tests."""

from __future__ import annotations

from textual.worker import WorkerCancelled


async def workers_done(app, attempts: int = 20) -> None:
    """Wait until the app's workers have finished.

    An exclusive worker superseded by a newer one (a search replaced by the next
    keystroke's) ends cancelled: that is the app working as meant, not a failure.
    """
    for _ in range(attempts):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue
    await app.workers.wait_for_complete()


def run_async(test):
    """No asyncio plugin in the test stack: run the coroutine test to completion."""
    import asyncio
    import functools

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper


async def quiet(pilot, rounds: int = 3, step: float = 0.1, limit: int = 100) -> None:
    """Wait until no worker has run for `rounds` consecutive pauses.

    A screen may start its worker only after its first paint; one check of "no worker
    running" can come before that start, and a loaded CI machine makes it likely.
    """
    calm = 0
    for _ in range(limit):
        await pilot.pause(step)
        await workers_done(pilot.app)
        calm = calm + 1 if not any(w.is_running for w in pilot.app.workers) else 0
        if calm >= rounds:
            return

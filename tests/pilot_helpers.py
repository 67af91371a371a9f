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

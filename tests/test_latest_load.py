"""A screen shows its latest reading, never an older one that finished after it.

Seen in CI: the township's Home still listed an emergency just acknowledged. The load started as the dialog
closed (screen resume) ended after the load the acknowledgement started, and its older figures replaced the
newer ones: a cancelled thread worker still runs to its end (screens/latest.py).
"""

from __future__ import annotations

import threading

from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app


async def until(pilot, condition) -> None:
    """Wait for `condition` alone (settle() would wait for the slow worker itself)."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("never held")


@run_async
async def test_an_older_reading_finishing_last_does_not_replace_the_newer(tmp_path, monkeypatch):
    import screens.home
    from storage.register.home import home_data

    db = make_register_db(tmp_path / "w.db")
    db.dispose()
    app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot)
        home = app.screen
        release = threading.Event()
        readings = []

        threads = []

        def reading(db, today):
            data = home_data(db, today)
            readings.append(data)
            threads.append(threading.current_thread())
            if len(readings) == 1:  # the first reading is slow: it ends after the second
                release.wait(5)
            return data

        handed = threading.Event()  # the slow reading has handed its figures to the event loop
        call_from_thread = app.call_from_thread

        def calling_from_thread(callback, *args, **kwargs):
            try:
                return call_from_thread(callback, *args, **kwargs)  # returns once the callback has run
            finally:
                if threading.current_thread() is threads[0]:
                    handed.set()

        monkeypatch.setattr(screens.home, "home_data", reading)
        monkeypatch.setattr(app, "call_from_thread", calling_from_thread)
        home.action_reload()
        await until(pilot, lambda: len(readings) == 1)
        home.action_reload()
        await until(pilot, lambda: len(readings) == 2 and home.data is readings[1])
        release.set()
        await until(pilot, handed.is_set)
        await settle(pilot)
        assert home.data is readings[1]

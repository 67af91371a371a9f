"""Start-up steps begun before Textual loads (tui/startup.py Startup.begin, called by tui/cli.py run_tui).

The lock and Home's quick read run in a thread of their own while the app's modules load; the app's worker then
gets from lock() and quick_home() what that thread found, or what it met raised there, as if run in the worker.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.lock import AppLock, DatabaseInUse
from tests.register_helpers import make_register_db
from tui.startup import Startup

TODAY = dt.date(2026, 11, 24)


def _figures(quick) -> tuple:
    role, data = quick
    return role, data.today, [(row.id, row.due_on, row.days_overdue) for row in data.overdue + data.due_week]


def test_begun_early_the_figures_are_those_read_in_the_worker(tmp_path):
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    now = Startup(path)
    now.lock()
    read_now = now.quick_home(TODAY)
    now.close(None)
    early = Startup(path)
    early.begin(TODAY)
    early.lock()
    read_early = early.quick_home(TODAY)
    assert read_now is not None and read_early is not None
    assert _figures(read_early) == _figures(read_now) and read_now[1].overdue
    assert early.quick_later(read_early[1]) is not None  # the early read's connection serves the later figures
    early.close(None)
    with AppLock(path):  # released at close: another window may open it now
        pass


def test_a_lock_held_elsewhere_is_raised_by_lock_in_the_worker_not_lost_in_the_early_thread(tmp_path):
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    with AppLock(path):
        early = Startup(path)
        early.begin(TODAY)
        with pytest.raises(DatabaseInUse):
            early.lock()
        early.close(None)


def test_a_day_other_than_the_early_reads_is_read_again(tmp_path):
    """Begun before midnight, asked after: the figures are the new day's."""
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    early = Startup(path)
    early.begin(TODAY)
    early.lock()
    later_day = TODAY + dt.timedelta(days=40)
    quick = early.quick_home(later_day)
    fresh = Startup(path)
    expected = fresh._read_home(later_day)
    assert quick is not None and expected is not None
    assert _figures(quick) == _figures(expected) != _figures(early._read_home(TODAY))
    fresh.close(None)
    early.close(None)


def test_an_app_that_ends_before_its_worker_runs_leaves_the_lock_free(tmp_path):
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    early = Startup(path)
    early.begin(TODAY)
    early.close(None)  # run_tui's close after app.run(), the app never mounted
    with AppLock(path):
        pass

"""Shared test setup. Tests read English messages unless they ask for Chinese."""

from __future__ import annotations

import functools
import gc
import os

import pytest

from storage.core import enrollment
from storage.core.i18n import set_language
from tests import shared_sql_cache

# every database a test process opens compiles its SQL once, as the app's one engine does (tests/shared_sql_cache.py)
shared_sql_cache.install()
# an enrollment derives its code's key on both sides, the township's and the laptop's (scrypt: 40 ms by design, to
# slow down guessing): in a test both sides are often this one process, and the key of the same code, scope and
# unit is the same, so it is derived once (GRIDCARE_TEST_FRESH_KDF=1: every time, as before)
if not os.environ.get("GRIDCARE_TEST_FRESH_KDF"):
    enrollment.code_key = functools.lru_cache(maxsize=1024)(enrollment.code_key)  # type: ignore[assignment]


DEFAULT_GC = gc.get_threshold()


def pytest_collection_finish(session):
    # Python's cycle collector with its default thresholds took an eighth of the screen tests' time (a Textual app
    # makes and drops objects by the hundred thousand): what was loaded before the first test is set aside, and
    # the youngest generation collected every 20,000 new objects, not 700. The app itself keeps the defaults; a test
    # that measures memory asks for them (the `default_gc` fixture)
    if os.environ.get("GRIDCARE_TEST_GC") == "default":  # (to measure the difference)
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


@pytest.fixture
def default_gc():
    """Python's own collector thresholds, as the app and the command line run with, for a test that measures memory."""
    quick = gc.get_threshold()
    gc.set_threshold(*DEFAULT_GC)
    gc.collect()
    yield
    gc.set_threshold(*quick)


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch, tmp_path_factory):
    # no test writes logs or data into the real user folders
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("GRIDCARE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("GRIDCARE_LOG_DIR", str(home / "log"))
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def town_db(tmp_path):
    """The hand-built township of tests/report_helpers.py in a file of its own, closed afterwards."""
    from tests.report_helpers import build_township

    db, _ids = build_township(tmp_path / "t.db")
    yield db
    db.dispose()


@pytest.fixture
def pg_url():
    """The URL of a new, empty PostgreSQL database (dropped afterwards); see tests/pg.py."""
    from tests import pg

    with pg.fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_target(request, tmp_path):
    """Where a test's database lives, once per engine: a SQLite file, then a PostgreSQL URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "gridcare.db")
    else:
        from tests import pg

        with pg.fresh_database() as url:
            yield url


def pytest_runtest_setup(item):
    # every test marked `postgres` needs the server, fixture or not: skipped (or, in CI, failed) without one
    if item.get_closest_marker("postgres"):
        from tests import pg

        pg.server_url()


@pytest.hookimpl(trylast=True)  # after `-m` has deselected: the run's own items
def pytest_collection_modifyitems(config, items):
    # no long test starts last and keeps one worker busy after the others are done (tests/run_order.py)
    from tests import run_order

    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1 and config.getoption("dist", None) == "worksteal":
        items[:] = run_order.spread_order(items, workers)
    else:
        items[:] = run_order.longest_first(items)

"""A clerk keeps the app open on Home while `gridcare merge` runs in another window on the same database: Home shows
the merged figures within seconds, without F5; it reads nothing while nothing changes, and a form being typed in is
left alone (tui/outside_changes.py, storage/core/outside_writes.py)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

import screens.home
from storage.core.db import open_database
from storage.core.outside_writes import watch_writes
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import elder, make_township
from tests.test_drop_down_drawn import drawn_lines
from tui import outside_changes
from tui.app import make_app

TODAY = dt.date(2026, 12, 2)
LOOK = 0.1  # seconds between the app's looks, in the tests


@pytest.fixture(autouse=True)
def quick_looks(monkeypatch):
    import tui.app

    monkeypatch.setattr(outside_changes, "LOOK_SECONDS", LOOK)
    monkeypatch.setattr(tui.app, "BACKUP_DELAY", 3600.0)  # its audit entry is a write of its own


def _reads(monkeypatch) -> list[int]:
    """How often Home reads its figures."""
    counted: list[int] = []
    real = screens.home.home_data

    def home_data(*args, **kw):
        counted.append(1)
        return real(*args, **kw)
    monkeypatch.setattr(screens.home, "home_data", home_data)
    return counted


def _bundle(t, tmp_path, name: str):
    worker = open_database(tmp_path / "G01.db") if (tmp_path / "G01.db").exists() else t.worker("王芳", "G01")
    elder(worker, name)
    made = export_bundle(worker, tmp_path / "usb").path
    worker.dispose()
    return made


@run_async
async def test_a_merge_in_another_window_shows_on_home_without_f5(tmp_path, monkeypatch):
    t = make_township(tmp_path)
    bundle = _bundle(t, tmp_path, "张三")
    reads = _reads(monkeypatch)
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert not any("张三" in line for line in drawn_lines(app))
        before = len(reads)
        await pilot.pause(LOOK * 10)  # ten looks at an unchanged database: nothing read, nothing drawn again
        assert len(reads) == before

        # `gridcare merge` in the other window: another connection's commit
        await asyncio.to_thread(merge_paths, t.db, [bundle])
        await settle(pilot, lambda: any("张三" in line for line in drawn_lines(app)), timeout=10)
        assert any(line.startswith(" 逾期 1 ") for line in drawn_lines(app)), drawn_lines(app)
        once = len(reads)
        await pilot.pause(LOOK * 10)
        assert len(reads) == once  # read once for the merge, not at every look after it


@run_async
async def test_a_form_being_typed_in_is_left_alone_by_a_merge_elsewhere(tmp_path, monkeypatch):
    t = make_township(tmp_path)
    bundle = _bundle(t, tmp_path, "李四")
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("n")  # the clerk registers someone herself
        await on_screen(pilot, "ResidentFormScreen")
        form = app.screen
        await pilot.press(*"王五")
        typed = "\n".join(drawn_lines(app))
        await asyncio.to_thread(merge_paths, t.db, [bundle])
        await pilot.pause(LOOK * 10)
        assert app.screen is form and "\n".join(drawn_lines(app)) == typed  # nothing redrawn under her typing
        await pilot.press("escape")
        await on_screen(pilot, "ConfirmScreen")  # (what she typed: left unsaved?)
        await pilot.press("y")
        await settle(pilot, lambda: any("李四" in line for line in drawn_lines(app)), timeout=10)  # Home, read again


def test_a_server_database_is_not_watched(tmp_path):
    """PostgreSQL has no cheap counter of the database's commits: a county there is read again by F5 only."""
    db = open_database(tmp_path / "w.db")

    class Server:
        path = None
    assert watch_writes(Server()) is None  # type: ignore[arg-type]
    watch = watch_writes(db)
    assert watch is not None and not watch.changed()
    other = open_database(tmp_path / "w.db")
    with other.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE noted (x)")
    assert watch.changed() and not watch.changed()
    watch.close()
    other.dispose()
    db.dispose()

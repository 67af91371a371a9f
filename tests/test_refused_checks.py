"""The screen a refused database opens on comes up at once, its backups checked while it is shown.

Seen on a township's file: the app found the newest good backup before showing the screen, reading each backup
whole, and the worker looked at "正在打开…" for seconds with nothing said. Now the refusal and the list are up at
once, each backup's state is filled in as it is known, and the advice settles when the checks end. F1 there
listed "esc 返回", which does nothing with no screen behind.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

import storage.core.backup_check as backup_check
from screens.dialogs import ConfirmScreen
from screens.help import HelpScreen, key_rows
from storage.core import backup
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY
from tests.test_refused_open import _register_with_a_backup
from tui.app import make_app

WAIT = 20.0  # seconds a test waits for what it expects before failing


@pytest.fixture(autouse=True)
def no_daily_backup(monkeypatch):
    import tui.app

    monkeypatch.setattr(tui.app, "BACKUP_DELAY", 3600.0)


@pytest.fixture
def held(monkeypatch):
    """Each backup's check held until the test lets it go (the seconds a township's backup takes)."""
    gate = threading.Event()
    check = backup_check._refusal

    def slow(db_path: Path, backup_file: Path):
        gate.wait(WAIT)
        return check(db_path, backup_file)

    monkeypatch.setattr(backup_check, "_refusal", slow)
    yield gate
    gate.set()  # (a thread still held at a failure is not left waiting)


async def _until(pilot, holds, what: str, within: float = WAIT) -> None:
    """Wait for `holds()` without waiting for the workers (one is held on purpose)."""
    deadline = time.monotonic() + within
    while not (pilot.app.screen_stack and holds()):
        assert time.monotonic() < deadline, f"never: {what}; screens {[type(s).__name__ for s in pilot.app.screen_stack]}"
        await pilot.pause(0.05)


def _text(app, selector: str) -> str:
    shown = app.screen.query_one(selector, Static).content  # (the intro wrapped as Chinese is set: a Typeset)
    return str(getattr(shown, "text", shown)).replace("\n", " ")


def _states(app) -> list[str]:
    tables = app.screen.query(DataTable)
    if not tables:  # (not composed yet)
        return []
    table = tables.first()
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


@run_async
async def test_the_screen_is_up_before_any_backup_is_checked_and_enter_waits_for_its_check(tmp_path, held):
    path, _names, taken = _register_with_a_backup(tmp_path, "DROP TABLE referral;")
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: type(app.screen).__name__ == "RefusedScreen" and _states(app) == ["checking…"],
                     "the refused screen with its backup listed, unchecked")
        intro = _text(app, "#backups-intro")
        assert "its table referral is missing" in intro and "Checking which of its backups" in intro, intro
        await pilot.press("enter")  # before its check is done: nothing asked yet
        # said at once: the key was held until every check was over (tui/keys_ahead.py waited PUT_UP_WAIT, 10 s)
        await _until(pilot, lambda: "Checking this backup first" in _text(app, "#status"), "the status saying so",
                     within=5.0)
        assert type(app.screen).__name__ == "RefusedScreen"
        held.set()
        await on_screen(pilot, ConfirmScreen)  # asked once the check called it good, with no second Enter
        await pilot.press("escape")
        await on_screen(pilot, "RefusedScreen")
        assert _states(app) == ["good"] and "press Enter to put it back" in _text(app, "#backups-intro")
    assert app.return_value is None and taken.path.is_file()


@run_async
async def test_enter_on_a_backup_found_damaged_meanwhile_asks_nothing_and_the_advice_settles(tmp_path, held):
    path, _names, taken = _register_with_a_backup(tmp_path, "DROP TABLE referral;")
    taken.path.write_bytes(b"not a database" * 100)
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: type(app.screen).__name__ == "RefusedScreen" and _states(app) == ["checking…"],
                     "the refused screen with its backup listed, unchecked")
        await pilot.press("enter")
        held.set()
        await settle(pilot, lambda: _states(app) == ["damaged"])
        assert type(app.screen).__name__ == "RefusedScreen"  # no question: the backup is damaged
        assert "damaged: choose another one" in _text(app, "#status")
        assert "No good backup of it was found" in _text(app, "#backups-intro")
        assert "restore" not in {b.binding.action for b in app.screen.active_bindings.values()}
    assert app.return_value is None


@pytest.mark.parametrize(("lang", "back", "quit_", "restore"), [("en", "Back", "Quit", "Restore"),
                                                                   ("zh_CN", "返回", "退出程序", "恢复")])
@run_async
async def test_f1_on_the_refused_screen_lists_only_keys_that_work_there(tmp_path, lang, back, quit_, restore):
    path, _names, _taken = _register_with_a_backup(tmp_path, "DROP TABLE referral;")
    app = make_app(path, lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "RefusedScreen")
        await pilot.press("escape")  # does nothing: there is no screen behind
        await settle(pilot)
        assert type(app.screen).__name__ == "RefusedScreen"
        await pilot.press("f1")
        await on_screen(pilot, HelpScreen)
        shown = app.screen.query_one(DataTable)
        listed = [(str(shown.get_row_at(i)[0]), str(shown.get_row_at(i)[1])) for i in range(shown.row_count)]
        assert listed == key_rows(app, app.screen_stack[-2])  # (the screen below's rows, as the help shows them)
        assert back not in {what for _keys, what in listed}, listed
        assert ("q", quit_) in listed and ("⏎, r", restore) in listed, listed


def test_the_backups_screen_still_lists_esc_with_home_behind(tmp_path):
    """The app's Esc is left out only where it does nothing: from 备份与恢复 it goes back to Home."""
    import asyncio

    from screens.backups import BackupsScreen
    from tests.pilot_helpers import started
    from tests.register_helpers import make_register_db

    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    backup.backup_now(path)

    async def run() -> None:
        app = make_app(path, lang="en", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot)
            assert "Back" not in {w for _k, w in key_rows(app, app.screen)}  # Home: nothing behind it
            await started(pilot, BackupsScreen)
            assert "Back" in {w for _k, w in key_rows(app, app.screen)}
            await pilot.press("escape")
            await on_screen(pilot, "HomeScreen")

    asyncio.run(run())


@pytest.fixture
def checks_raise(monkeypatch):
    """The backups' check raising, a bug and not a refusal (what the restore would refuse comes back as a value)."""
    import screens.backups

    def broken(db_path: Path, files):
        raise RuntimeError("the check broke")
        yield  # (a generator, as refusals is)

    monkeypatch.setattr(screens.backups, "refusals", broken)


@run_async
async def test_a_check_that_raises_leaves_advice_that_says_so_and_enter_still_asks(tmp_path, checks_raise):
    """Seen: the notice said the error, and the advice stayed on 正在检查哪些备份可以恢复… for ever, Enter waiting
    for a check that would never answer."""
    path, _names, taken = _register_with_a_backup(tmp_path, "DROP TABLE referral;")
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "RefusedScreen")
        await settle(pilot, lambda: "could not all be checked" in _text(app, "#backups-intro"))
        intro = _text(app, "#backups-intro")
        assert "Checking which" not in intro and "Copy the file aside" in intro, intro
        assert _states(app) == ["not checked"]
        await pilot.press("enter")  # the question's own check (would_drop) reads the backup: found good, asked
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("escape")
    assert app.return_value is None and taken.path.is_file()


@run_async
async def test_enter_pressed_while_the_check_runs_is_not_left_waiting_when_it_raises(tmp_path, monkeypatch):
    import screens.backups

    gate = threading.Event()

    def broken(db_path: Path, files):
        gate.wait(WAIT)
        raise RuntimeError("the check broke")
        yield

    monkeypatch.setattr(screens.backups, "refusals", broken)
    path, _names, _taken = _register_with_a_backup(tmp_path, "DROP TABLE referral;")
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            await _until(pilot, lambda: type(app.screen).__name__ == "RefusedScreen" and _states(app) == ["checking…"],
                         "the refused screen with its backup listed, unchecked")
            await pilot.press("enter")
            await _until(pilot, lambda: "Checking this backup first" in _text(app, "#status"), "the status", 5.0)
        finally:
            gate.set()
        await on_screen(pilot, ConfirmScreen)  # asked without a second Enter once the check failed
        await pilot.press("escape")

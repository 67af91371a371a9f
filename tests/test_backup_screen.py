"""The 备份与恢复 screen (walk E, C3): a worker with only the desktop shortcut backs up and restores on screen.

Home's `b` and the palette (备份, 恢复, beifen) open it; it lists the backups with their time, size and check;
`b` backs up as `gridcare backup` does; Enter asks, then the app closes and run_tui restores as
`gridcare restore` does (the bundle numbers carried, the replaced file kept aside) and opens the app again,
Home saying what was done. A damaged database's notice in the app points at the screen, not at a console.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input, Static

from screens.backups import BackupsScreen
from screens.dialogs import ConfirmScreen
from screens.home import HomeScreen
from storage.core import backup
from storage.core.audit import entries
from storage.core.db import open_database
from storage.core.restoring import RestoreRequest
from storage.sync.export import export_bundle
from tests.pilot_helpers import on_screen, run_async, said, settle
from tests.register_helpers import TODAY, make_register_db
from tests.sync_helpers import elder, make_township
from tui.app import make_app
from tui.cli import restore_between_runs, run_tui

NOON = dt.datetime(2026, 11, 20, 12, 0, 0)


@pytest.fixture(autouse=True)
def no_daily_backup(monkeypatch):
    """The app's own daily backup (five seconds after it opens) would add a row to the lists these tests read."""
    import tui.app

    monkeypatch.setattr(tui.app, "BACKUP_DELAY", 3600.0)


def _rows(app) -> list[list[str]]:
    table = app.screen.query_one(DataTable)  # (Babel puts a narrow no-break space before AM)
    return [[str(c).replace("\u202f", " ") for c in table.get_row_at(i)] for i in range(table.row_count)]


def _status(app) -> str:
    return str(app.screen.query_one("#status", Static).render())


def _names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM resident")}
    conn.close()
    return names


@run_async
async def test_home_b_lists_the_backups_newest_first_with_size_and_check(tmp_path):
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    older = backup.backup_now(path, now=NOON)
    newer = backup.backup_now(path, now=NOON + dt.timedelta(days=1))
    damaged = newer.path.with_name("gridcare-backup-20261122-090000.db")
    damaged.write_bytes(b"not a database" * 100)
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        await pilot.press("b")
        await on_screen(pilot, BackupsScreen)
        await settle(pilot, lambda: "checking…" not in str(_rows(app)))
        rows = _rows(app)
        assert [r[0] for r in rows] == ["Nov 22, 2026, 9:00:00 AM", "Nov 21, 2026, 12:00:00 PM",
                                        "Nov 20, 2026, 12:00:00 PM"]  # through Babel, newest first
        assert [r[2] for r in rows] == ["damaged", "good", "good"]
        assert re.fullmatch(r"[\d,.]+ (kB|MB)", rows[1][1]) and rows[0][1] == "1 kB", rows
        await pilot.press("enter")  # on the damaged one: refused, nothing asked
        await settle(pilot)
        assert isinstance(app.screen, BackupsScreen) and "damaged" in _status(app)
    assert older.path.exists() and damaged.exists()


@run_async
async def test_b_on_the_screen_backs_up_now_with_the_audit_entry(tmp_path):
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        app.open_screen("backup")
        await on_screen(pilot, BackupsScreen)
        assert _rows(app) == [] and "No backups yet" in _status(app)
        await pilot.press("b")
        await settle(pilot, lambda: len(_rows(app)) == 1)
        [made] = backup.list_backups(path)
        assert f"Backup written: {made.path.name}" in _status(app)
        await settle(pilot, lambda: _rows(app)[0][2] == "good")
        assert [e.action for e in entries(app.db)][:1] == ["backup"]


@run_async
async def test_the_palette_finds_the_screen_by_备份_恢复_and_beifen(tmp_path):
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    app = make_app(path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        for query in ("备份", "恢复", "beifen"):
            await pilot.press("ctrl+p")
            await settle(pilot, lambda: CommandPalette.is_open(app))
            app.screen.query_one(Input).value = query
            await settle(pilot, lambda: _offers(app, "备份与恢复"))
            await pilot.press("escape")
            await settle(pilot, lambda: not CommandPalette.is_open(app))
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: CommandPalette.is_open(app))
        app.screen.query_one(Input).value = "beifen"
        await settle(pilot, lambda: _offers(app, "备份与恢复"))
        await pilot.press("enter")
        await on_screen(pilot, BackupsScreen)


def _offers(app, label: str) -> bool:
    if not CommandPalette.is_open(app):
        return False
    options = app.screen.query_one(CommandList)
    return any(str(options.get_option_at_index(i).prompt).startswith(label) for i in range(options.option_count))


def _worker_with_a_backup(tmp_path):
    """A worker who sent bundle 1, backed up, then registered 吴阿婆 and sent her in bundle 2."""
    town = make_township(tmp_path)
    db = town.worker("王芳", "G01")
    path = db.path
    usb = tmp_path / "usb"
    usb.mkdir()
    elder(db, "张三")
    export_bundle(db, usb)
    taken = backup.backup_now(path, now=NOON)
    elder(db, "吴阿婆")
    export_bundle(db, usb)
    db.dispose()
    return path, taken, usb


async def _restore_question(pilot) -> None:
    """From Home: the backups (b), the newest restored (Enter), its question up."""
    await on_screen(pilot, HomeScreen)
    await pilot.press("b")
    await on_screen(pilot, BackupsScreen)
    await pilot.press("enter")
    await on_screen(pilot, ConfirmScreen)


@run_async
async def test_a_restore_chosen_on_screen_closes_the_app_and_run_tui_restores_it(tmp_path):
    path, taken, usb = _worker_with_a_backup(tmp_path)
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _restore_question(pilot)
        question = str(app.screen.query_one("#dialog-message", Static).content).replace("\u202f", " ")
        assert "Nov 20, 2026, 12:00:00 PM" in question and "kept aside" in question, question
        assert "after the backup will not be in the restored database" in question and "bundle 2" in question
        await pilot.press("enter")  # the safe answer has the focus: No
        await on_screen(pilot, BackupsScreen)
        assert app.return_value is None
        await pilot.press("r")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
    request = app.return_value
    assert request == RestoreRequest(taken.path)
    assert "吴阿婆" in _names(path)  # nothing replaced while the app was open

    text, severity = restore_between_runs(app.db_path, request)  # what run_tui does once the app is closed
    assert severity == "information" and "Restored the backup of Nov 20, 2026, 12:00:00 PM" in text.replace(
        "\u202f", " "), text
    assert "already sent in bundle 2" in text
    assert _names(path) == {"张三"}
    [aside] = [p for p in path.parent.glob("G01.db.before-restore-*") if not p.name.endswith(("-wal", "-shm"))]
    assert _names(aside) == {"张三", "吴阿婆"}  # the previous file kept aside
    db = open_database(path)
    try:
        assert entries(db)[0].action == "restore"  # in the restored database's log, as `gridcare restore` records
        elder(db, "冯小妹")
        export_bundle(db, usb)
    finally:
        db.dispose()
    assert sorted(p.name.split("-")[-2] for p in usb.iterdir()) == ["0001", "0002", "0003"]  # numbers carried on

    again = make_app(path, lang="en", today=TODAY, notice=(text, severity))  # the app opened again, Home says so
    async with again.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        assert any("Restored the backup of" in n.message for n in again._notifications)


def test_run_tui_restores_between_two_runs_of_the_app(tmp_path, monkeypatch):
    """run_tui's loop itself: the app's result asks for a restore, the app opens again with the outcome."""
    import tui.app

    path, taken, _usb = _worker_with_a_backup(tmp_path)
    made: list[dict] = []

    class OneRun:
        def __init__(self, db_path, lang=None, *, milestone=None, notice=None):
            made.append({"notice": notice})
            self.db_path, self.return_code = Path(db_path), 0

        def run(self):
            return RestoreRequest(taken.path) if len(made) == 1 else None

    monkeypatch.setattr(tui.app, "make_app", OneRun)
    assert run_tui(argparse.Namespace(db=str(path), lang="en")) == 0
    assert len(made) == 2 and made[0]["notice"] is None
    text, severity = made[1]["notice"]
    assert severity == "information" and "Restored the backup of" in text
    assert _names(path) == {"张三"}


def test_a_refused_restore_opens_the_app_again_saying_why(tmp_path):
    path, _taken, _usb = _worker_with_a_backup(tmp_path)
    bad = tmp_path / "gridcare-backup-20261120-130000.db"
    bad.write_bytes(b"garbage" * 500)
    text, severity = restore_between_runs(path, RestoreRequest(bad))
    assert severity == "error" and text.startswith("Nothing was restored") and "damaged" in text
    assert "吴阿婆" in _names(path)


def test_the_apps_damaged_database_notice_points_at_the_screen_the_cli_at_the_command(tmp_path):
    from tests.test_backup import _damage
    from tui.startup import Startup

    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    backup.backup_now(path, now=NOON)
    _damage(path)
    made, on_screen_text = Startup(path).backup()
    assert made is None and "press b on Home" in on_screen_text and "gridcare restore" not in on_screen_text
    assert "gridcare restore" in backup.damaged_message(path)  # the command line's words stay


@run_async
async def test_on_a_server_database_the_screen_says_the_server_backs_it_up(tmp_path):
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        app.server_url = "postgresql://county@db.example/county"  # (what the app holds for a server database)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("pg_dump" in n.message for n in app._notifications)


def _damage(path) -> None:
    """The change log's root page overwritten: the schema still reads, the app opens (walk E, C3)."""
    with sqlite3.connect(path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'event'").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    for i in range((root - 1) * size + 8, root * size, 7):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    assert not backup.integrity_ok(path)


def test_a_command_on_a_damaged_database_says_so_in_one_line(tmp_path):
    """It said "发生意外错误；详情见 …" (a bug's words) for a file a power cut damaged."""
    import os

    from tests.cli_forks import run_cli

    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    _damage(path)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "GRIDCARE_LOG_DIR": str(tmp_path / "log")}
    out = run_cli(["--lang", "zh_CN", "--db", str(path), "report", "--month", "2026-11"], env=env, cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == ["gridcare：数据库文件已损坏：请从备份恢复（在“今日”页按 b 打开“备份与恢复”，"
                                               "或运行 gridcare restore）。没有做任何更改。"], out.stderr


@run_async
async def test_b_on_a_damaged_database_says_so_and_keeps_the_good_backups(tmp_path):
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    good = backup.backup_now(path, now=NOON)
    _damage(path)
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.db is not None)
        # Home says what is wrong and what to do (its list read the damaged table: it was left empty, silently)
        await settle(pilot, lambda: any("database file is damaged" in note for note in said(app)))
        assert any("b on Home opens Backup and restore" in note for note in said(app))
        app.open_screen("backup")
        await on_screen(pilot, BackupsScreen)
        await pilot.press("b")
        await settle(pilot, lambda: "no backup was made" in _status(app))
        assert "press Enter to put it back" in _status(app)
    assert [b.path for b in backup.list_backups(path)] == [good.path]


@run_async
async def test_a_county_on_a_file_has_the_screen_too(tmp_path):
    from screens.county_home import CountyHomeScreen
    from tests.county_helpers import make_county

    make_county(tmp_path / "county.db", tmp_path / "county.pub").dispose()
    app = make_app(tmp_path / "county.db", lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, CountyHomeScreen)
        await pilot.press("b")
        await on_screen(pilot, BackupsScreen)
        await pilot.press("b")
        await settle(pilot, lambda: len(_rows(app)) == 1)


@run_async
async def test_the_restore_question_keeps_each_figure_with_its_word_at_80_columns(tmp_path):
    """Walked at 80×24 in Chinese: the question broke "备份之后的 1⏎项修改" (Rich breaks at the last space that fits)."""
    from tests.test_drop_down_drawn import drawn_lines

    path, _taken, _usb = _worker_with_a_backup(tmp_path)
    app = make_app(path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _restore_question(pilot)
        lines = [line.strip(" ▊▎▏┃│") for line in drawn_lines(app)]
        said = "".join(line.strip() for line in lines)
        assert "备份之后的" in said and "项修改" in said and "第 2 个数据包" in said, lines
        # no line ends with a figure whose word starts the next one
        for line, below in zip(lines, lines[1:], strict=False):
            assert not (re.search(r"\d$", line.rstrip()) and below.strip()[:1] in "项个人条"), (line, below)
        assert any(re.search(r"\d+ 项修改", line) for line in lines), lines

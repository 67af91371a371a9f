"""A database the open refuses (a table missing, a clock past the horizon, SQL of someone else's), in the app.

Seen in tmux at 80×24: a worker who starts gridcare from the desktop shortcut saw "正在打开…", then the window
closed; the refusal's line, which says to run `gridcare restore`, went to a terminal that closed with it. Now the
app opens on a screen that says what is wrong and lists the file's backups; Enter restores one as the 备份与恢复
screen does, and the app opens again on Home. The command line keeps its one line and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Static

from screens.dialogs import ConfirmScreen
from screens.home import HomeScreen
from storage.core import backup, hlc
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app
from tui.cli import restore_between_runs

NOON = dt.datetime(2026, 11, 20, 12, 0, 0)


@pytest.fixture(autouse=True)
def no_daily_backup(monkeypatch):
    import tui.app

    monkeypatch.setattr(tui.app, "BACKUP_DELAY", 3600.0)


def _names(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {n for (n,) in conn.execute("SELECT name FROM resident")}
    finally:
        conn.close()


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()


def _spoil(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.executescript(sql)
    finally:
        conn.close()


def _register_with_a_backup(tmp_path: Path, spoil: str) -> tuple[Path, set[str], backup.BackupFile]:
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    taken = backup.backup_now(path, now=NOON)
    names = _names(path)
    _spoil(path, spoil)
    return path, names, taken


def _intro(app) -> str:
    shown = app.screen.query_one("#backups-intro", Static).content  # (wrapped as Chinese is set: tui/line_breaks.py)
    return str(getattr(shown, "text", shown)).replace("\n", " ")


@run_async
async def test_a_missing_table_opens_on_the_backups_and_enter_restores_to_home(tmp_path):
    path, names, taken = _register_with_a_backup(tmp_path, "DROP TABLE referral;")
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "RefusedScreen")
        table = app.screen.query_one(DataTable)
        await settle(pilot, lambda: table.row_count == 1 and str(table.get_row_at(0)[2]) == "good")
        intro = _intro(app)
        assert f"Database: {path} The database is damaged: its table referral is missing." in intro, intro
        assert "press Enter to put it back" in intro and "gridcare restore" not in intro
        await pilot.press("enter")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
    assert app.return_value is not None and app.return_value.backup == taken.path
    text, severity = restore_between_runs(app.db_path, app.return_value)  # what run_tui does between the runs
    assert severity == "information" and "Restored the backup of" in text
    again = make_app(path, lang="en", today=TODAY, notice=(text, severity))
    async with again.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        assert again.db is not None and again.return_code is None
    assert _names(path) == names and len(names) > 1  # the register back as it was backed up


@run_async
async def test_with_no_good_backup_the_screen_says_what_to_do_and_q_quits_with_status_1(tmp_path):
    path = tmp_path / "w.db"
    make_register_db(path).dispose()
    damaged = backup.backup_now(path, now=NOON).path
    damaged.write_bytes(b"not a database" * 100)
    _spoil(path, "DROP TABLE referral;")
    app = make_app(path, lang="zh_CN", today=TODAY)
    exits: list[dict] = []
    exit_now = app.exit
    app.exit = lambda *a, **k: (exits.append(k), exit_now(*a, **k))  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "RefusedScreen")
        intro = _intro(app)
        assert "没有找到" in intro and "不要删除" in intro and "寻求帮助" in intro, intro
        assert "gridcare restore" not in intro
        await pilot.press("enter")  # on the damaged backup: refused, nothing asked
        await settle(pilot)
        assert type(app.screen).__name__ == "RefusedScreen"
        # the table's own Enter (and a click) did what the footer's absent key says: nothing — it said "choose
        # another one" where there is no other
        assert str(app.screen.query_one("#status", Static).render()).strip() == ""
        await pilot.press("q")
    assert app.return_code == 1 and app.return_value is None
    assert [str(e.get("message")) for e in exits] == [  # the command line's line, on the terminal
        f"gridcare：{path} 已损坏：缺少数据表 referral。没有做任何更改；请恢复备份（gridcare restore）。"]
    assert "referral" not in _tables(path)  # nothing changed in the refused file


@run_async
async def test_a_trigger_of_someone_elses_offers_the_backups_without_reading_the_file_further(tmp_path):
    path, names, _taken = _register_with_a_backup(
        tmp_path, "CREATE TRIGGER wipe AFTER INSERT ON audit_log BEGIN DELETE FROM audit_log; END;")
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "RefusedScreen")
        assert "holds SQL that gridcare never writes (the trigger or view wipe)" in _intro(app)
        await pilot.press("enter")
        await on_screen(pilot, ConfirmScreen)
        question = str(app.screen.query_one("#dialog-message", Static).content)
        assert "kept aside" in question and "since this backup" not in question  # the file was not compared
        await pilot.press("y")
    restore_between_runs(app.db_path, app.return_value)
    assert "wipe" not in _tables(path) and _names(path) == names


def _intro_lines(app) -> list[str]:
    """The intro as drawn, a line a row."""
    from textual.geometry import Region

    intro = app.screen.query_one("#backups-intro", Static)
    return [line for s in intro.render_lines(Region(0, 0, *intro.outer_size)) if (line := s.text.strip())]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize(("lang", "label", "words"), [("zh_CN", "数据库：", "数据库已损坏：其中的时钟"),
                                                      ("en", "Database: ", "The database is damaged: its clock")])
@run_async
async def test_the_path_is_on_a_line_of_its_own_labelled_and_the_words_start_the_next(request, size, lang, label,
                                                                                    words):
    """Seen at 80×24: "/tmp/…/t.db 已损坏：…" broke after the path, which stood alone on the first line with no word
    saying what it was, the sentence starting on the next."""
    import tempfile

    folder = Path(tempfile.mkdtemp(dir="/tmp"))  # a path of a usual length, as /tmp/tmpk3j9x2ab/w.db (pytest's is long)
    path, _names, _taken = _register_with_a_backup(folder, f"UPDATE identity SET last_hlc = {hlc.HORIZON};")
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    app = make_app(path, lang=lang, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await on_screen(pilot, "RefusedScreen")
        lines = _intro_lines(app)
        assert lines[0] == f"{label}{path}", lines
        assert lines[1].startswith(words) and not any(str(path) in line for line in lines[1:]), lines
        end = next(i for i, line in enumerate(lines) if line.endswith(("changed.", "没有做任何更改。")))
        # each line of the sentence but its last filled, as Chinese is set (Textual broke it at "gridcare⏎", half
        # the line left empty)
        assert all(cell_len(line) > size[0] * 2 // 3 for line in lines[1:end]), lines
        assert "gridcare restore" not in " ".join(lines)
    assert str(app._refusal).startswith(f"{path} ")  # the command line's one line as before


@pytest.mark.parametrize(("spoil", "said"), [
    # Home's quick read takes such a file (its figures read fine): the full open's refusal takes its place
    (f"UPDATE identity SET last_hlc = {hlc.HORIZON};", "its clock is past any date gridcare writes"),
    # the identity's page overwritten (seen by h-refused): the app went to its first-use form on a file of 5,335
    # changes, where a set-up would have written a new device over the damaged register
    ("DELETE FROM identity;", "it holds records but no longer says whose they are"),
], ids=["clock past the horizon", "device row gone"])
@run_async
async def test_a_file_home_could_read_is_refused_and_restored_to_home(tmp_path, spoil, said):
    path, names, _taken = _register_with_a_backup(tmp_path, spoil)
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "RefusedScreen")
        assert said in _intro(app)
        assert not any(isinstance(s, HomeScreen) for s in app.screen_stack) and len(app.screen_stack) == 2
        await pilot.press("enter")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
    restore_between_runs(app.db_path, app.return_value)
    again = make_app(path, lang="en", today=TODAY)
    async with again.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
    assert _names(path) == names


def test_the_command_line_keeps_its_one_line_and_status_1(tmp_path):
    from tests.cli_forks import run_cli

    path, _names_, _taken = _register_with_a_backup(tmp_path, "DROP TABLE referral;")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "GRIDCARE_LOG_DIR": str(tmp_path / "log")}
    out = run_cli(["--lang", "zh_CN", "--db", str(path), "report", "--month", "2026-11"], env=env, cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [f"gridcare：{path} 已损坏：缺少数据表 referral。没有做任何更改；"
                                               "请恢复备份（gridcare restore）。"], out.stderr


def test_a_new_file_with_no_device_row_and_no_records_still_opens_on_set_up(tmp_path):
    from storage.core.db import open_database
    from storage.core.identity import get_identity

    path = tmp_path / "new.db"
    open_database(path).dispose()  # made, not set up: no device row, no change
    db = open_database(path)  # opened again, as the first-use form does: not refused
    try:
        assert get_identity(db) is None
    finally:
        db.dispose()

"""A folder typed for an export or a report that is not there is created only once the person says so.

Seen in tmux: a worker's folder box read `/tmp/w3/stick/root` after a slip of the keys, and Enter made that
folder and left the bundle in it without a word. With a USB stick not plugged in, its path is a plain
folder on the laptop: the bundle would stay behind while the worker carries an empty stick to the township.
"""

from __future__ import annotations

from textual.widgets import Input, Static

from screens.dialogs import ConfirmScreen
from screens.sync import SyncScreen
from storage.sync.export import pending_counts
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import HarnessApp
from tests.report_helpers import TODAY, build_township
from tests.sync_helpers import elder, make_township


@run_async
async def test_an_export_to_a_folder_that_is_not_there_asks_first(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    stick = tmp_path / "media" / "STICK"
    app = HarnessApp(a, SyncScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#folder", Input).value = f'"{stick}"'  # as Windows' "Copy as path" gives it
        await pilot.press("enter")
        await on_screen(pilot, ConfirmScreen)
        assert str(stick) in str(app.screen.query_one("#dialog-message", Static).content)
        await pilot.press("escape")  # the safe answer: nothing made, nothing written
        await settle(pilot)
        assert app.screen is screen and not stick.exists() and pending_counts(a)
        await pilot.press("enter")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, lambda: "Bundle 1 written" in str(screen.query_one("#result", Static).content))
    assert len(list(stick.glob("*.gcb"))) == 1 and pending_counts(a) == {}


@run_async
async def test_a_report_goes_into_a_folder_typed_and_asks_before_making_one(tmp_path):
    from screens.reports import ReportsScreen

    db, _ids = build_township(tmp_path / "t.db")
    stick = tmp_path / "stick"
    stick.mkdir()
    app = HarnessApp(db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
        screen = app.screen
        await pilot.press("x")
        out = screen.query_one("#out", Input)
        out.value = str(stick)  # a folder: the report goes into it, not beside it as stick.xlsx
        await pilot.press("enter")
        await settle(pilot, lambda: "Report written" in str(screen.query_one("#status", Static).content))
        assert [p.name for p in stick.iterdir()] == [f"gridcare-report-{screen.report.month_text}.xlsx"]
        assert not (tmp_path / "stick.xlsx").exists()
        await pilot.press("x")
        out.value = str(tmp_path / "gone" / "october.xlsx")
        await pilot.press("enter")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert not (tmp_path / "gone").exists()


def test_the_app_refuses_a_database_path_in_a_folder_that_is_not_there(tmp_path, capsys, monkeypatch):
    """Walked: `gridcare --db /typo/w.db` made the folders and opened an empty database on its first-use form, as
    if the register were lost. A path given (--db or $GRIDCARE_DB) must be in a folder that is there; the default
    place (the user's data folder) is still made on first use."""
    from tui.cli import main

    missing = tmp_path / "wangfang" / "gridcare" / "w.db"
    assert main(["--lang", "zh_CN", "--db", str(missing)]) == 1
    said = capsys.readouterr().err.strip()
    assert said == f"gridcare：没有文件夹 {missing.parent}：请检查 --db 给出的路径（新数据库要建在已有的文件夹里）。"
    assert not missing.parent.exists()
    monkeypatch.setenv("GRIDCARE_DB", str(missing))
    assert main(["--lang", "en"]) == 1 and "there is no folder" in capsys.readouterr().err
    assert not (tmp_path / "wangfang").exists()

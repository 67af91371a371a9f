"""The app on a database whose JSON column holds text that is not JSON (edited by hand): Home comes up and says which
record, where b puts a backup back; the conflicts screen names the conflict's record instead of 'something went wrong'.

Before: a resident's categories edited so ended the start in 'Something went wrong' over the opening screen (Home's
quick read raised JSONDecodeError, not an SQLite error); the conflicts screen said 'Something went wrong'."""

from __future__ import annotations

import datetime as dt

import pytest

from screens.conflicts import ConflictsScreen
from tests.pilot_helpers import on_screen, run_async, said, settle
from tests.test_conflicts import _clash
from tests.test_hostile_json import _edit, _township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
DAMAGED = "The database file is damaged: {what} holds a value that cannot be read."


@run_async
async def test_home_comes_up_and_names_the_record_whose_categories_are_not_json(tmp_path):
    t, _worker, person = _township(tmp_path)
    t.db.dispose()
    _edit(t.db.path, "UPDATE resident SET categories = '{x' WHERE id = :id", id=person.id)
    app = make_app(t.db.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_screen(pilot, "HomeScreen")
        wanted = DAMAGED.format(what=f"the Resident record {person.id}")
        await settle(pilot, lambda: any(note.startswith(wanted) for note in said(app)))
        assert any("b on Home opens Backup and restore" in note for note in said(app))


@run_async
async def test_the_conflicts_screen_names_the_record_whose_conflict_is_not_json(tmp_path):
    t, _a, r, _report = _clash(tmp_path)
    t.db.dispose()
    _edit(t.db.path, "UPDATE conflict SET winner_value = '{x'")
    app = make_app(t.db.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(ConflictsScreen())
        await on_screen(pilot, ConflictsScreen)
        status = lambda: str(app.screen.query_one("#status").render())  # noqa: E731
        await settle(pilot, lambda: status().startswith(DAMAGED.format(what=f"a conflict of the Resident record {r.id}")))


@run_async
async def test_a_residents_page_whose_visit_is_not_json_says_so_in_place_of_loading(tmp_path):
    """It stayed on 'Loading…' (加载中…) beside the notice, over empty Referrals and Visits headings."""
    from screens.resident import ResidentScreen
    from storage.register.visits import log_visit

    _t, worker, person = _township(tmp_path)
    visit = log_visit(worker, person.id, {"notes": "x"}, today=TODAY)
    worker.dispose()
    _edit(worker.path, "UPDATE visit SET observations = '{x' WHERE id = :id", id=visit.id)
    app = make_app(worker.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(ResidentScreen(person.id))
        await on_screen(pilot, ResidentScreen)
        page = lambda: str(app.screen.query_one("#profile").render())  # noqa: E731
        wanted = DAMAGED.format(what=f"the Visit record {visit.id}")
        await settle(pilot, lambda: page().startswith(wanted) and "b on Home opens Backup and restore" in page())
        shown = [w.id for w in app.screen.query_one("#body").children if w.display]
        assert shown == ["profile"], shown


@run_async
async def test_the_visit_form_over_a_record_not_json_says_so_in_place_of_loading(tmp_path):
    from screens.visit_form import VisitFormScreen

    _t, worker, person = _township(tmp_path)
    worker.dispose()
    _edit(worker.path, "UPDATE resident SET categories = '{x' WHERE id = :id", id=person.id)
    app = make_app(worker.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(VisitFormScreen(person.id))
        await on_screen(pilot, VisitFormScreen)
        line = lambda: str(app.screen.query_one("#form").children[0].render())  # noqa: E731
        await settle(pilot, lambda: line().startswith(DAMAGED.format(what=f"the Resident record {person.id}")))


@pytest.mark.parametrize("value", ["5", '{"solitary_elder": 1}'], ids=["a number", "an object"])
@run_async
async def test_home_names_the_record_whose_categories_are_of_the_wrong_shape(tmp_path, value):
    """Home said the file was damaged without saying which record (a shape is valid JSON: the scan for text that is
    not JSON found none)."""
    t, _worker, person = _township(tmp_path)
    t.db.dispose()
    _edit(t.db.path, "UPDATE resident SET categories = :v WHERE id = :id", v=value, id=person.id)
    app = make_app(t.db.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_screen(pilot, "HomeScreen")
        wanted = DAMAGED.format(what=f"the Resident record {person.id}")
        await settle(pilot, lambda: any(note.startswith(wanted) for note in said(app)))


@run_async
async def test_homes_figures_say_they_could_not_be_read_in_place_of_loading_and_come_back_once_readable(tmp_path):
    """Home's figures stayed at 正在加载… beside the notice, as if still reading, over an empty 逾期未访 list (read as
    nobody overdue); the reports screen said the damaged file's line without naming the record."""
    from textual.widgets import Static

    from screens.reports import ReportsScreen

    t, _worker, person = _township(tmp_path)
    t.db.dispose()
    good = _categories(t.db.path, person.id)
    _edit(t.db.path, "UPDATE resident SET categories = '5' WHERE id = :id", id=person.id)
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        home = app.screen
        figures = lambda: str(home.query_one("#progress", Static).content).replace("\n", "")  # noqa: E731
        wanted = (f"数据库文件已损坏：关爱对象记录 {person.id}中有无法读取的内容。请从备份恢复（在“今日”页按 b 打开“备份与恢复”，"
                  "或运行 gridcare restore）。没有做任何更改。")
        await settle(pilot, lambda: "正在加载" not in figures())
        assert figures() == "无法读取本页的数据。" + wanted
        assert not home.query_one("#lists").display and wanted in said(app)
        await pilot.press("m")
        await on_screen(pilot, ReportsScreen)
        status = lambda: str(app.screen.query_one("#status", Static).content).replace("\n", "")  # noqa: E731
        await settle(pilot, lambda: status() == wanted)
        await pilot.press("escape")
        await on_screen(pilot, "HomeScreen")
        _edit(t.db.path, "UPDATE resident SET categories = :v WHERE id = :id", v=good, id=person.id)
        await pilot.press("f5")
        await settle(pilot, lambda: home.data is not None)
        assert "无法读取" not in figures() and home.query_one("#lists").display
        assert str(home.query_one("#name-overdue", Static).content).startswith("逾期未访（")  # its count


def _categories(path, resident_id: str) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT categories FROM resident WHERE id = ?", (resident_id,)).fetchone()[0]
    finally:
        conn.close()


@run_async
async def test_a_register_search_meeting_the_damaged_record_says_so_under_an_empty_list(tmp_path):
    """The search's words stood over the earlier search's rows and their count (291 人 under 钟永安, the demo's
    grid), as if found, once the notice had gone."""
    from textual.widgets import DataTable, Static

    from screens.residents import ResidentsScreen
    from tests.sync_helpers import elder, make_township

    worker = make_township(tmp_path).worker("王芳", "G01")
    damaged, _other = elder(worker, "钟永安"), elder(worker, "李桂兰")
    worker.dispose()
    _edit(worker.path, "UPDATE resident SET categories = '5' WHERE id = :id", id=damaged.id)
    app = make_app(worker.path, lang="zh_CN", today=TODAY)
    wanted = (f"数据库文件已损坏：关爱对象记录 {damaged.id}中有无法读取的内容。请从备份恢复（在“今日”页按 b 打开“备份与恢复”，"
              "或运行 gridcare restore）。没有做任何更改。")
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("r")
        await on_screen(pilot, ResidentsScreen)
        table = app.screen.query_one(DataTable)
        summary = lambda: str(app.screen.query_one("#summary", Static).content)  # noqa: E731
        await settle(pilot, lambda: summary() == wanted)  # the first page holds her: no row, the line under them
        assert table.row_count == 0
        await pilot.press(*"李桂兰")
        await settle(pilot, lambda: table.row_count == 1 and summary() == "1 人")
        assert table.get_row_at(0)[0].plain == "李桂兰"
        await pilot.press("ctrl+u", *"钟永安")
        await settle(pilot, lambda: summary() == wanted)
        assert table.row_count == 0

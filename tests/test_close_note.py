"""A case's closing remark (退出原因说明) is a field of its own (schema 10), not a line added to 备注.

Closed on the resident page with a remark: the notes stay as the worker wrote them, the page shows the
remark under the closing line, the worker's bundle carries it to the township, whose report lists it
beside the reason; reopening clears it. A bundle of an older release (its remarks appended to the notes,
no close_note) still merges.
"""

from __future__ import annotations

import csv
import datetime as dt
import os

from openpyxl import load_workbook
from rich.console import Console
from sqlmodel import select
from textual.widgets import Input, Select, Static

from screens.dialogs import ChooseScreen, ConfirmScreen
from screens.resident import ResidentScreen
from storage.core.i18n import set_language
from storage.core.models import Resident
from storage.register.residents import close_case, reopen_case
from storage.reports.files import write_csv, write_xlsx
from storage.reports.monthly import monthly_report
from storage.sync.conflicts import conflict_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import clerk_elder, elder, make_township
from tui.app import make_app

TODAY = dt.date(2026, 12, 1)
REMARK = "随子女迁往杭州，已核实"


def _shown(widget: Static) -> str:
    console = Console(width=200, record=True, file=open(os.devnull, "w", encoding="utf-8"))
    console.print(widget.content)
    return console.export_text()


@run_async
async def test_closing_on_the_resident_page_keeps_the_notes_and_the_remark_reaches_the_township_report(tmp_path):
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    rid = elder(worker, "张三", notes="独自居住，女儿在县城").id
    app = make_app(worker.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(rid))
        await pilot.press("x")
        await on_screen(pilot, ChooseScreen)
        assert "退出原因说明（可选）" in [str(label.render()) for label in app.screen.query("Label")]
        app.screen.query_one("#choice", Select).value = "moved_away"
        app.screen.query_one("#reason", Input).value = REMARK
        await pilot.press("ctrl+s")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await on_screen(pilot, ResidentScreen)
        await settle(pilot, lambda: app.screen.profile.resident.status == "closed")
        profile = _shown(app.screen.query_one("#profile", Static))
        assert "退出原因说明：" + REMARK in profile
        assert "备注：独自居住，女儿在县城" in profile  # the notes as written, the remark not added to them
    with worker.session() as s:
        r = s.get(Resident, rid)
        assert (r.status, r.close_reason, r.closed_on, r.close_note) == ("closed", "moved_away", TODAY, REMARK)
        assert r.notes == "独自居住，女儿在县城"

    bundle = export_bundle(worker, tmp_path / "out").path
    assert merge_paths(t.db, [bundle]).refused == []
    with t.db.session() as s:
        merged = s.get(Resident, rid)
        assert (merged.close_note, merged.notes) == (REMARK, "独自居住，女儿在县城")
    # November: on the register all month, closed on 1 December, not visited: listed with reason and remark
    report = monthly_report(t.db, 2026, 11, today=TODAY, with_trend=True)
    written = write_csv(report, tmp_path / "report.csv")
    listed = next(p for p in written if p.name == "report-本月未探访.csv")
    with open(listed, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, row = rows[0], next(r for r in rows if "张三" in r)
    assert row[header.index("退出原因说明")] == REMARK
    write_xlsx(report, tmp_path / "report.xlsx")
    cells = {c.value for ws in load_workbook(tmp_path / "report.xlsx", read_only=True).worksheets
             for line in ws.iter_rows() for c in line}
    assert REMARK in cells and "退出原因说明" in cells


def test_reopening_clears_the_remark_and_a_later_closing_says_its_own(tmp_path):
    t = make_township(tmp_path)
    r = clerk_elder(t, "李四", notes="原有备注")
    close_case(t.db, r.id, "deceased", note="家属告知", today=TODAY)
    reopened = reopen_case(t.db, r.id)
    assert (reopened.status, reopened.close_reason, reopened.closed_on, reopened.close_note) == ("active", "", None, "")
    again = close_case(t.db, r.id, "moved_away", today=TODAY)
    assert (again.close_note, again.notes) == ("", "原有备注")


def test_two_remarks_written_unseen_are_a_conflict_shown_by_the_fields_label(tmp_path):
    set_language("zh_CN")
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    rid = elder(worker, "张三").id
    assert merge_paths(t.db, [export_bundle(worker, tmp_path / "a").path]).refused == []
    close_case(t.db, rid, "moved_away", note="镇里核实：迁往杭州", today=TODAY)
    close_case(worker, rid, "moved_away", note="网格员：随女儿生活", today=TODAY)
    assert merge_paths(t.db, [export_bundle(worker, tmp_path / "b").path]).refused == []
    lines = "\n".join(conflict_lines(t.db))
    assert "退出原因说明" in lines and "close_note" not in lines
    assert "镇里核实：迁往杭州" in lines and "网格员：随女儿生活" in lines


def test_a_bundle_of_an_older_release_without_the_field_still_merges(tmp_path, monkeypatch):
    """Version 9 appended the remark to the notes and knew no close_note: its events merge, the remark stays
    in the notes where that release put it, and the field keeps its "no value"."""
    import storage.sync.export
    from storage.core.changes import writer

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    rid = elder(worker, "张三").id
    with worker.write() as s:  # what close_case of version 9 wrote
        writer(s).write("resident", rid, {"status": "closed", "close_reason": "moved_away",
                                          "closed_on": dt.date(2026, 11, 30), "notes": "随子女迁往杭州"})
    monkeypatch.setattr(storage.sync.export, "SCHEMA_VERSION", 9)
    bundle = export_bundle(worker, tmp_path / "old").path
    assert merge_paths(t.db, [bundle]).refused == []
    with t.db.session() as s:
        r = s.exec(select(Resident).where(Resident.id == rid)).one()
        assert (r.status, r.close_note, r.notes) == ("closed", "", "随子女迁往杭州")


def _to_version_9(db, closed_with_remark: bool) -> None:
    """The database as version 9 left it: no close_note column, and (if asked) a case whose closing remark
    close_case appended to the notes."""
    from sqlalchemy import text

    from storage.core.db import PG_VERSION_TABLE

    with db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE resident DROP COLUMN close_note"))
        if closed_with_remark:
            conn.execute(text(
                "INSERT INTO resident (id, name, name_initials, name_pinyin, phone, address, township_code, grid_code,"
                " categories, flags, guardian_name, guardian_phone, guardian_relation, father_name, father_status,"
                " mother_name, mother_status, risk_level, status, close_reason, closed_on, notes, deleted, helper_name,"
                " helper_phone, helper_unit) VALUES ('r9', '赵六', 'zl', 'zhao liu', '', '', '330521101',"
                " '330521101-G01', '[]', '[]', '', '', '', '', '', '', '', 'low', 'closed', 'moved_away', '2026-11-30',"
                " :notes, false, '', '', '')"), {"notes": "独自居住\n随子女迁往杭州"})
        if db.dialect == "sqlite":
            conn.execute(text("PRAGMA user_version = 9"))
        else:
            conn.execute(text(f"UPDATE {PG_VERSION_TABLE} SET version = 9"))


def test_a_version_9_database_upgrades_and_its_appended_remarks_stay_in_the_notes(db_target):
    """Step 10 adds the column on both engines; a remark version 9 appended to the notes stays there (which
    line of a note was a remark is recorded nowhere), and the case's remark field starts with no value."""
    from storage.core.db import SCHEMA_VERSION, open_database, schema_version

    db = open_database(db_target)
    _to_version_9(db, closed_with_remark=True)
    db.dispose()
    db = open_database(db_target)
    try:
        assert (db.upgraded_from, schema_version(db)) == (9, SCHEMA_VERSION) and SCHEMA_VERSION >= 10
        with db.session() as s:
            r = s.get(Resident, "r9")
            assert (r.status, r.close_reason, r.close_note, r.notes) == ("closed", "moved_away", "", "独自居住\n随子女迁往杭州")
    finally:
        db.dispose()


def test_a_township_database_of_version_9_upgrades_and_closes_with_a_remark(tmp_path):
    from storage.core.db import open_database

    t = make_township(tmp_path)
    rid = clerk_elder(t, "张三", notes="原有备注").id
    _to_version_9(t.db, closed_with_remark=False)
    t.db.dispose()
    db = open_database(tmp_path / "township.db")
    try:
        assert db.upgraded_from == 9 and db.backup_of_old_schema is not None
        closed = close_case(db, rid, "deceased", note="家属告知", today=TODAY)
        assert (closed.close_note, closed.notes) == ("家属告知", "原有备注")
    finally:
        db.dispose()


def test_the_command_line_closes_with_a_remark_and_reopens(tmp_path, capsys):
    """`gridcare close RESIDENT --reason … --note …` and `gridcare reopen RESIDENT`: the page's x from the CLI."""
    from storage.core.db import open_database
    from tests.foundation_helpers import make_db
    from tui.cli import main

    number = "11010519491231002X"
    db = make_db(tmp_path / "w.db")
    rid = elder(db, "赵淑珍", id_number=number, birth_date=dt.date(1949, 12, 31), notes="女儿在县城",
                registered_on=dt.date(2026, 10, 8)).id
    db.dispose()

    def run(*args):
        return main(["--db", str(tmp_path / "w.db"), "--lang", "zh_CN", *args])

    def state():
        db = open_database(tmp_path / "w.db")
        with db.session() as s:
            r = s.get(Resident, rid)
        db.dispose()
        return r

    assert run("close", number.lower(), "--reason", "迁出", "--on", "2026-11-20", "--note", "随女儿迁往杭州") == 0
    assert "赵淑珍已退出（销号）：迁出，2026年11月20日。" in capsys.readouterr().out
    r = state()
    assert (r.status, r.close_reason, r.closed_on, r.close_note, r.notes) == (
        "closed", "moved_away", dt.date(2026, 11, 20), "随女儿迁往杭州", "女儿在县城")
    assert run("close", rid, "--reason", "deceased") == 1  # already closed: one line, nothing written
    assert run("reopen", rid) == 0
    r = state()
    assert (r.status, r.close_reason, r.closed_on, r.close_note, r.notes) == ("active", "", None, "", "女儿在县城")
    capsys.readouterr()
    assert run("close", rid, "--reason", "vanished") == 1
    assert run("close", rid, "--reason", "other", "--note", "迁出\x1b[2J") == 1
    err = capsys.readouterr().err
    assert "去世" in err and err.count("\n") == 2 and "\x1b" not in err
    assert state().status == "active"


@run_async
async def test_closing_a_child_past_the_age_of_their_categories_offers_aged_out_first(tmp_path):
    """The page says 已于…超出儿童类别年龄：请退出（销号）或更改类别; the dialog then asked for the reason again.
    (Registered at 15 on 24 November, 16 on the day the page is opened.)"""
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    aged = elder(worker, "宋一诺", categories=["left_behind_child"], birth_date=dt.date(2010, 11, 25)).id
    also_disabled = elder(worker, "李林", categories=["left_behind_child", "severely_disabled"],
                          birth_date=dt.date(2010, 11, 25)).id
    app = make_app(worker.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        for rid, offered in ((aged, "aged_out"), (also_disabled, Select.NULL)):
            await started(pilot, lambda rid=rid: ResidentScreen(rid))
            await pilot.press("x")
            await on_screen(pilot, ChooseScreen)
            assert app.screen.query_one("#choice", Select).value == offered
            await pilot.press("escape")
            await on_screen(pilot, ResidentScreen)
            await pilot.press("escape")  # Home again, where started() opens the next


def test_only_a_child_ages_out_and_only_from_the_month_of_the_birthday(tmp_path):
    """Seen in a walk: 夏平, 50, severely disabled, at emergency risk, was closed as "Aged out" without a word;
    the reports then count him among the children who aged out. And walked in tmux: 单小明, 12, a left-behind child,
    was closed as 超龄退出 without a word (he ages out at 16)."""
    import pytest

    from storage.core.errors import ValidationError
    from storage.core.i18n import set_language

    set_language("zh_CN")  # (English again after the test: tests/conftest.py)
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    adult = elder(worker, "夏平", categories=["severely_disabled"], birth_date=dt.date(1976, 3, 28)).id
    child = elder(worker, "宋一诺", categories=["left_behind_child"], birth_date=dt.date(2010, 11, 25)).id
    young = elder(worker, "单小明", categories=["left_behind_child"], birth_date=dt.date(2014, 5, 6)).id
    difficult = elder(worker, "宋一", categories=["child_in_difficulty"], birth_date=dt.date(2010, 12, 20)).id
    refused = {}
    for rid in (adult, young, difficult):  # (宋一: 16 in December, but a child in difficulty stays one until 18)
        with pytest.raises(ValidationError) as caught:
            close_case(worker, rid, "aged_out", today=TODAY)
        assert caught.value.field == "close_reason"
        refused[rid] = caught.value.message
    assert refused[young] == "单小明在2030年5月6日才超龄，不能提前以超龄退出：请选择其他原因，或更正出生日期。"
    with worker.session() as s:
        assert {s.get(Resident, rid).status for rid in (adult, young, difficult)} == {"active"}
    assert close_case(worker, child, "aged_out", today=TODAY).close_reason == "aged_out"  # 16 in this month
    assert close_case(worker, young, "moved_away", today=TODAY).close_reason == "moved_away"


@run_async
async def test_the_close_dialog_offers_aged_out_to_children_only_and_warns_of_a_high_risk(tmp_path):
    from storage.register.risk import change_risk

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    adult = elder(worker, "夏平", categories=["severely_disabled"], birth_date=dt.date(1976, 3, 28)).id
    change_risk(worker, adult, "emergency", "房屋倒塌风险", assessed_on=dt.date(2026, 11, 25), today=TODAY)
    set_language("en")
    try:
        app = make_app(worker.path, lang="en", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, lambda: ResidentScreen(adult))
            await pilot.press("x")
            await on_screen(pilot, ChooseScreen)
            select = app.screen.query_one("#choice", Select)
            offered = [value for _label, value in select._options if value is not Select.BLANK]
            assert "aged_out" not in offered and "moved_away" in offered
            select.value = "moved_away"
            await pilot.press("ctrl+s")
            await on_screen(pilot, ConfirmScreen)
            message = _shown(app.screen.query_one("#dialog-message", Static))
            assert "Their risk is Emergency" in message
    finally:
        set_language("zh_CN")


@run_async
async def test_the_close_dialog_offers_aged_out_from_the_month_a_child_ages_out(tmp_path):
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    young = elder(worker, "单小明", categories=["left_behind_child"], birth_date=dt.date(2014, 5, 6)).id
    due = elder(worker, "宋一诺", categories=["left_behind_child"], birth_date=dt.date(2010, 11, 28)).id  # 16 this month
    app = make_app(worker.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        offered = {}
        for rid in (young, due):
            await started(pilot, lambda rid=rid: ResidentScreen(rid))
            await pilot.press("x")
            await on_screen(pilot, ChooseScreen)
            select = app.screen.query_one("#choice", Select)
            offered[rid] = [value for _label, value in select._options if value is not Select.BLANK]
            await pilot.press("escape")
            await on_screen(pilot, ResidentScreen)
            await pilot.press("escape")
        assert "aged_out" not in offered[young] and "moved_away" in offered[young]
        assert "aged_out" in offered[due]


@run_async
async def test_closing_on_the_resident_page_takes_the_date_it_happened(tmp_path):
    """The dialog had no date: a death on 20 November recorded on 4 December was closed on 4 December, and the
    month's figures counted the resident on the register for days they were not. The date is asked, today
    first; typed as a worker types it; a date to come is refused in the dialog, under the field."""
    from tui.date_input import DateInput

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    rid = elder(worker, "张三", registered_on=dt.date(2026, 10, 8)).id
    app = make_app(worker.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(rid))
        await pilot.press("x")
        await on_screen(pilot, ChooseScreen)
        dialog = app.screen
        day = dialog.query_one("#day", DateInput)
        assert day.value == TODAY.isoformat() and "退出日期" in [str(label.render()) for label in dialog.query("Label")]
        dialog.query_one("#choice", Select).value = "deceased"
        day.value = "2026年12月9日"  # (a short date is completed towards the past: 12月9日 is last year)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ChooseScreen) and app.screen.focused is day
        assert str(dialog.query_one("#day-error").render()) == "日期在将来。"
        day.value = "11月20日"
        await pilot.press("ctrl+s")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await on_screen(pilot, ResidentScreen)
        await settle(pilot, lambda: app.screen.profile.resident.status == "closed")
    with worker.session() as s:
        r = s.get(Resident, rid)
        assert (r.status, r.close_reason, r.closed_on) == ("closed", "deceased", dt.date(2026, 11, 20))

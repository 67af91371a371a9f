"""The roster import screen as a township clerk walks it in Chinese at 80×24 (walk h-walk, 3): a problem in the
report table is set as Chinese is, not folded by Rich inside a command ("（grid" / "care" / "villages）")."""

from __future__ import annotations

import asyncio
import os

from openpyxl import Workbook

from screens.roster_import import RosterImportScreen
from storage.core.i18n import set_language
from storage.register.idnumbers import check_char
from tests.pilot_helpers import settle
from tests.register_helpers import HarnessApp
from tests.roster_helpers import TODAY, township_db
from tests.test_walkthrough import screen_text


def _messy(path):
    """A roster as a township makes one: a merged title over the headings, a grid nobody enrolled."""
    wb = Workbook()
    ws = wb.active
    ws.append(["新市镇重点对象花名册（2026年12月）"])
    ws.merge_cells("A1:H1")
    ws.append(["序号", "姓名", "身份证号", "性别", "联系电话", "所属网格", "人员类别", "家庭住址"])
    first17 = "33052119600202004"
    ws.append([1, "赵秀英", first17 + check_char(first17), "女", "13800004444", "G09", "重度残疾人", "西村"])
    wb.save(path)
    return path


def test_a_problem_in_the_report_is_wrapped_as_chinese_is_set(tmp_path):
    """Before: Rich folded the long Chinese sentence at the last cell, leaving "没有叫 G09" alone on a line and
    splitting the command gridcare over two lines ("（grid" then "care")."""
    db = township_db(tmp_path / "t.db")
    path = _messy(tmp_path / "花名册.xlsx")
    set_language("zh_CN")

    async def flow() -> None:
        app = HarnessApp(db, RosterImportScreen, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*str(path), "enter")
            await settle(pilot)
            lines = [line.rstrip() for line in screen_text(app).splitlines()]
            assert any("没有叫 G09 的网格" in line for line in lines), "\n".join(lines)
            assert not any(line.endswith(("grid", "（grid")) for line in lines), "\n".join(lines)
            assert any("gridcare" in line for line in lines), "\n".join(lines)

    try:
        asyncio.run(flow())
    finally:
        db.dispose()


def _one_person(path):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "性别", "所属网格", "人员类别"])
    first17 = "33052119450505006"
    ws.append(["孙秀珍", first17 + check_char(first17), "女", "G01", "留守老人"])
    wb.save(path)
    return path


def test_a_path_pasted_as_windows_copies_it_is_read(tmp_path):
    """Before: "Copy as path" on Windows gives the path in double quotes, and pasted into the field after the folder
    the screen puts there (the last roster's), it was read as that folder and the path joined: "No such file" both
    times, where the Sync screen's folder field understands the quotes (storage/core/folders.py typed_path)."""
    from storage.roster.importer import import_roster

    db = township_db(tmp_path / "t.db")
    (tmp_path / "上月").mkdir()
    (tmp_path / "本月").mkdir()
    import_roster(db, _one_person(tmp_path / "上月" / "花名册.xlsx"), today=TODAY)  # the folder the screen offers
    wanted = _one_person(tmp_path / "本月" / "花名册.xlsx")
    set_language("zh_CN")

    async def check(typed: str, clear: bool) -> str:
        app = HarnessApp(db, RosterImportScreen, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            field = screen.query_one("#path")
            await settle(pilot, lambda: field.value)  # the last roster's folder, the cursor after it
            assert field.value == str(tmp_path / "上月") + os.sep
            if clear:
                field.value = ""
            await pilot.press(*typed, "enter")
            await settle(pilot)
            return screen_text(app)

    try:
        for typed, clear in ((f'"{wanted}"', True), (f'"{wanted}"', False), (str(wanted), False)):
            shown = asyncio.run(check(typed, clear))
            assert "没有这个文件" not in shown and "无变化 1" in shown, (typed, clear, shown)
    finally:
        db.dispose()

"""The roster import screen as a township clerk walks it in Chinese at 80×24 (walk h-walk, 3): a problem in the
report table is set as Chinese is, not folded by Rich inside a command ("（grid" / "care" / "villages）")."""

from __future__ import annotations

import asyncio

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

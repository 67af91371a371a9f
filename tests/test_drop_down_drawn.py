"""An open drop-down as the terminal shows it, in Chinese (Pilot, the real app): its words whole, the footer below it."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from rich.console import Console

from storage.core.i18n import set_language
from storage.register.residents import register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
CARD_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("en")


def drawn_lines(app) -> list[str]:
    """The screen's lines as Textual writes them to the terminal (the cells, not the widgets' strings)."""
    out = io.StringIO()
    Console(file=out, force_terminal=True, width=400, color_system=None).print(
        app.screen._compositor.render_update(full=True))
    rows = re.split(r"\x1b\[\d+;1H", out.getvalue())[1:]
    return [row.rstrip("\n") for row in rows]


async def _benefit_form(pilot, rid):
    from screens.resident import ResidentScreen

    await on_screen(pilot, "HomeScreen")
    pilot.app.push_screen(ResidentScreen(rid))
    await settle(pilot)
    await pilot.press("b")
    await on_screen(pilot, "BenefitsScreen")
    await pilot.press("a")
    await on_screen(pilot, "BenefitFormScreen")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@run_async
async def test_the_benefit_kinds_list_draws_each_kind_whole(tmp_path, size):
    # the open list lies over the note's label "备注（可选）", which ends one cell into 人: Textual cut 人 in two
    # there and drew two spaces ("困难残疾  生活补贴")
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "赵淑珍", "id_number": CARD_ID, "disability_card": CARD_ID + "41",
                               "categories": ["severely_disabled"]}, today=TODAY)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=size) as pilot:
        await _benefit_form(pilot, r.id)
        await pilot.press("shift+tab", "enter")  # from the start date back to the kind; Enter opens its list
        await settle(pilot, lambda: app.screen.query_one("#kind").expanded)
        shown = "\n".join(drawn_lines(app))
        for kind in ("困难残疾人生活补贴", "重度残疾人护理补贴", "困境儿童基本生活保障金", "支出型困难家庭"):
            assert kind in shown, shown
        await pilot.press("down", "down")  # the highlight moves over it: redrawn whole
        await settle(pilot)
        assert "困难残疾人生活补贴" in "\n".join(drawn_lines(app))


def _footer_keys(line: str) -> bool:
    return "esc 收起列表" in line and "^s 保存" in line


@run_async
async def test_a_list_near_the_bottom_of_the_visit_form_opens_below_its_field_and_above_the_footer(tmp_path):
    # the risk after the visit, tabbed to, is the form's last line on screen: its list lay
    # over the footer's keys and over the field itself
    from screens.visit_form import VisitFormScreen

    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "赵淑珍", "id_number": CARD_ID, "categories": ["solitary_elder"]}, today=TODAY)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(VisitFormScreen(r.id))
        await settle(pilot, lambda: app.screen.query("#risk_after"))
        risk = app.screen.query_one("#risk_after")
        for _ in range(60):  # Tab from the top, as a person does: each field scrolled in at the bottom
            if risk.has_focus:
                break
            await pilot.press("tab")
            await settle(pilot)
        assert risk.has_focus and risk.region.bottom >= 22, risk.region  # the last line above the footer
        await pilot.press("enter")
        await settle(pilot, lambda: risk.expanded)
        lines = drawn_lines(app)
        assert _footer_keys(lines[23]), lines[23]
        shown = "\n".join(lines)
        field = next(i for i, line in enumerate(lines) if line.startswith(" 风险"))
        assert "▲" in lines[field], shown  # the field itself is drawn, not the list over it
        for row, level in zip(lines[field + 1:field + 5], ["紧急", "高", "中", "低"], strict=True):
            assert level in row, shown


@run_async
async def test_a_list_longer_than_the_room_below_its_field_leaves_the_footer_line(tmp_path):
    # in a dialog nothing scrolls: the list moves up, but no further down than the line above the footer
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "赵淑珍", "id_number": CARD_ID, "disability_card": CARD_ID + "41",
                               "categories": ["severely_disabled"]}, today=TODAY)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 16)) as pilot:
        await _benefit_form(pilot, r.id)
        await pilot.press("shift+tab", "enter")
        await settle(pilot, lambda: app.screen.query_one("#kind").expanded)
        lines = drawn_lines(app)
        assert _footer_keys(lines[15]), "\n".join(lines)
        assert "困境儿童基本生活保障金" in "\n".join(lines)


@run_async
async def test_a_forms_open_list_is_marked_down_its_left_edge(tmp_path):
    """Walk F, 9: a form's compact list has no border, and at 256 colours its background was one step of grey from
    the form's: 出生日期 —, then 男 and 女 under it, read as the values of the fields it lay over."""
    from screens.resident_form import ResidentFormScreen

    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "唐卫东", "id_number": CARD_ID, "categories": ["solitary_elder"]}, today=TODAY)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(ResidentFormScreen(r.id))
        await settle(pilot, lambda: app.screen.query("#sex"))
        app.screen.query_one("#sex").focus()
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen.query_one("#sex").expanded)
        lines = drawn_lines(app)
        marked = [line for line in lines if re.search(r"▌\s?(—|男|女)\s*$", line)]
        assert len(marked) == 3, lines

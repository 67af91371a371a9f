"""The name the Reports screen offers for the workbook: the report's title in the interface's language.

A Chinese clerk was offered gridcare-report-2026-10.xlsx and renamed every month's file by hand to what
the office files it as: 新市镇2026年10月重点对象探访情况 (GLOSSARY: report titles). In English the name
stays the one of the first releases. Whatever the township is called, the name is one Windows accepts.
"""

from __future__ import annotations

import copy

import pytest
from textual.widgets import Input, Static

from storage.core.files import windows_name
from storage.core.i18n import set_language
from storage.reports.files import report_file_name
from storage.reports.monthly import monthly_report
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import HarnessApp
from tests.report_helpers import TODAY, build_township


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    db, _ids = build_township(tmp_path_factory.mktemp("town") / "t.db")
    return db, monthly_report(db, 2026, 9, today=TODAY)


@pytest.fixture
def zh():
    set_language("zh_CN")
    yield
    set_language("en")


def test_the_name_is_the_reports_title_in_chinese_and_stays_english_in_english(town, zh):
    _db, report = town
    assert report_file_name(report) == "新市镇2026年9月重点对象探访情况.xlsx"
    set_language("en")
    assert report_file_name(report) == "gridcare-report-2026-09.xlsx"


def test_the_name_holds_nothing_windows_refuses(town, zh):
    _db, report = town
    odd = copy.copy(report)
    odd.township_name = '新市/镇:"东"*区?<1>|\\\t'
    name = report_file_name(odd)
    assert name == "新市_镇__东__区__1____2026年9月重点对象探访情况.xlsx"
    odd.township_name = "  ..  "  # nothing left of it but the month and what the file is
    assert report_file_name(odd) == "2026年9月重点对象探访情况.xlsx"


@pytest.mark.parametrize(("text", "name"), [
    ("CON", "CON_"), ("nul.txt", "nul.txt_"), ("COM1", "COM1_"), ("CONSOLE", "CONSOLE"),
    (" 报表. ", "报表"), ("a\x00b\x1fc", "a_b_c"), ("...", ""), ("x" * 300, "x" * 120),
])
def test_windows_name(text, name):
    assert windows_name(text) == name


@run_async
async def test_the_reports_screen_offers_the_chinese_name_and_uses_it_for_a_folder(tmp_path, zh):
    from screens.reports import ReportsScreen

    db, _ids = build_township(tmp_path / "t.db")
    stick = tmp_path / "U盘"
    stick.mkdir()
    app = HarnessApp(db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
        screen = app.screen
        await pilot.press("x")
        out = screen.query_one("#out", Input)
        assert out.value.endswith("新市镇2026年10月重点对象探访情况.xlsx")  # the month shown: October
        out.value = str(stick)
        await pilot.press("enter")
        await settle(pilot, lambda: "报表已写入" in str(screen.query_one("#status", Static).content)
                     and any(stick.iterdir()))
        assert [p.name for p in stick.iterdir()] == ["新市镇2026年10月重点对象探访情况.xlsx"]


@run_async
async def test_another_month_chosen_after_x_gets_its_own_name_in_the_last_reports_folder(tmp_path, zh):
    """Walk cwalk: x offered /root/南城镇2026年12月….xlsx; Esc, [ to November, x again kept December's name, and
    Enter wrote November's figures under it. Next time the box starts in the folder of the last report written,
    not in the home folder again."""
    from screens.reports import ReportsScreen

    db, _ids = build_township(tmp_path / "t.db")
    folder = tmp_path / "报表"
    folder.mkdir()
    app = HarnessApp(db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
        screen = app.screen
        await pilot.press("x")
        out = screen.query_one("#out", Input)
        assert out.value.endswith("新市镇2026年10月重点对象探访情况.xlsx")
        out.value = str(folder / "新市镇2026年10月重点对象探访情况.csv")  # the clerk wants CSV this time
        await pilot.press("escape")
        await pilot.press("left_square_bracket")
        await settle(pilot, lambda: screen.report is not None and screen.report.month == 9)
        await pilot.press("x")
        assert out.value == str(folder / "新市镇2026年9月重点对象探访情况.csv"), out.value
        await pilot.press("enter")
        await settle(pilot, lambda: "报表已写入" in str(screen.query_one("#status", Static).content))
    assert (folder / "新市镇2026年9月重点对象探访情况.csv").exists()
    app = HarnessApp(db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
        await pilot.press("x")
        assert app.screen.query_one("#out", Input).value == str(folder / "新市镇2026年10月重点对象探访情况.xlsx")

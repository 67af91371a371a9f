"""Home's age-out tab at a township, in Chinese: its word is not the monthly report's 超龄退出, which counts only the
children already aged out (the demo's township: 196 on the tab, 80 in the report, under the same word), and each row
says whether the child has aged out or is about to."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Static, TabbedContent, Tabs

from storage.core.i18n import _, set_language
from storage.demo.build import generate
from storage.reports.monthly import MEASURES
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import make_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


@run_async
async def test_the_age_out_tab_and_rows_say_aged_out_or_about_to_in_chinese(tmp_path):
    db = make_township(tmp_path).db
    generate(db, seed=1, scale="grid", today=TODAY)
    path = db.path
    db.dispose()
    set_language("zh_CN")
    try:
        app = make_app(str(path), lang="zh_CN", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            await settle(pilot, lambda: app.screen.data is not None)
            await pilot.press("5")
            await settle(pilot, lambda: app.screen.query_one(TabbedContent).active == "ageing_out")
            screen = app.screen
            report_word = _(MEASURES["aged_out"])
            tab = next(t for t in screen.query_one(Tabs).query("Tab") if t.id and t.id.endswith("ageing_out"))
            assert report_word not in str(tab.label), str(tab.label)
            name = str(screen.query_one("#name-ageing_out", Static).render())
            assert report_word not in name and "已超龄" in name and "即将超龄" in name, name
            table = screen.query_one("#t-ageing_out", DataTable)
            await settle(pilot, lambda: table.row_count == len(screen.data.ageing_out))
            cells = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
            past = [c for c in cells if c.startswith("已超龄")]
            soon = [c for c in cells if c.startswith("即将超龄")]
            assert past and soon and len(past) + len(soon) == len(cells), cells
    finally:
        set_language("en")

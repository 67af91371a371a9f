"""The register's category filter, opened at 80×24 in Chinese: every category whole. The list was as wide as its
field (16 cells) and cut the longest to 三、四级智力/精."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Select

from storage.core.i18n import set_language
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tests.test_drop_down_drawn import drawn_lines
from tui.app import make_app

TODAY = dt.date(2026, 12, 5)


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("en")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@run_async
async def test_the_category_filter_draws_each_category_whole(tmp_path, size):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=size) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("r")
        await on_screen(pilot, "ResidentsScreen")
        await settle(pilot)
        app.screen.query_one("#f-category", Select).focus()
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen.query_one("#f-category", Select).expanded)
        shown = "\n".join(drawn_lines(app))
        for category in ("三、四级智力/精神残疾人", "农村留守老年人", "重病患者"):
            assert category in shown, shown

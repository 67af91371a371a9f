"""The report's list behind a figure at 80×24, in English: the categories column ran off the screen's edge ("Widowed
or", "Severely di"). Each resident's categories are one category whole and "+N", as on Home's lists, and the village
the heading names is not repeated in a column of its own."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable

from storage.core.i18n import set_language
from storage.demo.build import generate
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import make_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@run_async
async def test_a_villages_key_persons_show_their_categories_whole_at_80_columns(tmp_path, lang):
    db = make_township(tmp_path).db
    generate(db, seed=1, scale="grid", today=TODAY)
    path = db.path
    db.dispose()
    set_language(lang)
    try:
        app = make_app(str(path), lang=lang, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            await pilot.press("m")
            await on_screen(pilot, "ReportsScreen")
            await settle(pilot, lambda: app.screen.query_one("#summary", DataTable).row_count > 1)
            await pilot.press("enter")  # the first village's key persons
            await on_screen(pilot, "ReportListScreen")
            listing = app.screen.query_one("#list", DataTable)
            await settle(pilot, lambda: listing.row_count > 5)
            await pilot.pause(0.2)
            headers = [str(c.label) for c in listing.columns.values()]
            category = next(i for i, h in enumerate(headers) if h in ("Categories", "对象类别"))
            shown = [listing.render_line(y).text for y in range(listing.size.height)]
            cells = [str(listing.get_row_at(i)[category]) for i in range(min(listing.row_count, listing.size.height - 2))]
    finally:
        set_language("en")
    missing = [cell for cell in cells if cell and not any(cell in line for line in shown)]
    assert not missing, (missing, shown[:4])
    assert not {"Village", "村（社区）"} & set(headers), headers  # the heading names it

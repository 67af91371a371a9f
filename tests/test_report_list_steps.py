"""A long list behind a figure fills as the cursor goes down (screens/report_list.py).

A county's category lists 26,618 key persons; the table measured every cell it was given, and the
list showed after 13 s. It now takes STEP rows at a time: here STEP is 6 and the list 10 people long.
"""

from __future__ import annotations

from textual.widgets import DataTable, Static

import screens.report_list as report_list
from storage.core.i18n import set_language
from storage.reports.monthly import monthly_report
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import HarnessApp
from tests.report_helpers import TODAY


@run_async
async def test_the_list_fills_as_the_cursor_goes_down(town_db, monkeypatch):
    from screens.reports import TOTAL_KEY, ReportsScreen

    monkeypatch.setattr(report_list, "STEP", 6)
    set_language("zh_CN")
    people = [p.name for p in monthly_report(town_db, 2026, 9, today=TODAY).people]
    assert len(people) == 10
    app = HarnessApp(town_db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
        await pilot.press("left_square_bracket")  # September
        await settle(pilot, lambda: app.screen.report.month == 9)
        summary = app.screen.query_one("#summary", DataTable)
        summary.focus()
        summary.move_cursor(row=summary.get_row_index(TOTAL_KEY), column=1)  # everyone's key persons
        reports = app.screen
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is not reports)
        listing = app.screen.query_one("#list", DataTable)
        assert listing.row_count == 6
        assert "10 人" in str(app.screen.query_one("#list-count", Static).render())  # all of them, not the 6
        await pilot.press("down")  # row 1 of 6: within 5 of the last, the rest comes
        await settle(pilot)
        assert listing.row_count == 10
        assert "10 人" in str(app.screen.query_one("#list-count", Static).render())
        assert [str(listing.get_row_at(i)[0]) for i in range(10)] == people  # in the report's order, each once
        await pilot.press("ctrl+end")  # to the last row: nothing after it
        await settle(pilot)
        assert listing.row_count == 10 and listing.cursor_row == 9


@run_async
async def test_a_long_list_counts_with_separators_and_shows_a_step(town_db):
    from screens.report_list import ReportListScreen
    from screens.reports import ReportsScreen

    set_language("zh_CN")
    person = monthly_report(town_db, 2026, 9, today=TODAY).people[0]
    app = HarnessApp(town_db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
        await app.push_screen(ReportListScreen(lambda: "名单", "key_persons", [person] * 12_345))
        await settle(pilot)
        assert "12,345 人" in str(app.screen.query_one("#list-count", Static).render())
        assert app.screen.query_one("#list", DataTable).row_count == report_list.STEP

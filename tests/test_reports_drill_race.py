"""A list still being read is not opened once another figure, another month or another screen was chosen
(screens/reports.py `_list_later`).

At a county a drill reads its people first (seconds). A clerk who pressed Enter on one figure, then on
another, got the second list and then, when the first reading ended, the first list over it; a month
changed meanwhile, or Reports left, had the same list open over whatever was there. Here the first
reading is held until the second choice has been made, then let go.
"""

from __future__ import annotations

import threading

from textual.widgets import DataTable

from storage.core.i18n import set_language
from storage.reports.monthly import MonthlyReport
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import HarnessApp
from tests.report_helpers import TODAY


def _held_first_reading(db, monkeypatch):
    """Reports in Chinese, where every drill reads its people off the screen's thread and the first reading waits
    for `go`."""
    from screens.reports import ReportsScreen

    set_language("zh_CN")
    go, began, done = threading.Event(), threading.Event(), threading.Event()
    calls: list[str] = []
    real_behind = MonthlyReport.behind

    def behind(self, grouping, key, measure):
        calls.append(measure)
        if len(calls) == 1:
            began.set()
            assert go.wait(10)
            rows = real_behind(self, grouping, key, measure)
            done.set()
            return rows
        return real_behind(self, grouping, key, measure)

    monkeypatch.setattr(MonthlyReport, "is_read", lambda self, *asked: False)
    monkeypatch.setattr(MonthlyReport, "behind", behind)
    return HarnessApp(db, ReportsScreen, today=TODAY), go, began, done


async def _first_drill_held(pilot, app, began: threading.Event):
    """Enter on everyone's key persons: its reading begins and is held."""
    from screens.reports import TOTAL_KEY

    await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
    summary = app.screen.query_one("#summary", DataTable)
    summary.focus()
    summary.move_cursor(row=summary.get_row_index(TOTAL_KEY), column=1)
    await pilot.press("enter")
    await _until(pilot, began)
    return app.screen, summary


async def _until(pilot, event: threading.Event) -> None:
    for _ in range(200):
        if event.is_set():
            return
        await pilot.pause(0.05)
    raise AssertionError("the reading did not come")


@run_async
async def test_the_first_figure_chosen_is_not_opened_over_the_second(town_db, monkeypatch):
    from screens.report_list import ReportListScreen

    app, go, began, done = _held_first_reading(town_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        reports, summary = await _first_drill_held(pilot, app, began)  # 重点对象
        summary.move_cursor(column=2)  # then 已探访, which opens
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReportListScreen))
        second = app.screen
        go.set()  # the first reading ends after the second list is open
        await _until(pilot, done)
        await settle(pilot)
        lists = [s for s in app.screen_stack if isinstance(s, ReportListScreen)]
        assert lists == [second], [s.heading() for s in lists]
        assert "已探访" in second.heading() and app.screen is second
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is reports


@run_async
async def test_a_list_of_the_month_left_is_not_opened(town_db, monkeypatch):
    app, go, began, done = _held_first_reading(town_db, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        reports, _ = await _first_drill_held(pilot, app, began)  # October's key persons
        await pilot.press("left_square_bracket")  # September meanwhile
        await settle(pilot, lambda: reports.report is not None and reports.report.month == 9)
        go.set()
        await _until(pilot, done)
        await settle(pilot)
        assert app.screen is reports and reports.report.month == 9

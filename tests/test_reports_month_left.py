"""A month left on the Reports screen while it is read stops being read (screens/reports.py `_compute`).

Reports opens on this month; a county's clerk early in December goes straight on to November. The month left
went on reading its report and its twelve months' trend beside the new one: November showed after 17.8 s at the
county instead of 3.7 s; and when it ended after the new one, its figures were shown under the new month's
name. Here October is held until `[` has been pressed, then let go.
"""

from __future__ import annotations

import threading

import screens.reports as reports
from storage.core.i18n import set_language
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import HarnessApp
from tests.report_helpers import TODAY


@run_async
async def test_the_month_left_stops_at_its_next_step(town_db, monkeypatch):
    from screens.reports import ReportsScreen

    set_language("zh_CN")
    pressed, began = threading.Event(), threading.Event()
    steps: dict[int, list[int]] = {}
    trends: list[int] = []
    real_report, real_trend = reports.monthly_report, reports.add_trend

    def held(db, year, month, **kw):
        if month == TODAY.month:  # October, the month Reports opens on: held until September is asked for
            began.set()
            assert pressed.wait(10)
        progress = kw.pop("progress")

        def counted(done, total):
            steps.setdefault(month, []).append(done)
            progress(done, total)

        return real_report(db, year, month, progress=counted, **kw)

    def trend(db, report):
        trends.append(report.month)
        return real_trend(db, report)

    monkeypatch.setattr(reports, "monthly_report", held)
    monkeypatch.setattr(reports, "add_trend", trend)
    app = HarnessApp(town_db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):  # (not settle: October's worker runs, held, until the key is pressed)
            if began.is_set():
                break
            await pilot.pause(0.05)
        assert began.is_set()
        await pilot.press("left_square_bracket")  # September, while October is still being read
        pressed.set()
        await settle(pilot, lambda: app.screen.report is not None and app.screen.report.month == 9
                     and app.screen.report.trend is not None)
        screen = app.screen
        assert screen.report.month == 9
        assert steps[10] == [0], steps  # October stopped at its first step: nothing read after it
        assert steps[9] == sorted(steps[9]) and len(steps[9]) >= 4, steps
        assert trends == [9]  # no twelve months' rates read for the month left
        assert "2026年9月" in str(screen.query_one("#month").render())

"""The register's total under its rows: counted after the page is shown (at a county, 1–2 s for a due filter), so
until it comes the line says it is counting, never the last filter's total beside the new filter's rows; and the
number is written as the language writes numbers (27,834)."""

from __future__ import annotations

import threading

from textual.widgets import DataTable, Select, Static

import screens.residents
from screens.residents import ResidentsScreen
from storage.register.residents import register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async, settle, started
from tests.register_helpers import TODAY
from tui.app import make_app


@run_async
async def test_the_total_waits_for_its_count_and_is_written_as_a_number(tmp_path, monkeypatch):
    db = make_db(tmp_path / "w.db")
    for i in range(60):
        register_resident(db, {"name": f"周{chr(0x4e00 + i)}", "categories": ["solitary_elder"]}, today=TODAY)
    counted = screens.residents.count_residents
    release = threading.Event()
    asked: list[str | None] = []

    def slow_count(session, query, *, filters, **kwargs):
        asked.append(filters.due)
        if filters.due is None:
            return counted(session, query, filters=filters, **kwargs)
        release.wait(10)  # a county's due filter: the rows are on screen, the total still being counted
        return 27834

    monkeypatch.setattr(screens.residents, "count_residents", slow_count)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentsScreen)
        summary = app.screen.query_one("#summary", Static)
        await settle(pilot, lambda: "60 residents" in str(summary.render()))
        app.screen.query_one("#f-due", Select).value = "not_visited_month"
        table = app.screen.query_one(DataTable)
        for _ in range(200):  # (not settle: it waits for the count's worker, which waits for this test)
            if asked[-1:] == ["not_visited_month"] and table.row_count == 50 and not app.screen._loading:
                break
            await pilot.pause(0.05)
        assert str(summary.render()) == "Counting…"
        release.set()
        await settle(pilot, lambda: "Counting" not in str(summary.render()))
        assert str(summary.render()) == "27,834 residents"

"""The register's search as the list shows it: the names found, every one counted (the list's count agrees)."""

from __future__ import annotations

import datetime as dt

from storage.register.search import ResidentFilter, count_residents, search_residents


def found_names(db, query: str, today: dt.date) -> list[str]:
    """The names the register lists for `query`, cases closed too; the count the list shows must be theirs."""
    with db.session() as s:
        found = [r.name for r in search_residents(s, query, filters=ResidentFilter(status=None), today=today)]
        assert count_residents(s, query, filters=ResidentFilter(status=None), today=today) == len(found)
    return found


async def typed_in_the_register(db_path, today: dt.date, listed: int, typed: str) -> str:
    """The title of the page Enter opens once `typed` in the register (80×24, Chinese) leaves one person listed;
    `listed`: how many the register lists before anything is typed."""
    from textual.widgets import DataTable, Input

    from tests.pilot_helpers import on_screen, settle, started
    from tui.app import make_app

    app = make_app(db_path, lang="zh_CN", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("r")
        await on_screen(pilot, "ResidentsScreen")
        table = app.screen.query_one(DataTable)
        search = app.screen.query_one("#search", Input)
        await settle(pilot, lambda: table.row_count == listed and search.has_focus)
        await pilot.press(*typed)
        await settle(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await on_screen(pilot, "ResidentScreen")
        return str(app.screen.title)

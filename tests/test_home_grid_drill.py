"""Enter on a grid in the clerk's Home (the Grids list, 9) lists that grid's residents not visited this month.

Seen in a walk (the bench's township of 40 grids): Enter on a grid row did nothing, though the row is the
clerk's question "who in G03 is behind?"; every other list of Home opens what its row names.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from textual.widgets import DataTable

from screens.report_list import ReportListScreen
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, settle
from tests.sync_helpers import elder, make_township
from tui.app import make_app

TODAY = dt.date(2026, 12, 2)


def test_enter_on_a_grid_lists_its_people_not_visited_yet(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李明", "G02")
    seen = elder(a, "张三")
    elder(a, "李四")
    elder(b, "王五")
    log_visit(a, seen.id, {"visit_date": TODAY, "notes": "在家"}, today=TODAY)
    merge_paths(t.db, [export_bundle(a, tmp_path / "usb").path, export_bundle(b, tmp_path / "usb").path])

    async def run() -> None:
        app = make_app(t.db.path, lang="en", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, lambda: getattr(app.screen, "data", None) is not None)
            await pilot.press("9")
            await settle(pilot)
            table = app.screen.query_one("#t-grids", DataTable)
            assert table.has_focus and table.row_count == 2
            table.move_cursor(row=[str(k.value) for k in table.rows].index("330521101-G01"))
            await pilot.press("enter")
            await on_screen(pilot, ReportListScreen)
            listing = app.screen.query_one("#list", DataTable)
            assert [str(listing.get_row_at(i)[0]) for i in range(listing.row_count)] == ["李四"]

    asyncio.run(run())


def test_a_grids_last_bundle_is_said_as_home_says_a_day():
    """The grids' tab said "2026/12/4 23:38" (Babel's short datetime) where every other list says "12月4日"."""
    import datetime as dt
    from types import SimpleNamespace

    from screens.home_lists import _bundle_text
    from storage.core.i18n import set_language

    set_language("zh_CN")
    try:
        grid = SimpleNamespace(last_bundle=dt.datetime(2026, 12, 4, 23, 38), missing=[3], missing_by=())
        assert _bundle_text(grid, dt.date(2026, 12, 5)).plain == "12月4日 23:38  缺第 3 个"
        assert _bundle_text(grid, dt.date(2027, 1, 1)).plain == "2026年12月4日 23:38  缺第 3 个"  # Home's today
    finally:
        set_language("en")


def test_a_moment_is_said_as_the_lists_say_a_day_with_its_year_when_another():
    """Conflicts said "2026/12/5 00:26", devices "2026/12/5（第 2 个）", the grids' tab "12月5日": one way now."""
    import datetime as dt

    from storage.core.i18n import set_language
    from tui.formatting import format_moment

    set_language("zh_CN")
    try:
        today = dt.date(2026, 12, 5)
        assert format_moment(dt.datetime(2026, 12, 5, 0, 26), today) == "12月5日 00:26"
        assert format_moment(dt.datetime(2025, 12, 5, 0, 26), today) == "2025年12月5日 00:26"
    finally:
        set_language("en")
    assert format_moment(dt.datetime(2026, 12, 5, 14, 5), dt.date(2026, 1, 1)) in ("Dec 5 2:05\u202fPM", "Dec 5 2:05 PM")

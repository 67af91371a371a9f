"""`/` on Home: the worker looking for someone types / and the name at once, as on every list. Home did nothing
with `/` (the register's key), and the letters typed after it went to Home's own keys (s opened Sync)."""

from __future__ import annotations

from textual.widgets import Input

from tests.pilot_helpers import on_screen, run_async, settle
from tests.test_typing_order import at_home


@run_async
async def test_slash_on_home_searches_the_register_with_what_is_typed_next(tmp_path):
    async with at_home(tmp_path) as (app, pilot, worker):
        await pilot.press("slash", *"sxy")  # 单秀英's initials; `s` alone is Home's key for Sync
        await on_screen(pilot, "ResidentsScreen")
        search = app.screen.query_one("#search", Input)
        await settle(pilot, lambda: search.value == "sxy" and search.has_focus)
        assert len(app.screen_stack) == 3  # the register on Home, nothing else opened on the way

"""The resident page's paging keys follow one rule (issue #13 "The resident page tells the truth"):
PageUp, PageDown, Home and End scroll the page, also while the referral list has the cursor (there they did
nothing visible); Up and Down move in the part with the cursor, and the referral list says when it has it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from storage.core.db import open_database
from storage.core.models import Referral
from storage.demo.build import generate
from storage.register.referrals import open_referral
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


def _resident_with_referrals(path) -> str:
    db = open_database(path)
    generate(db, seed=1, scale="grid", today=TODAY)
    with db.session() as s:
        rid = s.execute(select(Referral.resident_id).order_by(Referral.resident_id).limit(1)).scalar_one()
    open_referral(db, rid, "police", "第二条转介", today=TODAY)  # two rows: Up and Down have somewhere to go
    db.dispose()
    return rid


@run_async
async def test_paging_keys_scroll_the_page_from_the_referral_list_too(tmp_path):
    from screens.resident import ResidentScreen

    rid = _resident_with_referrals(tmp_path / "w.db")
    app = make_app(str(tmp_path / "w.db"), lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(ResidentScreen(rid))
        await on_screen(pilot, ResidentScreen)
        screen = app.screen
        body = screen.query_one("#body", VerticalScroll)
        table = screen.query_one("#referrals", DataTable)
        heading = screen.query_one("#h-referrals", Static)
        await settle(pilot, lambda: table.row_count >= 2)
        assert body.max_scroll_y > 0  # a page longer than the screen
        await pilot.press("tab")
        await settle(pilot, lambda: app.focused is table)
        assert heading.has_class("-active") and "↑↓" in str(heading.render())
        await pilot.press("end")
        await settle(pilot, lambda: body.scroll_y == body.max_scroll_y)
        assert app.focused is table  # the cursor stays where it was
        await pilot.press("home")
        await settle(pilot, lambda: body.scroll_y == 0)
        await pilot.press("pagedown")
        await settle(pilot, lambda: body.scroll_y > 0)
        down = body.scroll_y
        await pilot.press("pageup")
        await settle(pilot, lambda: body.scroll_y < down)
        # Up and Down move in the list while it has the cursor
        await pilot.press("down")
        await settle(pilot, lambda: table.cursor_row == 1)
        await pilot.press("tab")  # back to the page: the mark goes
        await settle(pilot, lambda: app.focused is body)
        assert not heading.has_class("-active") and "↑↓" not in str(heading.render())
        before = body.scroll_y
        await pilot.press("pagedown")
        await settle(pilot, lambda: body.scroll_y > before or body.scroll_y == body.max_scroll_y)

"""The county's Sync list at 80 columns: which township sent each bundle stays on screen.

Seen in tmux at 80×24: the list dropped its 乡镇 column for want of room, the sender read 乡镇民政助理员 (the clerk's
title, the same for most townships) and the file's name, cut in the middle, lost the township's code — two
townships' bundles looked alike.
"""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input

from tests.county_helpers import busy_township, make_county
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app


@run_async
async def test_at_80_columns_each_bundle_of_the_countys_list_names_its_township(tmp_path):
    from screens.sync import SyncScreen

    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    stick = tmp_path / "stick"
    for code in ("330521101", "330521102"):
        t = busy_township(tmp_path / code, code, tmp_path / "county.pub", n=1, county=county)
        t.to_county(stick)
        t.close()
    county.dispose()
    app = make_app(tmp_path / "county.db", lang="zh_CN", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(SyncScreen())
        await on_screen(pilot, SyncScreen)
        screen = app.screen
        screen.query_one("#folder", Input).value = str(stick)
        await pilot.press("enter")
        table = screen.query_one("#bundles", DataTable)
        await settle(pilot, lambda: table.row_count == 2)
        assert "乡镇" in [str(c.label) for c in table.columns.values()]
        rows = sorted(table.row_text(i) for i in range(2))
        assert "镇101" in rows[0] and "镇102" in rows[1], rows
        # and it is drawn, not only held: the township's cell lies within the table's width on screen
        shown = "\n".join(strip.text for strip in table.render_lines(table.region.reset_offset))
        assert "镇101" in shown and "镇102" in shown, shown

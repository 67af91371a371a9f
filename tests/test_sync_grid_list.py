"""The Sync screen offers a grid a bundle back as soon as its first bundle is merged (walk F, 2).

The list of grids was read when the screen opened: after merging a new grid's first bundle (its device enrolled
by its code) the clerk found only "请选择网格" until they left the screen and came back."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from storage.sync.export import export_bundle
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import elder, make_township
from tui.app import make_app


@run_async
async def test_a_grid_merged_for_the_first_time_can_be_sent_a_bundle_at_once(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    elder(w, "张三")
    export_bundle(w, tmp_path / "usb")
    w.dispose()
    t.db.dispose()
    app = make_app(tmp_path / "township.db", lang="zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("s")
        await on_screen(pilot, "SyncScreen")
        grids = app.screen.query_one("#grid", Select)
        assert [value for _label, value in grids._options if value != Select.NULL] == []  # none enrolled yet
        app.screen.query_one("#folder", Input).value = str(tmp_path / "usb")
        app.screen.action_run()
        await settle(pilot, lambda: "已合并 1 个新数据包" in str(app.screen.query_one("#result", Static).content))
        await settle(pilot, lambda: any(value == "G01" for _label, value in grids._options))
        assert [str(label) for label, value in grids._options if value == "G01"] == ["G01 G01网格（王芳）"]  # its name too (walk F)

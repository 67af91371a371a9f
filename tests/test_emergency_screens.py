"""Emergencies on screen at 80×24: the township's Home puts them at the top until acknowledged."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable

from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tui.app import make_app

from tests.pilot_helpers import quiet, run_async
from tests.sync_helpers import elder, make_township


def _township_with_an_emergency(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张小明")
    today = dt.date.today()
    log_visit(w, r.id, {"visit_date": today, "mandatory_report": True, "notes": "老人摔倒"}, today=today)
    export_bundle(w, tmp_path / "usb")
    merge_paths(t.db, [tmp_path / "usb"])
    t.db.dispose()
    return t, w, r, today


@run_async
async def test_township_home_lists_the_emergency_at_the_top_and_a_acknowledges_it(tmp_path):
    t, w, r, today = _township_with_an_emergency(tmp_path)
    app = make_app(t.db.path, lang="en", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await quiet(pilot)
        home = app.screen
        assert home.query_one("#emergencies").display
        table = home.query_one("#t-emergencies", DataTable)
        assert table.row_count == 1
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[0] == "0 hours" and cells[1] == "张小明" and "Must be reported at once" in cells[3]
        assert table.region.y < home.query_one("#progress").region.y  # above everything else
        await pilot.press("a")
        await quiet(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await quiet(pilot)
        assert app.screen is home and home.data.emergencies == []
        assert not home.query_one("#emergencies").display
        await pilot.press("a")  # nothing left to acknowledge: the key does nothing
        await quiet(pilot)
        assert app.screen is home


@run_async
async def test_a_worker_sees_its_emergency_waiting_and_has_no_acknowledge_key(tmp_path):
    t, w, r, today = _township_with_an_emergency(tmp_path)
    w.dispose()
    app = make_app(w.path, lang="en", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await quiet(pilot)
        home = app.screen
        assert home.query_one("#t-emergencies", DataTable).row_count == 1
        assert "not yet acknowledged by the township" in str(home.query_one("#emergencies-title").render())
        await pilot.press("a")
        await quiet(pilot)
        assert app.screen is home
        from storage.core.db import open_database
        from storage.register.home import home_data

        assert len(home_data(open_database(w.path), today).emergencies) == 1

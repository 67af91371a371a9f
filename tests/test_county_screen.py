"""The app on a county database: a county Home (townships, last bundles, emergencies, the month's rate)."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Static

from storage.sync.merge import merge_paths
from tui.app import make_app

from tests.county_helpers import busy_township, make_county
from tests.pilot_helpers import quiet, run_async


def _county_with_a_township(tmp_path, target):
    county = make_county(target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=3, county=county)
    assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
    county.dispose()
    t.close()


@run_async
async def test_a_county_database_opens_on_the_county_home(tmp_path, db_target):
    from screens.county_home import CountyHomeScreen

    _county_with_a_township(tmp_path, db_target)
    app = make_app(db_target, lang="en", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(120, 30)) as pilot:
        await quiet(pilot)
        assert isinstance(app.screen, CountyHomeScreen)
        summary = str(app.screen.query_one("#progress", Static).render())
        assert "德清县" in summary and "2026-11" in summary and "key persons" in summary
        table = app.screen.query_one("#t-townships", DataTable)
        assert table.row_count == 1
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[0] == "镇101 330521101" and cells[1] == "6" and cells[-2] not in ("", "never") and cells[-1] == ""
        assert "德清县 · county" in app.sub_title and "county" in app.sub_title
        await pilot.press("2")
        assert app.screen.query_one("#lists").active == "emergencies"

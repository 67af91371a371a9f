"""After the Sync screen's merge, the township's line about the county counts what the merge added.

Seen in tmux: the clerk merged a worker's bundle of two new records, and the screen went on saying
"尚未报送县级的变更：0" (read when the screen opened), though two changes now waited for the county."""

from __future__ import annotations

import asyncio

from textual.widgets import Input, Static

from screens.sync import SyncScreen
from storage.sync.export import export_bundle
from tests.county_helpers import elder, make_county, make_township
from tests.pilot_helpers import settle
from tests.register_helpers import HarnessApp


def test_the_county_line_counts_again_after_a_merge(tmp_path):
    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    (tmp_path / "t").mkdir()
    t = make_township(tmp_path / "t", "330521101", tmp_path / "county.pub", county)
    t.to_county(tmp_path / "up")  # nothing waits for the county now
    w = t.worker("G01", "王芳")
    elder(w, "张三")
    export_bundle(w, tmp_path / "usb")

    def status(app) -> str:
        return str(app.screen.query_one("#county-status", Static).content)

    async def run() -> None:
        app = HarnessApp(t.db, SyncScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, lambda: "Changes not yet sent to the county: 0." in status(app))
            app.screen.query_one("#folder", Input).value = str(tmp_path / "usb")
            app.screen.action_run()
            await settle(pilot, lambda: "1 new bundle merged" in str(app.screen.query_one("#result", Static).content))
            await settle(pilot, lambda: "Changes not yet sent to the county: 0." not in status(app))
            assert "Changes not yet sent to the county:" in status(app)

    asyncio.run(run())

"""The resident page says which key records a benefit, as it does for the paired helper (b is in no footer and in
no palette; seen in a walk: the page said "Assistance and subsidies: —" and "Eligible, not recorded as
receiving: …" and nothing of how to record one)."""

from __future__ import annotations

import asyncio

from screens.benefits import BenefitsScreen
from screens.resident import ResidentScreen
from tests.pilot_helpers import on_screen, settle, started
from tests.sync_helpers import elder, make_township
from tests.test_walkthrough import screen_text
from tui.app import make_app


def test_the_page_names_the_key_and_the_key_opens_the_benefits(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    rid = elder(w, "张三").id

    async def run() -> None:
        app = make_app(w.path, lang="en")
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, lambda: ResidentScreen(rid))
            await settle(pilot)
            assert "Assistance and subsidies: none recorded: press b to record one" in screen_text(app, " ")
            await pilot.press("b")
            await on_screen(pilot, BenefitsScreen)

    asyncio.run(run())

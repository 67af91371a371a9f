"""Home's tab bar at 80×24: every list's tab is on screen, in both languages, for a worker and a township
(issue #13 leftovers: the township's 未结对 was cut and 网格 off screen; in English the bar ended at "Benef"),
and 1–8 (9 at a township) still open the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Static, TabbedContent, Tabs

from storage.core.db import open_database
from storage.core.i18n import set_language
from storage.demo.build import generate
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import make_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(params=["worker", "township"])
def home_db(request, tmp_path):
    """The demo's grid (300 people, counts of two digits in every list), on a worker's or a township's database."""
    if request.param == "worker":
        db = open_database(tmp_path / "w.db")
    else:
        db = make_township(tmp_path).db
    generate(db, seed=1, scale="grid", today=TODAY)
    path = db.path
    db.dispose()
    yield request.param, path
    set_language("en")


async def _tabs_on_screen(pilot, width: int) -> list[tuple[str, int, int]]:
    tabs = pilot.app.screen.query_one(TabbedContent).query_one(Tabs)
    shown = [t for t in tabs.query("Tab") if t.display]
    return [(str(t.label), t.region.x, t.region.right) for t in shown]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_every_tab_is_on_an_80_column_screen_and_the_number_keys_open_the_lists(home_db, lang):
    role, path = home_db
    set_language(lang)
    app = make_app(str(path), lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: app.screen.data is not None)
        screen = app.screen
        tabs = await _tabs_on_screen(pilot, 80)
        assert len(tabs) == (9 if role == "township" else 8)
        assert all(right <= 80 and label.strip() for label, _x, right in tabs), tabs
        contents = screen.query_one(TabbedContent)
        for key, pane in enumerate(["overdue", "due_week", "high_risk", "referrals", "ageing_out", "recent",
                                    "benefits", "unpaired"] + (["grids"] if role == "township" else []), start=1):
            await pilot.press(str(key))
            await settle(pilot)
            assert contents.active == pane
            assert app.focused is not None and app.focused.id == f"t-{pane}"
            # the list's full name and its count on the line above it
            name = str(screen.query_one(f"#name-{pane}", Static).render())
            assert name and (pane == "recent" or any(ch.isdigit() for ch in name)), name


@run_async
async def test_a_wide_screen_shows_each_lists_count_on_its_tab(home_db):
    role, path = home_db
    set_language("en")
    app = make_app(str(path), lang="en", today=TODAY)
    async with app.run_test(size=(160, 40)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: app.screen.data is not None)
        overdue = app.screen.data.counts["overdue"]
        assert f"Overdue {overdue}" in [label for label, _x, _r in await _tabs_on_screen(pilot, 160)]

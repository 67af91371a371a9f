"""The categories in one order everywhere a person reads or ticks them: the plans' (children, women, elders,
disabled, ill), as on Home. The form's checklist had the stored order, 农村留守妇女 after 重度残疾人."""

from __future__ import annotations

import datetime as dt

from textual.widgets import SelectionList

from storage.core.i18n import set_language
from storage.register.categories import CATEGORIES, DERIVED_CATEGORIES, SHOWN_CATEGORIES
from storage.register.residents import register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


@run_async
async def test_the_form_offers_the_categories_in_homes_order_and_storage_keeps_its_own(tmp_path):
    set_language("en")
    db = make_db(tmp_path / "w.db")
    db.dispose()
    app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("n")
        await on_screen(pilot, "ResidentFormScreen")
        await settle(pilot)
        offered = [o.value for o in app.screen.query_one("#categories", SelectionList).options]
    assert offered == [c for c in SHOWN_CATEGORIES if c not in DERIVED_CATEGORIES]
    assert set(offered) == set(CATEGORIES)
    r = register_resident(make_db(tmp_path / "w2.db"), {"name": "王五", "categories": ["seriously_ill", "left_behind_woman"]},
                          today=TODAY)
    assert r.categories == ["left_behind_woman", "seriously_ill"]  # CATEGORIES' order, as before

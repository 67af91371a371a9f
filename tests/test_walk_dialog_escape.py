"""Esc on a dialog a worker has typed into (walk h-walk, 4): closing a case (退出（销号）) with its remark typed,
then Esc, threw the remark away and said nothing, where the resident and visit forms ask first."""

from __future__ import annotations

import datetime as dt
import random

from textual.widgets import Input

from screens.dialogs import ChooseScreen, ConfirmScreen
from storage.core.i18n import set_language
from storage.register.idnumbers import fake_id_number
from storage.register.residents import get_resident, register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async, settle, started
from tests.test_drop_down_drawn import drawn_lines
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
HERS = fake_id_number(random.Random(1), dt.date(1950, 3, 12), "F", "330521")


async def _closing(pilot, app) -> ChooseScreen:
    await pilot.press("x")
    await settle(pilot, lambda: isinstance(app.screen, ChooseScreen))
    return app.screen


@run_async
async def test_esc_on_a_closing_with_its_remark_typed_asks_before_throwing_it_away(tmp_path):
    from screens.resident import ResidentScreen

    set_language("zh_CN")
    db = make_db(tmp_path / "w.db")
    her = register_resident(db, {"name": "刘桂英", "id_number": HERS, "categories": ["solitary_elder"]}, today=TODAY)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, lambda: ResidentScreen(her.id))
            page = app.screen
            dialog = await _closing(pilot, app)
            await pilot.press("escape")  # nothing typed: Esc closes it at once, as before
            await settle(pilot, lambda: app.screen is page)

            dialog = await _closing(pilot, app)
            dialog.query_one("#reason", Input).focus()
            await pilot.press(*"随女儿去县城居住")
            await pilot.press("escape")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "放弃" in "\n".join(drawn_lines(app))
            await pilot.press("n")  # keep editing: the dialog again, as typed
            await settle(pilot, lambda: app.screen is dialog)
            assert dialog.query_one("#reason", Input).value == "随女儿去县城居住"
            await pilot.press("escape")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")  # discard: back on the page, nothing closed
            await settle(pilot, lambda: app.screen is page)
        assert get_resident(db, her.id).status == "active"
    finally:
        set_language("en")
        db.dispose()

"""Keys typed ahead in a dialog reach the field the person moved to (issue #13, seen in tmux).

Closing a case: choose the reason in the list, Tab (twice: past the closing's date), type the remark fast. Tab was acted on only after
the keys behind it had gone to the list being left, so the remark was lost without a word.
"""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, Select

from screens.dialogs import ChooseScreen
from screens.resident import ResidentScreen
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.register_helpers import make_register_db, resident_id
from tests.test_field_blockers_app import burst
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


@run_async
async def test_a_remark_typed_right_after_tab_lands_in_the_remark_box(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(rid))
        await pilot.press("x")
        await on_screen(pilot, ChooseScreen)
        app.screen.query_one("#choice", Select).value = "moved_away"
        app.screen.query_one("#choice", Select).focus()
        await pilot.pause()
        burst(app, ["tab", "tab", *"moved to town"])  # past the closing's date (today) to the remark
        await settle(pilot, lambda: app.screen.query_one("#reason", Input).value == "moved to town")
        assert app.screen.query_one("#reason", Input).has_focus

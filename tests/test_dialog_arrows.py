"""Left and Right in a yes/no dialog go to the button on that side, never round past the end.

Seen in tmux: Esc in a half-filled resident form asks "Discard your changes?" with the focus on the safe
"Keep editing" (on the right). Right, pressed to stay there, went round to "Discard", and Enter threw the
form away.
"""

from __future__ import annotations

from textual.widgets import Button, Input

from screens.dialogs import ConfirmScreen
from screens.resident_form import ResidentFormScreen
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle, started
from tui.app import make_app


@run_async
async def test_right_on_the_safe_answer_stays_there_and_enter_keeps_the_form(tmp_path):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentFormScreen)
        app.screen.query_one("#name", Input).value = "曾秀英"
        await pilot.press("escape")
        await on_screen(pilot, ConfirmScreen)
        assert app.screen.focused.id == "no"  # the safe answer first
        await pilot.press("right")
        assert app.screen.focused.id == "no"
        await pilot.press("enter")
        await on_screen(pilot, ResidentFormScreen)
        assert app.screen.query_one("#name", Input).value == "曾秀英"


@run_async
async def test_left_goes_to_the_left_button_and_stays(tmp_path):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ConfirmScreen("Discard?"))
        await pilot.press("left", "left")
        assert isinstance(app.screen.focused, Button) and app.screen.focused.id == "yes"
        await pilot.press("right")
        assert app.screen.focused.id == "no"
        await settle(pilot)

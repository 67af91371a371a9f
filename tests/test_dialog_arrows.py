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


@run_async
async def test_the_risk_dialog_opens_on_the_level_and_down_on_low_does_not_go_round_to_emergency(tmp_path):
    """Seen in tmux: `r` put the cursor in 原因, so Enter saved the level unchanged ("请说明原因。"); and in a risk
    list, Enter then Down on 低 (the last level) went round to 紧急: a false emergency, reported to the township."""
    from textual.widgets import Select

    from screens.dialogs import ChooseScreen
    from screens.resident import ResidentScreen
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "单桂芳")
    w.dispose()
    app = make_app(w.path, lang="zh_CN")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(r.id))
        await pilot.press("r")
        await on_screen(pilot, ChooseScreen)
        choice = app.screen.query_one("#choice", Select)
        assert app.screen.focused is choice and choice.value == "low"
        await pilot.press("enter")
        await settle(pilot, lambda: choice.expanded)
        await pilot.press("down", "down", "enter")  # one Down too many, on the last level
        await settle(pilot, lambda: not choice.expanded)
        assert choice.value == "low"
        await pilot.press("enter")
        await settle(pilot, lambda: choice.expanded)
        await pilot.press("up", "enter")
        await settle(pilot, lambda: not choice.expanded)
        assert choice.value == "medium"  # the list still moves, within its ends

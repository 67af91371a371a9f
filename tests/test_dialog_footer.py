"""A dialog has a footer of its own: its keys, not the keys of the screen below it.

Seen in tmux (Chinese, 80×24): over the villages screen, the village dialog's bottom row read
"⏎ 设置所属村 esc 返回" — that screen's keys; the letters of the Devices screen ("n 登记码") stood under
a dialog whose box took every letter typed. Each dialog now shows its own keys (Ctrl+S, Esc, the picker's
Backspace and Ctrl+L), and at 80×24 its buttons stay in view above that footer.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Button, Footer

from screens.benefit_form import BenefitFormScreen
from screens.conflicts import ValueScreen
from screens.devices import DevicesScreen, EnrollScreen
from screens.dialogs import ChooseScreen, ConfirmScreen
from screens.path_picker import PathPickerScreen
from screens.villages import VillageDialog
from storage.core.i18n import _, set_language
from storage.register.villages import GridVillage
from tests.pilot_helpers import on_screen, said, settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import clerk_elder, make_township


def _keys(footer: Footer) -> set[str]:
    return {str(getattr(key, "description", "")) for key in footer.query("FooterKey")}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_each_dialog_shows_its_own_keys_and_its_buttons(tmp_path, lang):
    t = make_township(tmp_path)
    grid = GridVillage("330521101-G03", "G03", "3网格", "王芳", "", "")
    resident = clerk_elder(t, "单桂兰").id
    dialogs = [
        (lambda: VillageDialog(grid, []), "Cancel"),
        (lambda: PathPickerScreen("Folder", tmp_path), "Up one folder"),
        (EnrollScreen, "OK"),
        (lambda: ConfirmScreen("Discard your changes?"), "Cancel"),
        (lambda: ChooseScreen("Withdraw which code?", [("G03 · 王芳", "x")], reason_label="Why"), "Cancel"),
        (lambda: ValueScreen("Phone", "13800000000"), "Cancel"),
        (lambda: BenefitFormScreen(resident), "Save"),  # the tallest: five fields, then its buttons
    ]

    async def run() -> None:
        set_language(lang)
        app = HarnessApp(t.db, DevicesScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, DevicesScreen)
            below = _keys(app.screen.query_one(Footer))
            assert _("New code") in below
            for make, own in dialogs:
                dialog = make()
                app.push_screen(dialog)
                await on_screen(pilot, type(dialog))
                await settle(pilot)
                footers = list(dialog.query(Footer))
                assert len(footers) == 1, type(dialog).__name__
                footer = footers[0]
                await settle(pilot, lambda footer=footer: _keys(footer))
                keys = _keys(footer)
                assert _(own) in keys and _("New code") not in keys, (type(dialog).__name__, keys)
                assert footer.region.y == 23, (type(dialog).__name__, footer.region)
                for button in dialog.query(Button):  # whole, above the footer
                    assert 0 <= button.region.y and button.region.bottom <= 23, (type(dialog).__name__, button.region)
                await pilot.press("escape")
                await settle(pilot)

    try:
        asyncio.run(run())
    finally:
        set_language("en")


def test_a_question_names_its_answer_keys_by_its_buttons_words(tmp_path):
    """Walk F: a question's footer read only "esc 取消"; y and n answered unseen. They are named by the
    buttons' own words (y 办结 n 取消), never a bare 是/否 under buttons that say something else."""
    t = make_township(tmp_path)

    async def run() -> None:
        set_language("zh_CN")
        app = HarnessApp(t.db, DevicesScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, DevicesScreen)
            answers = []
            for question in (ConfirmScreen("标为已办结？", yes="办结", no="取消"), ConfirmScreen("恢复草稿？")):
                app.push_screen(question, answers.append)
                await on_screen(pilot, ConfirmScreen)
                footer = question.query_one(Footer)
                await settle(pilot, lambda footer=footer: _keys(footer))
                shown = [(key.key, str(key.description)) for key in footer.query("FooterKey")]
                assert shown[:2] == ([("y", "办结"), ("n", "取消")] if question.yes_label == "办结"
                                     else [("y", "是"), ("n", "否")]), shown
                await pilot.press("y")
                await settle(pilot)
            assert answers == [True, True]

    try:
        asyncio.run(run())
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_f2_in_a_dialog_says_to_answer_it_first(tmp_path, lang):
    """A modal screen passes no key to the app: F2 in a dialog did nothing and said nothing. It says what to do now,
    and changes nothing (a question worded by the screen below stays whole in one language)."""
    from storage.core.i18n import current_language

    t = make_township(tmp_path)

    async def run() -> None:
        set_language(lang)
        app = HarnessApp(t.db, DevicesScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, DevicesScreen)
            dialog = ConfirmScreen(_("Discard your changes?"))
            app.push_screen(dialog)
            await on_screen(pilot, ConfirmScreen)
            await pilot.press("f2")
            await settle(pilot, lambda: app._notifications)
            (note,) = said(app)
            assert note == _("Answer or close this dialog first (Esc); then F2 switches the language.")
            assert current_language() == lang and app.screen is dialog
            await pilot.press("escape")
            await on_screen(pilot, DevicesScreen)

    try:
        asyncio.run(run())
    finally:
        set_language("en")

"""A dialog's field labels keep a space before their box, in each language.

Seen in tmux (English, 80×24): "Village code12 digits, if you know it" and "PlacesHome folder, USB sticks…" —
the labels were as wide as their words, and the box's text ran straight on. The village dialog also said
nowhere how to save (the footer below a dialog is the screen's): it has OK and Cancel now.
"""

from __future__ import annotations

import asyncio

import pytest
from rich.cells import cell_len
from textual.widgets import Button, Label

from screens.devices import EnrollScreen
from screens.path_picker import PathPickerScreen
from screens.villages import VillageDialog
from storage.register.villages import GridVillage
from tests.pilot_helpers import on_screen, settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import make_township


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_label_keeps_a_space_before_its_box(tmp_path, lang):
    from storage.core.i18n import set_language

    t = make_township(tmp_path)
    grid = GridVillage("330521101-G03", "G03", "3网格", "王芳", "", "")
    dialogs = [lambda: VillageDialog(grid, []), lambda: PathPickerScreen("Folder", tmp_path), EnrollScreen]

    async def run() -> None:
        set_language(lang)
        from screens.devices import DevicesScreen

        app = HarnessApp(t.db, DevicesScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            for make in dialogs:
                dialog = make()
                app.push_screen(dialog)
                await on_screen(pilot, type(dialog))
                await settle(pilot)
                for label in dialog.query("Label.field-label, Label.picker-label").results(Label):
                    words = cell_len(str(label.content))
                    assert label.content_region.width > words, (type(dialog).__name__, str(label.content))
                if isinstance(dialog, VillageDialog):
                    assert {b.id for b in dialog.query(Button)} == {"ok", "cancel"}
                await pilot.press("escape")
                await settle(pilot)

    try:
        asyncio.run(run())
    finally:
        set_language("en")

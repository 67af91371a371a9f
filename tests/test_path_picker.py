"""Choosing the export folder (and the township key file) by keyboard: up to the root, USB sticks,
a typed or pasted path (storage/core/folders.py, screens/path_picker.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from screens.path_picker import UP, PathPickerScreen
from screens.sync import SyncScreen
from storage.core import platform
from storage.core.errors import UserError
from storage.core.folders import listing, parent, places, typed_path
from tests.pilot_helpers import run_async
from tests.register_helpers import TODAY, make_register_db
from tests.test_keyboard_rules import home, settle
from tui.app import make_app


def test_a_pasted_path_loses_its_quotes_and_url_and_gets_its_home(tmp_path):
    assert typed_path('"/media/wang/KINGSTON"') == Path("/media/wang/KINGSTON")
    assert typed_path("file:///media/wang/U%20%E7%9B%98") == Path("/media/wang/U 盘")
    assert typed_path("~/导出") == Path.home() / "导出"
    assert typed_path("   ") is None


def test_parent_goes_up_to_the_root_and_stops_there():
    here, seen = Path("/media/wang/stick"), []
    while here is not None:
        seen.append(here)
        here = parent(here)
    assert seen[-1] == Path("/") and len(seen) == 4


def test_a_listing_has_folders_first_and_only_the_files_asked_for(tmp_path):
    (tmp_path / "b-folder").mkdir()
    (tmp_path / "A-folder").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "township-330521101.pub").write_text("key", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert [e.path.name for e in listing(tmp_path)] == ["A-folder", "b-folder"]
    assert [e.path.name for e in listing(tmp_path, (".pub",))] == ["A-folder", "b-folder", "township-330521101.pub"]
    with pytest.raises(UserError):
        listing(tmp_path / "missing")


def test_places_name_home_and_every_stick(monkeypatch, tmp_path):
    monkeypatch.setattr(platform, "storage_roots", lambda: [tmp_path / "KINGSTON"])
    assert places() == [Path.home(), tmp_path / "KINGSTON"]


def _tree(tmp_path: Path) -> Path:
    stick = tmp_path / "media" / "wang" / "KINGSTON"
    (stick / "gridcare").mkdir(parents=True)
    (tmp_path / "home" / "docs").mkdir(parents=True)
    return stick


@run_async
async def test_the_export_folder_is_picked_by_keyboard_up_the_tree_and_down_to_the_stick(tmp_path):
    stick = _tree(tmp_path)
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        app.push_screen(SyncScreen())
        await settle(pilot, 0.2)
        app.screen.query_one("#folder", Input).value = str(tmp_path / "home" / "docs")
        await pilot.press("ctrl+o")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PathPickerScreen) and picker.folder == tmp_path / "home" / "docs"
        await pilot.press("backspace", "backspace")  # up twice: tmp_path
        assert picker.folder == tmp_path
        entries = picker.query_one("#entries", OptionList)
        assert entries.get_option_at_index(0).id == UP
        names = [entries.get_option_at_index(i).id for i in range(entries.option_count)]
        entries.highlighted = names.index(str(tmp_path / "media"))
        await pilot.press("enter", "enter", "enter")  # media/ -> wang/ -> KINGSTON/ (each the only folder)
        assert picker.folder == stick
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert app.screen.query_one("#folder", Input).value == str(stick)


@run_async
async def test_a_typed_or_pasted_path_goes_straight_there_and_up_reaches_the_root(tmp_path):
    stick = _tree(tmp_path)
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        app.push_screen(PathPickerScreen("Folder", tmp_path / "home"))
        await settle(pilot)
        picker = app.screen
        await pilot.press("ctrl+l")
        path = picker.query_one("#path", Input)
        assert picker.focused is path
        path.value = f'"{stick}"'  # pasted from a file manager, with quotes
        await pilot.press("enter")
        await settle(pilot)
        assert picker.folder == stick and isinstance(picker.focused, OptionList)
        for _ in range(len(stick.parts) + 2):
            await pilot.press("backspace")
        assert picker.folder == Path(stick.anchor)  # the root, and no further
        path.value = str(tmp_path / "nowhere")
        await pilot.press("ctrl+l", "enter")
        await settle(pilot)
        assert "There is no folder" in str(picker.query_one("#picker-problem").render())
        assert picker.folder == Path(stick.anchor)


@run_async
async def test_a_file_picker_chooses_a_fitting_file(tmp_path):
    (tmp_path / "keys").mkdir()
    key = tmp_path / "keys" / "township-330521101.pub"
    key.write_text("key", encoding="utf-8")
    (tmp_path / "keys" / "readme.txt").write_text("x", encoding="utf-8")
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    chosen = []
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        app.push_screen(PathPickerScreen("Key", tmp_path / "keys", suffixes=(".pub",)), chosen.append)
        await settle(pilot)
        entries = app.screen.query_one("#entries", OptionList)
        ids = [entries.get_option_at_index(i).id for i in range(entries.option_count)]
        assert ids == [UP, str(key)]  # the .txt is not offered
        entries.highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
    assert chosen == [key]
    assert os.path.exists(chosen[0])

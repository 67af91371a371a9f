"""The Sync screen opens with the cursor in the folder box: a person types or checks the folder and presses
Enter (issue #13 leftovers; before, the focus sat on the scrolling body and typing did nothing)."""

from __future__ import annotations

from textual.widgets import Button, DataTable, Input

from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY
from tests.sync_helpers import elder, make_township
from tui.app import make_app


@run_async
async def test_a_worker_types_the_folder_and_enter_exports_there(tmp_path, monkeypatch):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    a.dispose()
    monkeypatch.setenv("HOME", str(tmp_path))  # the suggested folder when nothing was exported yet
    monkeypatch.chdir(tmp_path)  # a folder typed as "usb" is the one beside it
    usb = tmp_path / "usb"
    usb.mkdir()
    app = make_app(str(tmp_path / "G01.db"), lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("s")
        await on_screen(pilot, "SyncScreen")
        box = app.screen.query_one("#folder", Input)
        await settle(pilot, lambda: box.value == str(tmp_path))
        assert app.focused is box
        await pilot.press("ctrl+u", *"usb")  # (Ctrl+U: clear to the start, as in a shell)
        await pilot.press("enter")
        await settle(pilot, lambda: list(usb.glob("*.gcb")))
    assert len(list(usb.glob("*.gcb"))) == 1


@run_async
async def test_a_clerk_types_the_folder_enter_lists_the_bundles_and_enter_again_merges(tmp_path, monkeypatch):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    export_bundle(a, tmp_path / "usb")
    a.dispose()
    monkeypatch.setenv("HOME", str(tmp_path))
    t.db.dispose()
    app = make_app(str(tmp_path / "township.db"), lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("s")
        await on_screen(pilot, "SyncScreen")
        screen = app.screen
        box = screen.query_one("#folder", Input)
        await settle(pilot, lambda: box.value == str(tmp_path))
        assert app.focused is box
        await pilot.press(*"/usb", "enter")
        await settle(pilot, lambda: screen.query_one("#bundles", DataTable).row_count == 1)
        assert app.focused is screen.query_one("#run", Button)
        await pilot.press("enter")
        await settle(pilot, lambda: str(screen.query_one("#bundles", DataTable).get_row_at(0)[0]) == "already merged")


@run_async
async def test_f2_on_sync_and_devices_changes_their_words_and_keeps_the_folder_typed(tmp_path, monkeypatch):
    """Before: after F2 the Sync and Devices screens kept their words in the old language until opened again."""
    from textual.widgets import Static

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    merge_paths(t.db, [export_bundle(a, tmp_path / "first").path])  # the device is listed once its bundle came
    elder(a, "李四")
    a.dispose()
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(str(tmp_path / "G01.db"), lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("s")
        await on_screen(pilot, "SyncScreen")
        screen = app.screen
        box = screen.query_one("#folder", Input)
        await settle(pilot, lambda: box.value == str(tmp_path / "first"))  # where the last bundle went
        await pilot.press(*"/usb", "f2")
        await settle(pilot, lambda: "Ready to go" in screen.pending_summary)  # (the counts as shown)
        assert "Export what you recorded" in str(screen.query_one("#intro", Static).render())
        assert "Enter exports" in str(screen.query_one("#folder-hint", Static).render())
        assert str(screen.query_one("#run", Button).label) == "Export" and box.value == f"{tmp_path}/first/usb"
    t.db.dispose()
    app = make_app(str(tmp_path / "township.db"), lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("d")
        await on_screen(pilot, "DevicesScreen")
        screen = app.screen
        table = screen.query_one("#devices", DataTable)
        await settle(pilot, lambda: table.row_count == 1)
        await pilot.press("f2")
        await settle(pilot, lambda: "approved" in str(table.get_row_at(0)))
        assert [str(c.label) for c in table.columns.values()][0] == "Status"
        assert "Bundles are merged only from devices" in str(screen.query_one("#intro", Static).render())

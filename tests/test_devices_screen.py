"""The Devices screen (township): enroll a worker, approve a waiting device, revoke one — from the keyboard."""

from __future__ import annotations

import re

from textual.widgets import DataTable, Input, Static

from screens.devices import DevicesScreen
from storage.core.models import Identity
from storage.sync import devices
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import elder, make_township


def _text(screen, selector) -> str:
    return str(screen.query_one(selector, Static).content)  # the text given (a Wrapped renderable: its text)


async def _new_code(pilot) -> None:
    """A code for a new worker, as the clerk asks for one: n, grid, name, Enter."""
    await pilot.press("n")
    await settle(pilot)
    pilot.app.screen.query_one("#grid", Input).value = "G01"
    pilot.app.screen.query_one("#worker", Input).value = "王芳"
    pilot.app.screen.query_one("#worker", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


@run_async
async def test_the_clerk_enrolls_approves_and_revokes_on_screen(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("赵敏", "G03", enrolled=False)
    elder(w, "王五")
    assert merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path]).bundles[0].status == "waiting"
    with w.session() as s:
        device = s.get(Identity, 1).device_id
    app = HarnessApp(t.db, DevicesScreen)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#devices", DataTable)
        assert table.row_count == 1 and "awaiting approval" in str(table.get_row_at(0))
        await _new_code(pilot)
        assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", _text(screen, "#result"))
        assert "王芳" in _text(screen, "#codes")
        # approve the waiting device: a, then yes; its waiting bundle is merged
        table.focus()
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "approved for grid G03" in _text(screen, "#result") and "new " in _text(screen, "#result")
        # revoke it: r, then yes (the safe answer has the focus, so y is explicit)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "revoked" in _text(screen, "#result")
    assert [(v.device_id, v.status) for v in devices.list_devices(t.db)] == [(device, "revoked")]


@run_async
async def test_the_enrollment_message_never_starts_a_line_with_a_colon_at_80_columns(tmp_path):
    """"…系统不保存它：丢了…" folded at 78 cells put "：" first on a line (seen in tmux, Chinese, 80×24)."""
    from storage.core.i18n import set_language
    from tests.test_walkthrough import screen_text

    t = make_township(tmp_path)
    set_language("zh_CN")
    try:
        app = HarnessApp(t.db, DevicesScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await _new_code(pilot)
            result = _text(app.screen, "#result")
            assert "系统不保存它：丢了" in result.replace("\n", "")
            lines = screen_text(app).splitlines()
            assert not [line for line in lines if line.strip()[:1] in "，。、；：？！）"], "\n".join(lines)
    finally:
        set_language("en")


@run_async
async def test_the_fingerprint_to_check_is_on_one_line_at_80_columns(tmp_path):
    """"…密钥指纹是 1afe f845 af97\\n9f84：请先…" (seen in tmux): the four groups the clerk reads out to the
    worker were folded across two lines of the approval question."""
    from screens.dialogs import ConfirmScreen
    from storage.core.i18n import set_language
    from tests.pilot_helpers import on_screen
    from tests.test_walkthrough import screen_text

    t = make_township(tmp_path)
    w = t.worker("Wang Fang", "G03", enrolled=False)
    elder(w, "王五")
    merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path])
    fp = devices.list_devices(t.db)[0].fingerprint
    set_language("zh_CN")
    try:
        app = HarnessApp(t.db, DevicesScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.screen.query_one("#devices", DataTable).focus()
            await pilot.press("a")
            await on_screen(pilot, ConfirmScreen)
            dialog_rows = [row for row in screen_text(app).splitlines() if row.startswith("█")]  # (the table behind
            assert any(fp in row for row in dialog_rows), dialog_rows                        # shows it too)
    finally:
        set_language("en")


@run_async
async def test_a_grid_code_typed_as_the_workers_name_is_caught_in_the_dialog(tmp_path):
    """Walked: the grid box came filled from the list's row (G01), the clerk typed G04 into the name box: a code
    was made for a worker called "G04" in grid G01. The dialog says so and goes to the grid box; nothing is made."""
    from screens.devices import EnrollScreen

    t = make_township(tmp_path)
    t.worker("王芳", "G01")
    app = HarnessApp(t.db, DevicesScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        codes = len(devices.enrollments(t.db))
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EnrollScreen)
        dialog.query_one("#grid", Input).value = "G01"  # as the list's row fills it
        dialog.query_one("#worker", Input).value = "G04"
        dialog.query_one("#worker", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and dialog.focused is dialog.query_one("#grid", Input)
        assert "G04 looks like a grid code" in str(dialog.query_one("#enroll-error").render())
    assert len(devices.enrollments(t.db)) == codes


def test_enroll_refuses_a_grid_code_for_a_name_on_the_command_line_too(tmp_path, capsys):
    from tui.cli import main

    t = make_township(tmp_path)
    assert main(["--db", str(t.db.path), "--lang", "zh_CN", "enroll", "--grid", "G01", "--worker", "g04"]) == 1
    assert "g04 像是网格代码，不是网格员姓名" in capsys.readouterr().err
    assert devices.enrollments(t.db) == []


@run_async
async def test_the_device_waiting_below_the_enrolled_ones_is_where_the_cursor_starts(tmp_path):
    """Walk cwalk: Home said a device waits (d); on Devices the cursor sat on the first enrolled laptop, `a` said
    "choose a device awaiting approval first", and with many laptops enrolled the waiting one was below the screen.
    The cursor starts on it: d, a, y approves it."""
    t = make_township(tmp_path)
    for n, grid in enumerate(("G01", "G02", "G04", "G05", "G06", "G07", "G08", "G09", "G10", "G11", "G12", "G13")):
        w = t.worker(f"网格员{n}", grid)
        elder(w, f"对象{n}")
        merge_paths(t.db, [export_bundle(w, tmp_path / f"usb{n}").path])
    late = t.worker("赵敏", "G03", enrolled=False)
    elder(late, "王五")
    assert merge_paths(t.db, [export_bundle(late, tmp_path / "late").path]).bundles[0].status == "waiting"
    app = HarnessApp(t.db, DevicesScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#devices", DataTable)
        assert table.row_count == 13
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "approved for grid G03" in _text(screen, "#result"), _text(screen, "#result")

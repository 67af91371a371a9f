"""A folder holding a bundle and its copy (副本-….gcb), merged in one run: the copy is the same bundle as the file
merged a moment before, not a bundle "merged before" (以前已合并过, which sent the clerk looking for an earlier merge
that never happened). Said so by `gridcare merge` and on the Sync screen."""

from __future__ import annotations

from textual.widgets import Static

from screens.sync import SyncScreen
from storage.core.i18n import set_language
from tests.pilot_helpers import folder_read, run_async, settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import folder_with_a_copy
from tests.test_cli import run


def test_merge_says_the_copy_is_the_bundle_merged_in_this_run(tmp_path):
    t, usb, name = folder_with_a_copy(tmp_path)
    db = str(t.db.path)
    t.db.dispose()
    out = run("--lang", "zh_CN", "--db", db, "merge", str(usb), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    copy = next(line for line in out.stdout.splitlines() if f"副本-{name}" in line)
    assert f"与本次已合并的 {name} 相同" in copy and "已合并过" not in copy, out.stdout
    # the second merge: both were merged before, and said so
    out = run("--lang", "zh_CN", "--db", db, "merge", str(usb), tmp_path=tmp_path)
    assert sum(line.startswith("已合并过") for line in out.stdout.splitlines()) == 2, out.stdout


@run_async
async def test_the_sync_screen_says_the_copy_is_the_bundle_merged_in_this_run(tmp_path):
    t, usb, name = folder_with_a_copy(tmp_path)
    set_language("zh_CN")
    try:
        app = HarnessApp(t.db, SyncScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            await folder_read(pilot, screen, usb)
            await pilot.press("ctrl+s")
            result = screen.query_one("#result", Static)
            await settle(pilot, lambda: "新增记录" in str(result.content))
            text = str(result.content)
    finally:
        set_language("en")
    assert f"与本次已合并的 {name} 相同" in text and "以前已合并过" not in text, text

"""A worker's Sync screen offers Ctrl+R (the township's bundles) only once the township's key is there: without it
nothing the township sent can be checked, and at 80 columns the key's own action and Ctrl+R together overflowed
the footer (seen in tmux: "^r Merge from the t▏^p CommandsB")."""

from __future__ import annotations

import asyncio

from screens.sync import SyncScreen
from storage.core.db import open_database
from storage.core.identity import init_worker
from tests.pilot_helpers import settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import make_township
from tests.test_walkthrough import screen_text


def test_ctrl_r_waits_for_the_township_key(tmp_path):
    t = make_township(tmp_path)
    w = open_database(tmp_path / "w.db")
    init_worker(w, "330521101", "新市镇", "G01", "一网格", "王芳", None)  # no key file given yet

    async def run() -> None:
        app = HarnessApp(w, SyncScreen)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.screen.check_action("merge_returned", ()) is False
            footer = screen_text(app, " ").splitlines()[-1]
            assert "Add the township key" in footer and "^r" not in footer and "Back" in footer
            from storage.core.identity import get_identity
            from storage.core.township_key import set_township_key

            set_township_key(w, t.key)
            app.identity = get_identity(w)
            assert app.screen.check_action("merge_returned", ()) is True

    asyncio.run(run())


def test_with_the_key_every_footer_key_is_whole_at_80_columns_and_ctrl_o_is_in_the_help(tmp_path):
    """With the key there, "^o Browse folders" and "^r Merge from the township" left "f1 Hel" at 80 columns (tmux):
    Ctrl+O left the footer, named by the Browse button and the hint beside the folder, and still in F1's list."""
    from screens.help import key_rows
    from storage.core.i18n import _, set_language
    from storage.core.township_key import set_township_key
    from tests.pilot_helpers import on_screen
    from tests.register_helpers import TODAY
    from tui.app import make_app

    t = make_township(tmp_path)
    w = open_database(tmp_path / "w.db")
    init_worker(w, "330521101", "新市镇", "G01", "一网格", "王芳", None)
    set_township_key(w, t.key)
    w.dispose()

    async def run(lang: str) -> None:
        app = make_app(tmp_path / "w.db", lang=lang, today=TODAY)  # the real app: its F1 is in the footer
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            await pilot.press("s")
            await settle(pilot, lambda: isinstance(app.screen, SyncScreen))
            footer = " ".join(screen_text(app, " ").splitlines()[-1].split())
            assert "^r" in footer and "esc" in footer, footer
            assert " ".join(f"f1 {_('Help')}".split()) in footer, footer
            assert "^o" not in footer, footer
            assert ("^o", _("Browse folders")) in key_rows(app, app.screen)
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert type(app.screen).__name__ == "PathPickerScreen"

    try:
        for lang in ("en", "zh_CN"):
            asyncio.run(run(lang))
    finally:
        set_language("en")

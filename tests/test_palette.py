"""The command palette: one list in one order every time it opens, only what the database can do, and
nothing in English on a Chinese screen — not even when nothing matches (issue #13 leftovers)."""

from __future__ import annotations

from textual.command import CommandList

from storage.core.i18n import set_language
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app


def _entries(app) -> list[str]:
    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@run_async
async def test_the_palette_lists_one_order_every_time_and_says_no_match_in_chinese(tmp_path):
    make_register_db(tmp_path / "w.db").dispose()
    set_language("zh_CN")
    app = make_app(str(tmp_path / "w.db"), lang="zh_CN", today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            seen = []
            for _ in range(3):
                await pilot.press("ctrl+p")
                await settle(pilot, lambda: app.screen.query(CommandList) and _entries(app))
                await settle(pilot)
                seen.append(_entries(app))
                await pilot.press("escape")
                await on_screen(pilot, "HomeScreen")
            assert seen[0] == seen[1] == seen[2]
            text = "\n".join(seen[0])
            assert text.index("首页") < text.index("同步") < text.index("主题")  # gridcare's, then Textual's
            assert "设备" not in text and "冲突" not in text  # a worker's database approves no devices
            await pilot.press("ctrl+p")
            await settle(pilot, lambda: app.screen.query(CommandList))
            await pilot.press(*"zzz")
            await settle(pilot, lambda: "没有与“zzz”相符的命令" in "\n".join(_entries(app)))
            await pilot.pause(0.8)  # (Textual's own "No matches found" came after half a second)
            assert "No matches" not in "\n".join(_entries(app))
    finally:
        set_language("en")


@run_async
async def test_a_countys_palette_offers_no_registering(tmp_path):
    """A county registers no one (its people come in the townships' bundles): no New resident, no Roster import."""
    import datetime as dt

    from tests.test_county_screen import _county_with_a_township

    _county_with_a_township(tmp_path, tmp_path / "county.db")
    set_language("en")
    app = make_app(tmp_path / "county.db", lang="en", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "CountyHomeScreen")
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: app.screen.query(CommandList) and _entries(app))
        await settle(pilot)
        text = "\n".join(_entries(app))
        assert "Sync" in text and "Reports" in text and "Devices" in text
        assert "New resident" not in text and "Roster import" not in text


@run_async
async def test_the_palette_finds_a_screen_by_what_it_does_and_by_its_pinyin_initials(tmp_path):
    """walk-E E2: 导出 (the worker's monthly task) found nothing: it is in 同步's description, not its title."""
    make_register_db(tmp_path / "w.db").dispose()
    set_language("zh_CN")
    app = make_app(str(tmp_path / "w.db"), lang="zh_CN", today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            for typed, wanted in (("导出", "同步"), ("合并", "同步"), ("tb", "同步"), ("bb", "报表"),
                                  ("hmc", "花名册导入")):
                await pilot.press("ctrl+p")
                await settle(pilot, lambda: app.screen.query(CommandList))
                await pilot.press(*typed)
                await settle(pilot, lambda wanted=wanted: _entries(app) and "相符" not in _entries(app)[0]
                             and any(wanted in e for e in _entries(app)))
                await pilot.press("escape")
                await on_screen(pilot, "HomeScreen")
    finally:
        set_language("en")

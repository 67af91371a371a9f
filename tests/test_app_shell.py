"""The app shell driven by Pilot at 80×24: first run, home, help, palette, language switch."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input, Select

from screens.home import HomeScreen
from screens.resident import ResidentScreen
from screens.residents import ResidentsScreen
from screens.setup import SetupScreen
from screens.sync import SyncScreen
from storage.core import keys
from storage.core.db import open_database
from storage.core.enrollment import new_code
from storage.core.i18n import current_language, set_language
from storage.core.identity import get_identity
from storage.register.visits import log_visit
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app


def _township_key(tmp_path):
    path = tmp_path / "township-330521101.pub"
    keys.write_public_key_file(path, "330521101", "新市镇", keys.generate_keypair())
    return path


@run_async
async def test_first_run_sets_up_a_worker_and_goes_home(tmp_path):
    key = _township_key(tmp_path)
    path = tmp_path / "new.db"
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SetupScreen)
        assert app.screen.query_one("#role", Select).value == "worker"
        values = {"township_code": "12345", "township_name": "新市镇", "grid_code": "G01", "grid_name": "柳溪一网格",
                  "worker": "王芳", "township_key": str(key)}
        for name, value in values.items():
            app.screen.query_one(f"#{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        # a bad township code is explained next to the field, and nothing is written
        assert "9 digits" in str(app.screen.query_one("#err-township_code").render())
        assert app.identity is None
        app.screen.query_one("#township_code", Input).value = "330521101"
        await pilot.press("ctrl+s")
        await on_screen(pilot, HomeScreen)
        assert app.identity is not None and app.identity.worker_name == "王芳"
        assert app.screen.data.overall.total == 0
    ident = get_identity(open_database(path))
    assert (ident.role, ident.grid_code, ident.grid_name) == ("worker", "330521101-G01", "柳溪一网格")


@run_async
async def test_first_run_sets_up_a_township_with_its_clerks_name(tmp_path):
    path = tmp_path / "t.db"
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SetupScreen)
        app.screen.query_one("#role", Select).value = "township"
        await settle(pilot, lambda: app.screen.query_one("#worker", Input).parent.display
                     and not app.screen.query_one("#grid_code", Input).parent.display)
        for name, value in {"township_code": "330521101", "township_name": "新市镇", "worker": "张丽"}.items():
            app.screen.query_one(f"#{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen._ident is not None)
        await pilot.press("ctrl+s")  # past the public key's notice
        await on_screen(pilot, HomeScreen)
    ident = get_identity(open_database(path))
    assert (ident.role, ident.worker_name) == ("township", "张丽")


@run_async
async def test_first_run_takes_the_enrollment_code_and_checks_it(tmp_path):
    key = _township_key(tmp_path)
    path = tmp_path / "new.db"
    code = new_code()
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SetupScreen)
        values = {"township_code": "330521101", "township_name": "新市镇", "grid_code": "G01", "grid_name": "一网格",
                  "worker": "王芳", "township_key": str(key), "enroll_code": code[:-1] + ("2" if code[-1] != "2" else "3")}
        for name, value in values.items():
            app.screen.query_one(f"#{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "enrollment code is not right" in str(app.screen.query_one("#err-enroll_code").render())
        assert app.identity is None
        app.screen.query_one("#enroll_code", Input).value = code.lower()
        await pilot.press("ctrl+s")
        await on_screen(pilot, HomeScreen)
    ident = get_identity(open_database(path))
    assert len(ident.enroll_proof) == 64


@run_async
async def test_a_wrong_enrollment_code_is_shown_in_view_at_80x24(tmp_path):
    """The code typed last, Ctrl+S pressed in its field: its message came under it, below the fold, and Ctrl+S seemed
    to do nothing. The message is scrolled into view and the field keeps the focus."""
    key = _township_key(tmp_path)
    app = make_app(tmp_path / "new.db", lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SetupScreen)
        screen = app.screen
        values = {"township_code": "330521101", "township_name": "新市镇", "grid_code": "G01", "grid_name": "一网格",
                  "village_name": "柳溪村", "worker": "王芳", "township_key": str(key)}
        for name, value in values.items():
            screen.query_one(f"#{name}", Input).value = value
        field = screen.query_one("#enroll_code", Input)
        field.focus()
        await settle(pilot)
        await pilot.press(*"SCVX-PPEV-68HF-D", "ctrl+s")
        error = screen.query_one("#err-enroll_code")
        await settle(pilot, lambda: "登记码不对" in str(error.render()))
        await pilot.pause()
        assert app.identity is None
        shown = screen.query_one("#setup-form").region  # the form's part of the screen, between header and footer
        assert error.region and shown.contains_region(error.region), (error.region, shown)
        assert shown.contains_region(field.region) and screen.focused is field


@run_async
async def test_home_shows_progress_and_overdue_and_opens_a_resident(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    db.dispose()
    app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        home = app.screen
        assert (home.data.overall.visited, home.data.overall.total) == (1, 6)
        assert str(app.db_path) in app.sub_title
        table = home.query_one("#t-overdue", DataTable)
        assert table.row_count == home.data.counts["overdue"] > 0
        first = home.data.overdue[0]
        assert first.risk_level == "emergency"
        table.focus()
        await pilot.press("enter")
        await on_screen(pilot, ResidentScreen)
        assert app.screen.resident_id == first.id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home


@run_async
async def test_a_visit_saved_elsewhere_shows_when_home_comes_back(tmp_path):
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        home = app.screen
        late = home.data.overdue[0]
        app.open_screen("residents")
        await on_screen(pilot, ResidentsScreen)
        log_visit(app.db, late.id, {"visit_date": TODAY}, today=TODAY)
        app.pop_screen()
        await settle(pilot)
        assert app.screen is home
        assert late.id not in [r.id for r in home.data.overdue]
        assert home.data.overall.visited == 2


@run_async
async def test_help_lists_the_keys_of_the_current_screen(tmp_path):
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        await pilot.press("f1")
        await settle(pilot, lambda: app.screen.id == "help")
        table = app.screen.query_one(DataTable)
        rows = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert rows["Residents"] == "r" and rows["Help"] == "f1, ?" and rows["Quit"] == "^q"
        assert "Conflicts" not in rows  # a township's key, not offered to a worker
        await pilot.press("escape")
        await on_screen(pilot, HomeScreen)


@run_async
async def test_palette_opens_in_the_interface_language(tmp_path):
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*"residents")
        # the palette searches its providers asynchronously: wait for the command to be listed
        await settle(pilot, lambda: _palette_offers(app, "Residents"))
        await pilot.press("enter")
        await on_screen(pilot, ResidentsScreen)


@run_async
async def test_language_switch_rerenders_home_in_chinese(tmp_path):
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        before = app.export_screenshot()
        assert "Left-behind" in before  # (SVG text: spaces are &#160;)
        await pilot.press("f2")
        await settle(pilot)
        assert current_language() == "zh_CN"
        after = app.export_screenshot()
        assert "农村留守儿童" in after and "Left-behind" not in after
        await pilot.press("f2")  # back to English, so later tests see English screens
        await settle(pilot)
        assert current_language() == "en"


def _palette_offers(app, label: str) -> bool:
    """The open command palette lists a command whose text starts with `label`."""
    if not CommandPalette.is_open(app):
        return False
    options = app.screen.query_one(CommandList)
    return any(str(options.get_option_at_index(i).prompt).startswith(label) for i in range(options.option_count))


@run_async
async def test_a_screen_opened_after_the_language_switch_shows_its_keys_in_the_new_language(tmp_path):
    """Binding labels are translated where drawn: no module reloading, and the class stays the same class."""
    make_register_db(tmp_path / "w.db").dispose()
    app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
    try:
        async with app.run_test(size=(100, 24)) as pilot:
            await on_screen(pilot, HomeScreen)
            app.open_screen("sync")
            await on_screen(pilot, SyncScreen)
            # a footer key's label (this register has no township key yet: k adds it)
            assert "Add&#160;the&#160;township&#160;key" in app.export_screenshot()
            await pilot.press("escape")
            await on_screen(pilot, HomeScreen)
            await pilot.press("f2")
            await settle(pilot, lambda: current_language() == "zh_CN")
            app.open_screen("sync")
            await on_screen(pilot, SyncScreen)  # an instance of the class imported above: nothing was reloaded
            shown = app.export_screenshot()
            assert "添加乡镇公钥" in shown and "Add&#160;the&#160;township&#160;key" not in shown
    finally:
        set_language("en")


@pytest.mark.parametrize("clerk, shown", [("张丽", "新市镇 · 张丽"), ("乡镇民政助理员", "新市镇 · 乡镇民政助理员"),
                                          ("Township clerk", "新市镇 · 乡镇民政助理员")])
@run_async
async def test_the_township_title_names_its_clerk_when_set_up_gave_a_name(tmp_path, clerk, shown):
    """init --worker 张丽 (stop 25) recorded the clerk, yet the title still said 乡镇民政助理员."""
    from tests.foundation_helpers import make_db

    make_db(tmp_path / "t.db", role="township", worker=clerk).dispose()
    app = make_app(tmp_path / "t.db", lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        assert app.sub_title.startswith(shown), app.sub_title


@run_async
async def test_first_run_reads_full_width_codes_and_shows_a_refusal_in_view(tmp_path):
    """Seen at 80×24: the township code typed with a Chinese input method's digits ("３３０５２１１０１") was kept as
    typed, so the key file's 330521101 "belonged to another township"; that refusal sat under the last field,
    below the fold, and Ctrl+S seemed to do nothing."""
    key = _township_key(tmp_path)
    path = tmp_path / "new.db"
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SetupScreen)
        values = {"township_code": "３３０５２１１０２", "township_name": "新市镇", "grid_code": "Ｇ０１",
                  "grid_name": "一网格", "worker": "王芳", "township_key": str(key)}
        for name, value in values.items():
            app.screen.query_one(f"#{name}", Input).value = value
        await pilot.press("ctrl+s")  # 330521102: not the key file's township
        await settle(pilot)
        error = app.screen.query_one("#err-form")
        assert "330521101" in str(error.render())
        assert error.region.y < 23 and error.region.height > 0, error.region  # in view, above the footer
        assert app.identity is None
        app.screen.query_one("#township_code", Input).value = "３３０５２１１０１"
        await pilot.press("ctrl+s")
        await on_screen(pilot, HomeScreen)
    ident = get_identity(open_database(path))
    assert (ident.township_code, ident.grid_code) == ("330521101", "330521101-G01")

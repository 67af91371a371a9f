"""SVG snapshots of Home at 80×24, in Chinese and English, on a small deterministic register.

"Today" is frozen and the database path is relative (the header shows it), so the
pictures do not depend on the date or on pytest's temporary folder.
"""

from __future__ import annotations

import pytest

from storage.core.i18n import set_language
from tests.pilot_helpers import on_screen, settle, still
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app


@pytest.fixture(params=["zh_CN", "en"])
def lang(request):
    yield request.param
    set_language("en")


async def _home(pilot) -> None:
    await on_screen(pilot, "HomeScreen")
    await still(pilot)


def test_home(snap_compare, tmp_path, monkeypatch, lang):
    make_register_db(tmp_path / "w.db").dispose()
    monkeypatch.chdir(tmp_path)
    app = make_app("w.db", lang=lang, today=TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_home)


def test_help(snap_compare, tmp_path, monkeypatch, lang):
    make_register_db(tmp_path / "w.db").dispose()
    monkeypatch.chdir(tmp_path)
    app = make_app("w.db", lang=lang, today=TODAY)

    async def open_help(pilot):
        await _home(pilot)
        await pilot.press("f1")
        await settle(pilot, lambda: pilot.app.screen.id == "help")

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_help)

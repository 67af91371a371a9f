"""The county's Devices screen speaks of townships (issue #17, #13 leftovers): it lists the townships' keys —
enrolled, waiting for approval, revoked — and approves, enrolls and revokes on screen what
`gridcare devices approve ID --township CODE` and `gridcare enroll --township CODE` do on the command line."""

from __future__ import annotations

import re

import pytest
from textual.widgets import DataTable, Input, Static

from storage.core.i18n import set_language
from storage.sync.devices import list_devices
from storage.sync.merge import merge_paths
from tests.county_helpers import TODAY, busy_township, make_county, record_dump
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

WORDS = {  # what the clerk reads, per language
    "zh_CN": {"township": "乡镇", "grid": "网格", "waiting": "待批准", "approved": "已批准乡镇 330521101",
              "revoked": "已撤销乡镇 330521101 的密钥", "title": "乡镇密钥"},
    "en": {"township": "Township", "grid": "Grid", "waiting": "awaiting approval",
           "approved": "Township 330521101 approved", "revoked": "Township 330521101's key revoked",
           "title": "Townships' keys"},
}


def _text(screen, selector) -> str:
    return str(screen.query_one(selector, Static).content)  # the text given (a Wrapped renderable: its text)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_the_county_approves_enrolls_and_revokes_townships_on_screen(tmp_path, db_target, lang):
    county = make_county(db_target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub")  # the county's key, but no code: it waits
    assert [b.status for b in merge_paths(county, [t.to_county(tmp_path / "up")]).bundles] == ["waiting"]
    county.dispose()
    words = WORDS[lang]
    set_language(lang)
    app = make_app(db_target, lang=lang, today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "CountyHomeScreen")
            await pilot.press("d")
            await on_screen(pilot, "DevicesScreen")
            screen = app.screen
            table = screen.query_one("#devices", DataTable)
            await settle(pilot, lambda: table.row_count == 1)
            headings = [str(c.label) for c in table.columns.values()]
            assert words["township"] in headings and words["grid"] not in headings
            assert words["title"] in str(screen.title)
            row = " ".join(map(str, table.get_row_at(0)))
            assert "330521101" in row and words["waiting"] in row
            # approve: a, then yes; the bundle that waited is merged at once
            table.focus()
            await pilot.press("a")
            await settle(pilot, lambda: app.screen is not screen)
            await pilot.press("y")
            await settle(pilot, lambda: words["approved"] in _text(screen, "#result"))
            # its records are here now: the row names the township, not its code alone
            await settle(pilot, lambda: "330521101 镇101" in " ".join(map(str, table.get_row_at(0))))
            # a code for another township: n, its code and name, Enter
            await pilot.press("n")
            await settle(pilot, lambda: app.screen is not screen)
            assert app.focused is app.screen.query_one("#grid", Input) and not app.focused.value  # a new township's code
            await pilot.press(*"330521102", "tab")
            app.screen.query_one("#worker", Input).value = "钟管镇"  # (Pilot types no Chinese)
            await pilot.press("enter")
            await settle(pilot, lambda: "330521102" in _text(screen, "#codes"))
            assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", _text(screen, "#result"))
            # revoke the township's key: r, then yes
            table.focus()
            table.move_cursor(row=0)
            await pilot.press("r")
            await settle(pilot, lambda: app.screen is not screen)
            await pilot.press("y")
            await settle(pilot, lambda: words["revoked"] in _text(screen, "#result"))
    finally:
        set_language("en")
    from storage.core.db import open_database

    county = open_database(db_target)
    assert [(v.grid_code, v.status) for v in list_devices(county)] == [("330521101", "revoked")]
    assert record_dump(county) == record_dump(t.db)  # what waited was merged when approved
    county.dispose()
    t.close()

"""A landline searched as it is written on a form or said on the phone, with its area code: 0571-8612…,
05718612…. Walked: an elder saved with 0571-86123456 was found by 86123456 only; the area code typed first
(with or without its dash) listed nobody."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input

from storage.register.residents import register_resident
from storage.register.search import search_residents
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async, settle, started
from tests.search_helpers import found_names, typed_in_the_register
from tui.app import make_app

TODAY = dt.date(2026, 12, 5)
PEOPLE = [("单秀英", "33052119380417118X", "0571-86123456"), ("曾德厚", "330521194008051210", "057186987654"),
          ("解建华", "110105194912310011", "010-62345678"), ("王桂兰", "360426195101010065", "13805712345")]


def _db(tmp_path):
    db = make_db(tmp_path / "w.db")
    for name, number, phone in PEOPLE:
        register_resident(db, {"name": name, "id_number": number, "phone": phone, "categories": ["solitary_elder"],
                               "registered_on": TODAY}, today=TODAY)
    return db


def _names(db, query):
    return found_names(db, query, TODAY)


def test_a_landline_is_found_by_its_beginning_with_the_area_code_dashed_or_not(tmp_path):
    db = _db(tmp_path)
    for query in ("0571-8612", "05718612", "0571-86123456", "057186123456", "０５７１－８６１２"):
        assert _names(db, query) == ["单秀英"], query
    for query in ("0571-8698", "05718698", "0571-86987654"):  # saved without its dash
        assert _names(db, query) == ["曾德厚"], query
    assert _names(db, "010-6234") == ["解建华"] and _names(db, "0106234") == ["解建华"]
    assert sorted(_names(db, "0571")) == ["单秀英", "曾德厚"]
    assert _names(db, "86123456") == ["单秀英"]  # the number without its area code, as before
    assert _names(db, "0571-9") == []
    for query in ("0571——8612", "0571—8612", "0571–8612"):  # the dash of a Chinese input method (Shift+-)
        assert _names(db, query) == ["单秀英"], query


@run_async
async def test_the_register_finds_an_elder_by_the_landline_typed_with_its_area_code(tmp_path):
    db = _db(tmp_path)
    assert "单秀英" in await typed_in_the_register(db.path, TODAY, len(PEOPLE), "0571-8612")


@run_async
async def test_a_landline_typed_with_a_space_after_its_area_code_keeps_the_area_code_apart(tmp_path):
    """0571 8698 7654, as it is written on a card, was saved as 057186987654 (010 or 0105? nobody could tell)."""
    from screens.resident_form import ResidentFormScreen

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentFormScreen)
        app.screen.query_one("#name", Input).focus()
        await pilot.press(*"曾德厚", "tab", *"330521194008051210")
        app.screen.query_one("#phone", Input).focus()
        await pilot.press(*"0571 8698 7654")
        app.screen.query_one("#categories").focus()
        await pilot.press("down", "down", "down", "down", "space", "ctrl+s")  # 空巢老年人
        await settle(pilot, lambda: not isinstance(app.screen, ResidentFormScreen))
    with db.session() as s:
        assert [r.phone for r in search_residents(s, "0571-8698", today=TODAY)] == ["0571-86987654"]

"""An elderly person with an old 15-digit ID card and a disability card (issued on the 18-digit number): the
resident form takes both as the worker copies them from the cards."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import Input, Label

from screens.resident_form import ResidentFormScreen
from storage.core.models import Resident
from storage.register.idnumbers import as_stored, parse_disability_card
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async, settle, started
from tests.register_helpers import TODAY
from tui.app import make_app

OLD_ID = "330521400805121"  # 曾德厚, born 1940-08-05: the card he has carried since the 1980s
NEW_ID = "330521194008051210"  # the same number upgraded (GB 11643), as printed on his disability card
CARD = NEW_ID + "41"  # physical, grade 1


def _text(label: Label) -> str:
    return "".join(seg.text for strip in label.render_lines(label.region.reset_offset) for seg in strip).strip()


def test_a_disability_card_belongs_to_the_old_number_it_was_upgraded_from():
    assert as_stored(OLD_ID) == NEW_ID
    assert parse_disability_card(CARD, OLD_ID, today=TODAY).id_number == NEW_ID


@run_async
async def test_the_form_takes_an_old_id_card_and_the_disability_card_issued_on_its_new_number(tmp_path):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentFormScreen)
        app.screen.query_one("#name", Input).focus()
        await pilot.press(*"曾德厚", "tab", *OLD_ID)
        await settle(pilot)
        app.screen.query_one("#disability_card", Input).focus()
        await pilot.press(*CARD)
        await settle(pilot)
        # it said 这个残疾证号与身份证号不符 under a card that is his
        assert _text(app.screen.query_one("#err-disability_card", Label)) == ""
        assert "肢体" in _text(app.screen.query_one("#card-info", Label))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen.__class__.__name__ != "ResidentFormScreen")
    with db.session() as s:
        person = s.exec(select(Resident)).one()
    assert (person.id_number, person.disability_card) == (NEW_ID, CARD)


@run_async
async def test_the_form_says_the_old_number_is_saved_as_its_18_digits(tmp_path):
    """The register holds (and searches) the upgraded number, whose last digits are not the old card's: the form
    said only 出生于 1940年8月5日，男, and the number on the page after saving was not the one typed."""
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentFormScreen)
        app.screen.query_one("#id_number", Input).focus()
        await pilot.press(*OLD_ID)
        await settle(pilot)
        said = _text(app.screen.query_one("#id-info", Label))
        assert "1940年8月5日" in said and NEW_ID in said, said

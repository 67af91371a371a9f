"""A half-typed registration survives a killed terminal, as a half-filled visit does (issue #13)."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import Input, Select, SelectionList

from screens.dialogs import ConfirmScreen
from screens.resident_form import ResidentFormScreen
from storage.core.models import Resident
from storage.register import drafts
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async, workers_done
from tests.register_helpers import TODAY
from tests.test_keyboard_rules import home, settle
from tui.app import make_app


async def _new_resident_form(pilot) -> ResidentFormScreen:
    await home(pilot)
    await pilot.press("n")  # Home: new resident
    for _ in range(50):
        await settle(pilot)
        forms = [s for s in pilot.app.screen_stack if isinstance(s, ResidentFormScreen)]
        if forms and forms[0]._pristine is not None:
            return forms[0]
    raise AssertionError("the new-resident form did not open")


@run_async
async def test_a_half_typed_registration_is_kept_and_offered_back(tmp_path):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _new_resident_form(pilot)
        await pilot.press(*"李小花")
        form.query_one("#address", Input).focus()
        await pilot.press(*"东村5号")
        form.query_one("#birth_date", Input).focus()
        await pilot.press(*"2016年5月1日")  # as people write it (storage/core/dates.py)
        form.query_one("#categories", SelectionList).focus()
        await pilot.press("space")
        await pilot.pause(0.8)  # the draft is written once the typing stops
        await workers_done(app)
    # the app is gone without saving (as a killed terminal): the draft is on disk
    draft = drafts.load_draft(db.path, drafts.NEW, "resident")
    assert draft is not None and draft.values["name"] == "李小花" and draft.values["categories"] == ["left_behind_child"]

    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _new_resident_form(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.focused.id == "yes"  # Restore is the default
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ResidentFormScreen)
        assert form.query_one("#name", Input).value == "李小花"
        assert form.query_one("#address", Input).value == "东村5号"
        assert list(form.query_one("#categories", SelectionList).selected) == ["left_behind_child"]
        assert form.query_one("#risk_level", Select).value == "low"
        await pilot.press("ctrl+s")
        await settle(pilot, 0.3)
    with db.session() as s:
        saved = s.exec(select(Resident)).one()
    assert (saved.name, saved.birth_date.isoformat()) == ("李小花", "2016-05-01")
    assert drafts.load_draft(db.path, drafts.NEW, "resident") is None  # saved: the draft is gone


@run_async
async def test_discarding_a_registration_drops_its_draft(tmp_path):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _new_resident_form(pilot)
        await pilot.press(*"王五")
        await pilot.pause(0.8)
        await workers_done(app)
        assert drafts.load_draft(db.path, drafts.NEW, "resident") is not None
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.focused.id == "no"  # keep editing
        await pilot.press("y")
        await settle(pilot, 0.3)
    assert drafts.load_draft(db.path, drafts.NEW, "resident") is None

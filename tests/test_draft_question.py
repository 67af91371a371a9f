"""The question offering a draft back names the form and the person: a worker with two visits left unsaved
could not tell whose draft "Restore the unsaved visit from …?" was, nor an edit's from a registration's."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Static

from screens.dialogs import ConfirmScreen
from screens.resident_form import ResidentFormScreen
from storage.register import drafts
from tests.pilot_helpers import on_screen, run_async, started
from tests.register_helpers import TODAY, make_register_db, resident_id
from tui.app import make_app

AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone.utc)


def _question(app) -> str:
    assert isinstance(app.screen, ConfirmScreen), type(app.screen).__name__
    return str(app.screen.query_one("#dialog-message", Static).content)


@run_async
async def test_of_two_unsaved_visits_the_question_names_the_one_opened(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    older, newer = resident_id(db, "王桂英"), resident_id(db, "李建国")
    drafts.save_draft(db.local_path, older, {"notes": "看望"}, resident_name="王桂英", now=AT)
    drafts.save_draft(db.local_path, newer, {"notes": "送米"}, resident_name="李建国", now=AT + dt.timedelta(hours=1))
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("u")  # Home: go on with the newest unsaved visit
        await on_screen(pilot, ConfirmScreen)
        question = _question(app)
        assert "new visit to 李建国" in question and "王桂英" not in question, question


@run_async
async def test_an_edit_left_unsaved_is_asked_about_as_an_edit_of_that_resident(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")
    drafts.save_draft(db.local_path, rid, {"address": "新市镇西村9号"}, resident_name="李建国", now=AT, kind="resident")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentFormScreen(rid))
        await on_screen(pilot, ConfirmScreen)
        question = _question(app)
        assert "changes to 李建国" in question and "new resident" not in question, question


@run_async
async def test_a_registration_left_unsaved_is_named_by_the_name_typed_in_it(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    for values, expected in (({"name": " 李小花 "}, "new resident 李小花 left"),
                             ({"address": "东村5号"}, "(no name typed yet)")):
        drafts.save_draft(db.local_path, drafts.NEW, values, now=AT, kind="resident")
        app = make_app(db.path, lang="en", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, ResidentFormScreen)
            await on_screen(pilot, ConfirmScreen)
            assert expected in _question(app), _question(app)


def test_a_draft_is_for_the_record_it_was_written_for_else_the_name_typed():
    at = AT
    assert drafts.draft_person(drafts.Draft("r1", at, {"name": "改名中"}, "李建国")) == "李建国"
    assert drafts.draft_person(drafts.Draft(drafts.NEW, at, {"name": " 李 小花 "})) == "李 小花"
    assert drafts.draft_person(drafts.Draft(drafts.NEW, at, {"name": ["not", "a", "name"]})) == ""

"""A child registered as 孤儿 whose father is said to work away: the form asks before saving, as it asks about a
left-behind child whose parents are at home. Walked: 解小雨 saved as an orphan with her father 外出务工 and her
mother 重病或重残, and nothing said the two contradict each other."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select
from textual.widgets import Input, Select, SelectionList

from storage.core.models import Resident
from storage.register.category_rules import category_questions
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

TODAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize("father, mother, asked", [
    ("away", "ill", True), ("home", "deceased", True), ("deceased", "ill", True),
    ("deceased", "deceased", False), ("deceased", "unknown", False), ("unknown", "unknown", False), ("", "", False),
])
def test_an_orphan_with_a_living_parent_is_asked_about(father, mother, asked):
    fields = {"categories": ["child_in_difficulty"], "child_subtype": "orphan", "father_status": father,
              "mother_status": mother}
    assert bool(category_questions(fields)) is asked
    assert category_questions({**fields, "child_subtype": "de_facto_unsupported"}) == []


@run_async
async def test_the_form_asks_before_saving_an_orphan_whose_father_works_away(tmp_path):
    from screens.resident_form import ResidentFormScreen

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(ResidentFormScreen())
        await settle(pilot)
        form = app.screen
        form.query_one("#name", Input).value = "解小雨"
        form.query_one("#birth_date", Input).value = "2018-09-03"
        form.query_one("#categories", SelectionList).select("child_in_difficulty")
        await settle(pilot)
        form.query_one("#child_subtype", Select).value = "orphan"
        form.query_one("#father_status", Select).value = "away"
        form.query_one("#mother_status", Select).value = "ill"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ConfirmScreen")
        assert "孤儿" in str(app.screen.message)
        await pilot.press("n")  # back to the form to correct it: nothing saved
        await settle(pilot)
        assert app.screen is form
        with db.session() as s:
            assert s.exec(select(Resident)).all() == []

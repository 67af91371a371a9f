"""The resident form asks about a child's family and situation (guardian, parents, 困境类型) of children only."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from textual.widgets import Input, SelectionList

from storage.core.i18n import set_language
from storage.core.models import Resident
from storage.register.category_rules import CHILD_FIELDS, asks_child_fields
from storage.register.idnumbers import fake_id_number
from storage.register.residents import register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tests.test_drop_down_drawn import drawn_lines
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
ELDER_ID = fake_id_number(random.Random(1), dt.date(1941, 1, 20), "F", "330521")
CHILD_ID = fake_id_number(random.Random(2), dt.date(2016, 3, 5), "M", "330521")
DISABLED_ADULT_ID = fake_id_number(random.Random(3), dt.date(1975, 8, 30), "M", "330521")


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("en")


@pytest.mark.parametrize(("fields", "asked"), [
    ({"categories": ["solitary_elder"], "birth_date": "1941-01-20"}, False),
    ({"categories": ["severely_disabled"], "id_number": DISABLED_ADULT_ID}, False),
    ({"categories": ["left_behind_child"]}, True),  # no birth date yet: the category says it
    ({"categories": ["severely_disabled"], "id_number": CHILD_ID}, True),  # a disabled child, by the ID number
    ({"categories": ["severely_disabled"], "birth_date": "2010-01-01"}, True),
    ({"categories": ["severely_disabled"], "birth_date": "2008-11-24"}, False),  # 18 today
    ({"categories": ["severely_disabled"], "birth_date": "1975-08-30", "guardian_name": "李四"}, True),  # recorded
    ({"categories": ["solitary_elder"], "father_status": "deceased"}, True),
    ({"categories": ["solitary_elder"], "guardian_name": "  "}, False),
])
def test_child_fields_are_asked_of_a_child_or_where_one_is_filled_in(fields, asked):
    assert asks_child_fields(fields, TODAY) is asked


def _shown(app) -> str:
    return "\n".join(drawn_lines(app))


async def _edit(pilot, rid):
    from screens.resident_form import ResidentFormScreen

    await on_screen(pilot, "HomeScreen")
    pilot.app.push_screen(ResidentFormScreen(rid))
    await settle(pilot, lambda: pilot.app.screen.query("#child-fields"))


async def _tab_through(pilot) -> set[str]:
    """The ids of every field Tab reaches in the form, from the name to the notes."""
    reached: set[str] = set()
    for _ in range(80):
        focused = pilot.app.focused
        if focused is not None and focused.id == "notes":
            break
        if focused is not None and focused.id:
            reached.add(focused.id)
        await pilot.press("tab")
    return reached


@run_async
async def test_an_elders_form_neither_shows_nor_tabs_to_a_childs_fields(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "王桂英", "id_number": ELDER_ID, "categories": ["solitary_elder"]}, today=TODAY)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _edit(pilot, r.id)
        assert not app.screen.query_one("#child-fields").display
        reached = await _tab_through(pilot)
        assert "categories" in reached and "disability_card" in reached
        assert not reached & set(CHILD_FIELDS), reached
        for word in ("监护人", "父亲", "母亲", "困境类型"):
            assert word not in _shown(app)


@run_async
async def test_ticking_a_child_category_or_typing_a_childs_number_brings_them_in(tmp_path):
    from screens.resident_form import ResidentFormScreen

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        app.push_screen(ResidentFormScreen())
        await settle(pilot, lambda: app.screen.query("#child-fields"))
        form = app.screen
        group = form.query_one("#child-fields")
        assert not group.display  # nothing known yet: not a child
        form.query_one("#id_number", Input).focus()
        await pilot.press(*CHILD_ID)
        await settle(pilot)
        assert group.display  # nine years old by the number
        form.query_one("#id_number", Input).value = ""
        form.query_one("#birth_date", Input).value = ""
        await settle(pilot)
        assert not group.display
        categories = form.query_one("#categories", SelectionList)
        categories.focus()
        await pilot.press("space")  # the first category: 农村留守儿童
        await settle(pilot)
        assert categories.selected == ["left_behind_child"]
        assert group.display
        form.query_one("#guardian_name", Input).focus()
        await settle(pilot)
        assert "监护人" in _shown(app)


@run_async
async def test_an_adults_recorded_guardian_stays_in_sight_and_is_kept_on_saving(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "陈志强", "id_number": DISABLED_ADULT_ID, "categories": ["severely_disabled"],
                               "guardian_name": "陈大山", "guardian_relation": "父亲"}, today=TODAY)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _edit(pilot, r.id)
        form = app.screen
        assert form.query_one("#child-fields").display
        box = form.query_one("#guardian_relation", Input)
        box.focus()
        await settle(pilot)
        box.value = ""  # cleared: the group stays while the cursor is in it
        await settle(pilot)
        assert form.query_one("#child-fields").display
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is not form)
    with db.session() as s:
        saved = s.get(Resident, r.id)
        assert saved.guardian_name == "陈大山" and not saved.guardian_relation

"""Categories whose definition the data contradicts are refused; doubtful ones are asked about (form) or warned (roster)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select
from textual.widgets import Input, Select, SelectionList

from storage.core.errors import ValidationErrors
from storage.core.i18n import set_language
from storage.core.models import Resident
from storage.register.category_rules import category_questions
from storage.register.residents import register_resident, update_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
CARD_ID = "11010519491231002X"  # born 1949, female


@pytest.mark.parametrize("father, mother, asked", [
    ("home", "home", True), ("away", "home", True), ("home", "unknown", True), ("ill", "deceased", True),
    ("away", "away", False), ("away", "ill", False), ("deceased", "away", False), ("away", "unknown", False),
    ("unknown", "unknown", False), ("", "", False),
])
def test_left_behind_child_parents(father, mother, asked):
    fields = {"categories": ["left_behind_child"], "father_status": father, "mother_status": mother}
    assert bool(category_questions(fields)) is asked
    assert category_questions({**fields, "categories": ["child_in_difficulty"], "child_subtype": "poverty"}) == []


def test_definitions_the_data_contradicts_are_refused(tmp_path):
    db = make_db(tmp_path / "w.db")
    with pytest.raises(ValidationErrors, match="women only"):
        register_resident(db, {"name": "王强", "sex": "M", "birth_date": dt.date(1980, 1, 1),
                               "categories": ["left_behind_woman"]}, today=TODAY)
    with pytest.raises(ValidationErrors, match="from age 18"):
        register_resident(db, {"name": "王芳", "sex": "F", "birth_date": dt.date(2010, 1, 1),
                               "categories": ["left_behind_woman"]}, today=TODAY)
    with pytest.raises(ValidationErrors, match="from age 60"):
        register_resident(db, {"name": "李伯", "birth_date": dt.date(1970, 1, 1),
                               "categories": ["widowed_childless_elder"]}, today=TODAY)
    # grade 3-4 intellectual/mental: the card must say grade 3 or 4, kind 5 or 6
    with pytest.raises(ValidationErrors, match="grade 3 or 4; the card says grade 2"):
        register_resident(db, {"name": "赵淑珍", "id_number": CARD_ID, "disability_card": CARD_ID + "52",
                               "categories": ["disabled_3_4_intellectual_mental"]}, today=TODAY)
    with pytest.raises(ValidationErrors, match="intellectual or mental"):
        register_resident(db, {"name": "赵淑珍", "id_number": CARD_ID, "disability_card": CARD_ID + "43",
                               "categories": ["disabled_3_4_intellectual_mental"]}, today=TODAY)
    ok = register_resident(db, {"name": "赵淑珍", "id_number": CARD_ID, "disability_card": CARD_ID + "63",
                                "categories": ["disabled_3_4_intellectual_mental", "seriously_ill"]}, today=TODAY)
    # severely_disabled keeps meaning grades 1-2
    with pytest.raises(ValidationErrors, match="grade 1 or 2"):
        update_resident(db, ok.id, {"categories": ["severely_disabled"]}, today=TODAY)
    woman = register_resident(db, {"name": "王芳", "sex": "F", "birth_date": dt.date(1990, 1, 1),
                                   "categories": ["left_behind_woman"]}, today=TODAY)
    assert woman.categories == ["left_behind_woman"]


def test_old_flags_stay_valid_and_are_kept(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "王桂英", "birth_date": dt.date(1941, 1, 20), "categories": ["solitary_elder"],
                               "flags": ["oldest_old", "dibao", "tekun", "disabled_care"]}, today=TODAY)
    assert r.flags == ["oldest_old", "disabled_care", "dibao", "tekun"]  # the order records always had
    assert update_resident(db, r.id, {"flags": ["dibao", "oldest_old"]}, today=TODAY).flags == ["oldest_old", "dibao"]


async def _form(pilot, resident_id=None):
    from screens.resident_form import ResidentFormScreen

    await on_screen(pilot, "HomeScreen")
    pilot.app.push_screen(ResidentFormScreen(resident_id))
    await settle(pilot)


@run_async
async def test_the_form_asks_about_a_left_behind_child_with_both_parents_at_home(tmp_path):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _form(pilot)
        form = app.screen
        form.query_one("#name", Input).value = "李小花"
        form.query_one("#birth_date", Input).value = "2016-05-01"
        form.query_one("#categories", SelectionList).select("left_behind_child")
        form.query_one("#father_status", Select).value = "home"
        form.query_one("#mother_status", Select).value = "home"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ConfirmScreen")
        assert type(app.screen).__name__ == "ConfirmScreen"
        assert "a parent is at home" in str(app.screen.message)
        await pilot.press("n")  # correct it: back on the form, nothing saved
        await settle(pilot)
        assert app.screen is form
        with db.session() as s:
            assert s.exec(select(Resident)).all() == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")  # it is right (a local rule): saved as it is
        await on_screen(pilot, "HomeScreen")
        assert type(app.screen).__name__ == "HomeScreen"  # the form was opened from Home, and closed on saving
    with db.session() as s:
        r = s.exec(select(Resident)).one()
    assert (r.categories, r.father_status, r.mother_status) == (["left_behind_child"], "home", "home")


@run_async
async def test_the_form_keeps_a_flag_of_an_older_release(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "王桂英", "birth_date": dt.date(1941, 1, 20), "categories": ["solitary_elder"],
                               "flags": ["dibao"]}, today=TODAY)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _form(pilot, r.id)
        app.screen.query_one("#address", Input).value = "东村2号"
        await pilot.press("ctrl+s")
        await settle(pilot)
    with db.session() as s:
        saved = s.get(Resident, r.id)
    assert (saved.address, saved.flags) == ("东村2号", ["dibao"])


def test_an_unlikely_age_is_asked_about_with_the_birth_date_in_the_words_of_the_language():
    """The question names the day as the screens do: 1900年3月5日 in Chinese, not 1900-03-05."""
    from storage.register.category_rules import age_question

    set_language("zh_CN")
    question = age_question({"birth_date": dt.date(1900, 3, 5)}, TODAY)
    assert question is not None and "1900年3月5日" in question and "126" in question
    set_language("en")
    assert "March 5, 1900" in age_question({"birth_date": "1900-03-05"}, TODAY)


def test_living_alone_and_empty_nest_together_are_asked_about():
    both = category_questions({"categories": ["solitary_elder", "empty_nest_elder"]})
    assert len(both) == 1 and "usually only one applies" in both[0]
    assert category_questions({"categories": ["solitary_elder", "widowed_childless_elder"]}) == []
    assert category_questions({"categories": ["empty_nest_elder"]}) == []


def _one_row_roster(tmp_path, name: str, categories: str):
    """(the worker's database, the import's report) of a roster of one elder, born 1950, in Chinese."""
    from openpyxl import Workbook

    from storage.register.idnumbers import check_char
    from storage.roster.importer import import_roster

    set_language("zh_CN")
    first17 = "33052119500505024"
    book = Workbook()
    book.active.append(["序号", "姓名", "身份证号码", "人员类别"])
    book.active.append([1, name, first17 + check_char(first17), categories])
    book.save(tmp_path / "花名册.xlsx")
    db = make_db(tmp_path / "w.db")
    return db, import_roster(db, tmp_path / "花名册.xlsx", today=TODAY)


def test_a_roster_row_with_both_is_imported_with_a_warning_in_the_words_of_the_plans(tmp_path):
    """A roster writes 空巢老人、独居老人 in one cell: imported as written, with a check on the row."""
    db, report = _one_row_roster(tmp_path, "单秀兰", "空巢老人、独居老人")
    (row,) = report.rows
    assert report.imported and [w.message for w in row.warnings] == [
        "独居老年人和空巢老年人：独居指一个人居住，空巢指老年夫妇同住、子女不在身边；一般只属于其中一类。"]
    with db.session() as s:
        assert s.exec(select(Resident.categories)).one() == ["solitary_elder", "empty_nest_elder"]


def test_a_child_in_difficulty_without_a_situation_is_asked_about():
    """Walk F: 困境儿童 saved with no 困境类型 is a child the plans' counts by situation leave out."""
    (question,) = category_questions({"categories": ["child_in_difficulty"]})
    assert "Child's situation" in question and "counted by it" in question
    assert category_questions({"categories": ["child_in_difficulty"], "child_subtype": "poverty"}) == []
    assert category_questions({"categories": ["left_behind_child"]}) == []  # a situation of children in difficulty
    set_language("zh_CN")
    (question,) = category_questions({"categories": ["child_in_difficulty"], "child_subtype": ""})
    assert question == "困境儿童：未选择困境类型，困境儿童要按它分类统计。"


@run_async
async def test_the_form_asks_for_the_situation_and_correcting_it_goes_to_that_list(tmp_path):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _form(pilot)
        form = app.screen
        form.query_one("#name", Input).value = "李小花"
        form.query_one("#birth_date", Input).value = "2016-05-01"
        form.query_one("#categories", SelectionList).select("child_in_difficulty")
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ConfirmScreen")
        assert "Child's situation" in str(app.screen.message)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is form and app.focused is form.query_one("#child_subtype", Select)
        form.query_one("#child_subtype", Select).value = "guardianship"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "HomeScreen")
    with db.session() as s:
        r = s.exec(select(Resident)).one()
    assert (r.categories, r.child_subtype) == (["child_in_difficulty"], "guardianship")


@run_async
async def test_the_visit_interval_takes_three_digits_and_nothing_else(tmp_path):
    """Walk F: a disability card typed one field too far went whole into 探访间隔（天）, refused only on saving."""
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _form(pilot)
        field = app.screen.query_one("#visit_frequency_days", Input)
        field.focus()
        await pilot.press(*"33052119451231002X63")
        assert field.value == "330"
        field.value = ""
        await pilot.press(*"1a4")
        assert field.value == "14"


def test_a_roster_row_naming_only_an_assistance_status_says_so(tmp_path):
    """Walk G, 8: 五保户 alone in the category column read "请至少选择一个对象类别", as if the cell were empty."""
    _db, report = _one_row_roster(tmp_path, "冯秀兰", "五保户")
    (row,) = report.rows
    assert [p.message for p in row.problems] == [
        "人员类别一栏只写了救助身份（特困人员），不是重点对象类别：请同时写明对象类别（例如 孤寡老年人）。"]

"""A new person with the name and birth date of one registered already is asked about before a second record is
made (storage/register/namesakes.py, screens/resident_questions.py ask_about_namesakes).

Walked in tmux: the clerk registered 单小明, born 2014-05-06, in G01, where the worker had registered him with his
ID number; the form saved a second record without a word, and Home's 疑似重复 went to 1.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from textual.widgets import Input, Select, SelectionList

from storage.core.models import Resident
from storage.register.duplicates import merge_residents
from storage.register.namesakes import namesakes
from storage.register.residents import register_resident
from tests.pilot_helpers import on_screen, run_async
from tests.sync_helpers import clerk_elder, make_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
G01, G02 = "330521101-G01", "330521101-G02"


def child(db, name: str, grid: str, category: str = "left_behind_child", **extra):
    return register_resident(db, {"name": name, "categories": [category], "grid_code": grid, **extra}, today=TODAY)


def _asked(db, name: str, grid: str, category: str = "left_behind_child", **extra) -> list[tuple]:
    return [(n.name, n.birth_date, n.grid, n.id_tail) for n in namesakes(db, {"name": name, "categories": [category],
                                                                   "grid_code": grid, **extra}, TODAY)]


def test_who_may_be_the_person_about_to_be_registered(tmp_path):
    t = make_township(tmp_path)
    clerk_elder(t, "占位", "G01")
    clerk_elder(t, "占位", "G02")  # (the grids exist: a worker's code was made for each)
    child(t.db, "单小明", G01, id_number="330521201405061239")
    ill = "seriously_ill"  # (a category that asks no birth date)
    child(t.db, "李丽", G01, ill)  # no birth date
    born = {"birth_date": "2014-05-06"}
    assert _asked(t.db, "单小明", G02, **born) == [("单小明", dt.date(2014, 5, 6), "G01", "1239")]  # any grid
    assert _asked(t.db, "单小明", G01, birth_date="2014年5月7日") == []  # born another day: another child
    assert _asked(t.db, "单小明", G01, id_number="330521201405061255") == []  # another ID number: another child
    assert _asked(t.db, "单小明", G01) == []  # no birth date: the same grid's alone, and his is known
    assert _asked(t.db, "李丽", G01, ill, **born) == [("李丽", None, "G01", "")]  # hers unknown: in her grid
    assert _asked(t.db, "李丽", G02, ill, **born) == []  # ...not in another
    assert _asked(t.db, "李丽", G01, ill) == [("李丽", None, "G01", "")]
    assert _asked(t.db, "单小明", G02, birth_date="not a date") == []  # the save says what is wrong
    dup = child(t.db, "单小明", G02, birth_date=dt.date(2014, 5, 6))
    assert len(_asked(t.db, "单小明", G01, **born)) == 2
    kept = t.db
    with kept.session() as s:
        first = s.exec(select(Resident).where(Resident.grid_code == G01, Resident.name == "单小明")).one()
    merge_residents(kept, first.id, dup.id)  # a merged duplicate is no one of its own
    assert len(_asked(t.db, "单小明", G01, **born)) == 1
    # a worker's form gives no grid: the worker's own is asked about
    worker = t.worker("王芳", "G03")
    child(worker, "李丽", "", ill)
    assert [(n.name, n.grid) for n in namesakes(worker, {"name": "李丽", "categories": [ill]}, TODAY)] == [
        ("李丽", "G03网格")]  # (its name, as the worker set it up)


@run_async
async def test_the_form_asks_before_it_registers_a_namesake(tmp_path):
    t = make_township(tmp_path)
    clerk_elder(t, "占位", "G01")
    child(t.db, "单小明", G01, id_number="330521201405061239")
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("n")
        await on_screen(pilot, "ResidentFormScreen")
        form = app.screen
        form.query_one("#name", Input).value = "单小明"
        form.query_one("#birth_date", Input).value = "2014-05-06"
        form.query_one("#grid_code", Select).value = G01
        form.query_one("#categories", SelectionList).select("left_behind_child")
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ConfirmScreen")
        message = "".join(str(app.screen.query_one("#dialog-message").content).split())
        assert message == "可能已经登记过：单小明（2014年5月6日出生，G01，身份证号尾号1239）。仍然新增一个对象吗？", message
        await pilot.press("n")  # 返回修改: nothing saved, back on the name
        await on_screen(pilot, "ResidentFormScreen")
        assert app.screen.focused.id == "name"
        with t.db.session() as s:
            assert len(s.exec(select(Resident).where(Resident.name == "单小明")).all()) == 1
        await pilot.press("ctrl+s")  # asked again: the answer was to go back
        await on_screen(pilot, "ConfirmScreen")
        await pilot.press("y")  # 仍然新增: a different child of the same name and birthday
        await on_screen(pilot, "ResidentScreen")
    with t.db.session() as s:
        assert len(s.exec(select(Resident).where(Resident.name == "单小明")).all()) == 2

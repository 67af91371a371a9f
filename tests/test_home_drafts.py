"""Home says that a visit was left unsaved (storage/register/drafts.py), and `u` goes on with it."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from storage.core.i18n import set_language
from storage.register.drafts import save_draft
from storage.register.home import home_data
from storage.register.idnumbers import fake_id_number
from storage.register.residents import close_case, register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tests.test_drop_down_drawn import drawn_lines
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("en")


def _register(db, name: str, seed: int, born: dt.date = dt.date(1941, 1, 20), category: str = "solitary_elder"):
    number = fake_id_number(random.Random(seed), born, "F", "330521")
    return register_resident(db, {"name": name, "id_number": number, "categories": [category]}, today=TODAY)


def test_home_lists_the_unsaved_visits_of_its_residents_newest_first(tmp_path):
    db = make_db(tmp_path / "w.db")
    first, second, closed = (_register(db, name, i) for i, name in enumerate(("王桂英", "李建国", "赵淑珍")))
    save_draft(db.local_path, first.id, {"notes": "看望"}, resident_name="王桂英", now=AT)
    save_draft(db.local_path, second.id, {"notes": "送米"}, resident_name="李建国", now=AT + dt.timedelta(hours=1))
    save_draft(db.local_path, closed.id, {"notes": "搬走"}, resident_name="赵淑珍", now=AT)
    close_case(db, closed.id, "moved_away", today=TODAY)
    assert home_data(db, TODAY).visit_drafts == [(second.id, "李建国"), (first.id, "王桂英")]


@run_async
async def test_home_at_80x24_says_a_visit_is_unsaved_and_u_goes_on_with_it(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = _register(db, "王桂英", 1)
    # five categories (高龄老年人 by age): at 80×24 Home shows them two to a line, and its alerts in short words
    for seed, (born, category) in enumerate(((dt.date(2016, 3, 5), "left_behind_child"),
                                             (dt.date(2012, 7, 9), "child_in_difficulty"),
                                             (dt.date(1950, 10, 1), "empty_nest_elder")), start=2):
        _register(db, f"测试{seed}", seed, born, category)
    save_draft(db.local_path, r.id, {"met_with": "本人", "notes": "看望老人"}, resident_name="王桂英", now=AT)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot)
        shown = drawn_lines(app)
        assert any("未保存的探访：王桂英（按 u）" in line for line in shown), "\n".join(shown)
        await pilot.press("u")
        await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")  # restore the draft?
        assert [type(s).__name__ for s in app.screen_stack[-3:]] == ["ResidentScreen", "VisitFormScreen",
                                                                     "ConfirmScreen"]
        assert "恢复王桂英的新增探访" in "\n".join(drawn_lines(app))
        await pilot.press("enter")  # 恢复
        await settle(pilot, lambda: type(app.screen).__name__ == "VisitFormScreen")
        assert app.screen.resident_id == r.id
        assert app.screen.query_one("#met_with").value == "本人"


@run_async
async def test_several_unsaved_visits_are_counted_on_one_line(tmp_path):
    db = make_db(tmp_path / "w.db")
    for i, name in enumerate(("王桂英", "李建国")):
        save_draft(db.local_path, _register(db, name, i).id, {"notes": "看望"}, resident_name=name, now=AT)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot)
        # (the long words: a register this small leaves Home room for them)
        line = next((line for line in drawn_lines(app) if "尚未保存的探访（按 u 继续最近一条）" in line), "")
        assert line.rstrip().endswith("2"), "\n".join(drawn_lines(app))

"""Home says that a registration was left unsaved (the new-resident form's draft), as it says of a visit, and `n`
goes on with it (the form offers the draft back)."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.i18n import set_language
from storage.register.drafts import NEW, save_draft
from storage.register.home import home_data
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tests.test_drop_down_drawn import drawn_lines
from tests.test_home_drafts import _register
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("en")


def test_home_data_names_the_registration_left_unsaved(tmp_path):
    db = make_db(tmp_path / "w.db")
    assert home_data(db, TODAY).registration_draft is None
    save_draft(db.local_path, NEW, {"address": "东村3组"}, now=AT, kind="resident")
    assert home_data(db, TODAY).registration_draft == ""  # begun, no name typed yet
    save_draft(db.local_path, NEW, {"name": " 王桂英 ", "address": "东村3组"}, now=AT, kind="resident")
    assert home_data(db, TODAY).registration_draft == "王桂英"


@run_async
async def test_home_at_80x24_says_a_registration_is_unsaved_and_n_goes_on_with_it(tmp_path):
    db = make_db(tmp_path / "w.db")
    _register(db, "李建国", 1)
    save_draft(db.local_path, NEW, {"name": "王桂英", "address": "东村3组"}, now=AT, kind="resident")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot)
        shown = drawn_lines(app)
        assert any("王桂英" in line and "按 n" in line for line in shown), "\n".join(shown)
        await pilot.press("n")
        await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")  # restore the draft?
        await pilot.press("enter")  # 恢复
        await settle(pilot, lambda: type(app.screen).__name__ == "ResidentFormScreen"
                     and app.screen.query_one("#name").value == "王桂英")
        assert app.screen.query_one("#address").value == "东村3组"

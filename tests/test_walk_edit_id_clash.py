"""A worker corrects a resident's ID number on the edit form (walk h-walk, 1), and types one that another resident
of this laptop already has: registering that number is refused ("这个身份证号已登记为…"), the edit said
"对象信息已保存" and left two residents with one ID number."""

from __future__ import annotations

import datetime as dt
import random

from textual.widgets import Input

from storage.core.i18n import set_language
from storage.register.idnumbers import fake_id_number
from storage.register.residents import get_resident, register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tests.test_drop_down_drawn import drawn_lines
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
HERS = fake_id_number(random.Random(1), dt.date(1950, 3, 12), "F", "330521")
HIS = fake_id_number(random.Random(2), dt.date(1955, 1, 1), "M", "330521")


@run_async
async def test_an_id_number_another_resident_has_is_refused_on_the_edit_form(tmp_path):
    from screens.resident_form import ResidentFormScreen

    set_language("zh_CN")
    db = make_db(tmp_path / "w.db")
    her = register_resident(db, {"name": "刘桂英", "id_number": HERS, "categories": ["solitary_elder"]}, today=TODAY)
    him = register_resident(db, {"name": "李德福", "id_number": HIS, "categories": ["empty_nest_elder"]}, today=TODAY)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            app.push_screen(ResidentFormScreen(him.id))
            await settle(pilot, lambda: app.screen.query("#id_number"))
            field = app.screen.query_one("#id_number", Input)
            field.focus()
            await pilot.press("end", *["backspace"] * len(HIS), *HERS.lower(), "tab")  # as typed: a small x
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ResidentFormScreen), "the form was closed: the number was saved"
            assert "已登记为" in "\n".join(drawn_lines(app)) and "刘桂英" in "\n".join(drawn_lines(app))
            assert field.value.upper() == HERS  # what was typed is kept, to correct
        assert get_resident(db, him.id).id_number == HIS and get_resident(db, her.id).id_number == HERS
    finally:
        set_language("en")
        db.dispose()

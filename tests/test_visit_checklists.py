"""The visit form's safety checklist and needs count 高龄 from the age, as the register and the form's first line do.

Walk of a worker's first week: 杨凤英, 90, came in from the township's roster as 特困 only (a benefit, no stored
category; the register lists her 高龄老年人). Her visit form offered no 跌倒风险 to tick nor 康复护理 to ask for:
the form read the stored categories, where 高龄 is never stored.
"""

from __future__ import annotations

import datetime as dt
import random

from textual.widgets import SelectionList

from screens.visit_form import VisitFormScreen
from storage.register.idnumbers import fake_id_number
from storage.register.residents import register_resident
from tests.pilot_helpers import run_async, settle, started
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app


def _codes(screen, field: str) -> set[str]:
    choices = screen.query_one(f"#{field}", SelectionList)
    return {str(choices.get_option_at_index(i).value) for i in range(choices.option_count)}


@run_async
async def test_an_elder_of_ninety_on_the_register_for_her_age_alone_is_offered_falls_and_rehabilitation(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    born = dt.date(1936, 5, 1)
    her = register_resident(db, {"name": "杨凤英", "id_number": fake_id_number(random.Random(3), born, "F", "330521"),
                                 "categories": [], "registered_on": dt.date(2026, 1, 10)}, today=TODAY)
    young = register_resident(db, {"name": "孙海涛", "categories": ["seriously_ill"], "birth_date": dt.date(1960, 9, 9),
                                   "registered_on": dt.date(2026, 1, 10)}, today=TODAY)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(her.id))
        await settle(pilot, lambda: bool(app.screen.query("#hazards")))
        assert "falls" in _codes(app.screen, "hazards") and "rehabilitation" in _codes(app.screen, "needs")
        app.screen.dismiss(None)
        await started(pilot, lambda: VisitFormScreen(young.id))
        await settle(pilot, lambda: bool(app.screen.query("#hazards")))
        assert "falls" not in _codes(app.screen, "hazards")  # 66: no 高龄, the checklist of the seriously ill

"""A child has no phone of its own: the page gives the guardian's as the contact, said to be theirs, not
联系电话：— a line above the guardian's number."""

from __future__ import annotations

import datetime as dt
import random

from screens.resident import ResidentScreen
from storage.register.idnumbers import fake_id_number
from storage.register.profile import Contact, contact_phone
from storage.register.residents import register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async, settle, started
from tests.test_drop_down_drawn import drawn_lines
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


def _child(db, **family):
    number = fake_id_number(random.Random(3), dt.date(2012, 9, 5), "F", "330521")
    return register_resident(db, {"name": "方佳琪", "id_number": number, "categories": ["left_behind_child"],
                                  **family}, today=TODAY)


@run_async
async def test_a_childs_page_gives_the_guardians_phone_as_the_contact(tmp_path):
    db = make_db(tmp_path / "w.db")
    child = _child(db, guardian_name="赵玉梅", guardian_relation="外祖母", guardian_phone="18553749890")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(child.id))
        await settle(pilot, lambda: app.screen.profile is not None)
        shown = drawn_lines(app)
        phone = [line.strip() for line in shown if line.strip().startswith("Phone:")]
        assert phone == ["Phone: 18553749890 (guardian 赵玉梅 外祖母)"], "\n".join(shown)


def test_the_contact_is_the_residents_own_phone_first_and_a_dash_only_when_none_is_recorded(tmp_path):
    db = make_db(tmp_path / "w.db")
    child = _child(db, phone="13800001234", guardian_phone="18553749890")
    assert contact_phone(child) == Contact("13800001234")
    child.phone = ""
    assert contact_phone(child) == Contact("18553749890", "")  # the guardian's, though no name was recorded
    child.guardian_phone = ""
    assert contact_phone(child) == Contact("")

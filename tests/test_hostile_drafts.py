"""A draft is any file in the drafts folder (a copied folder may hold one of someone else's): the name it gives is
said on Home and in the question offering it back cut to the longest a name may be (storage/register/
resident_rules.py MAX_TEXT), so that a name of a million characters cannot hang the app.

Before: a registration draft naming a person with 40,000 characters took 20 s from `n` to the question (its
message wrapped in a time growing with the square of its length); one of 1,300,000, the most the draft's 4 MB
allow, kept the app busy for more than ten minutes, on a worker's laptop with no way out but to kill it.
"""

from __future__ import annotations

import datetime as dt

from storage.register.drafts import NEW, draft_person, load_draft, registration_draft_name, save_draft
from storage.register.resident_rules import MAX_TEXT
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tests.test_home_drafts import _register
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone.utc)
LONG = "王" * 20_000


def test_the_name_a_draft_gives_is_cut_to_the_longest_a_name_may_be(tmp_path):
    from storage.register import drafts

    assert drafts.NAME_LIMIT == MAX_TEXT  # (its own constant: the rules' module loads the models)
    db = make_db(tmp_path / "w.db")
    save_draft(db.local_path, NEW, {"name": "王" * 1_000_000}, now=AT, kind="resident")
    named = registration_draft_name(db.local_path)
    assert named is not None and len(named) == MAX_TEXT and named.startswith("王王王") and named.endswith("…")
    save_draft(db.local_path, NEW, {"name": " 王桂英 "}, now=AT, kind="resident")
    draft = load_draft(db.local_path, NEW, "resident")
    assert draft is not None and draft_person(draft) == "王桂英"  # a name of any usual length: as it was


@run_async
async def test_home_and_the_question_offering_the_draft_back_say_the_long_name_cut(tmp_path):
    db = make_db(tmp_path / "w.db")
    _register(db, "李建国", 1)
    save_draft(db.local_path, NEW, {"name": LONG, "address": "东村3组"}, now=AT, kind="resident")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        question = str(app.screen.message)
        assert "王" * 100 in question and LONG not in question and len(question) < MAX_TEXT + 200
        await pilot.press("enter")  # 恢复: the form gets what the draft holds, which its save refuses as too long
        await settle(pilot, lambda: type(app.screen).__name__ == "ResidentFormScreen")

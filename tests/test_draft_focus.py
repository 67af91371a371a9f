"""A form offered back from its draft puts the cursor where the typing stopped. Walked: the terminal closed
while the ID number was half typed; the restored form had the cursor on 姓名, and the digit typed next went on
the end of the name (解秀兰7)."""

from __future__ import annotations

import datetime as dt

from storage.register.drafts import NEW, save_draft
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

TODAY = dt.date(2026, 12, 5)
AT = dt.datetime(2026, 12, 5, 3, 40, tzinfo=dt.timezone.utc)


@run_async
async def test_a_restored_registration_goes_on_in_the_field_it_stopped_in(tmp_path):
    db = make_db(tmp_path / "w.db")
    save_draft(db.local_path, NEW, {"name": "解秀兰", "id_number": "33052119750611222"}, now=AT, kind="resident")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("n")
        await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")  # 恢复…未保存的登记？
        await pilot.press("y")
        form = app.screen
        await settle(pilot, lambda: type(form).__name__ == "ResidentFormScreen"
                     and form.query_one("#name").value == "解秀兰")
        await settle(pilot)
        assert app.focused is form.query_one("#id_number"), app.focused
        await pilot.press("7")
        await settle(pilot)
        assert (form.query_one("#name").value, form.query_one("#id_number").value) == ("解秀兰", "330521197506112227")


@run_async
async def test_a_restored_visit_goes_on_after_what_was_typed(tmp_path):
    """The visit form's draft: the cursor on its last field typed in, not on the date (a key typed there made the
    date wrong)."""
    from storage.register.drafts import save_draft as save
    from tests.register_helpers import resident_id
    from tests.test_home_drafts import _register

    db = make_db(tmp_path / "w.db")
    _register(db, "单秀英", 1)
    rid = resident_id(db, "单秀英")
    save(db.local_path, rid, {"met_with": "本人", "observations": {"health": "高血压，近日头晕"}}, now=AT, resident_name="单秀英")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        from screens.visit_form import VisitFormScreen

        await on_screen(pilot, "HomeScreen")
        app.push_screen(VisitFormScreen(rid))
        await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("y")
        form = app.screen
        await settle(pilot, lambda: form.query_one("#met_with").value == "本人")
        await settle(pilot)
        await pilot.press(*"血压偏高")
        await settle(pilot)
        assert form.query_one("#obs-health").value == "高血压，近日头晕血压偏高"
        assert form.query_one("#visit_date").value == TODAY.isoformat()

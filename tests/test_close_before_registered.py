"""A case cannot be closed on a date before its registration (walked at the end of stop 55: 王德明, registered
2026-12-05, was closed as died on 2025-02-10 and accepted). The reports count such a case in no month at all, so the
date is refused, under the dialog's date field and in one line on the command line, saying what to do instead."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Select

from screens.dialogs import ChooseScreen, ConfirmScreen
from screens.resident import ResidentScreen
from storage.core.db import open_database
from storage.core.errors import UserError, ValidationError
from storage.core.models import Resident
from storage.register.residents import close_case
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import elder
from tui.app import make_app
from tui.cli import main

TODAY = dt.date(2026, 12, 5)
REGISTERED = dt.date(2026, 11, 24)  # tests/sync_helpers.py elder() registers on that day


def _status(path, rid):
    db = open_database(path)
    with db.session() as s:
        r = s.get(Resident, rid)
    db.dispose()
    return r.status, r.closed_on


def test_the_service_refuses_a_closing_before_the_registration_and_takes_the_day_itself(tmp_path):
    db = make_db(tmp_path / "w.db")
    rid = elder(db, "王德明").id
    with pytest.raises(ValidationError) as refused:
        close_case(db, rid, "deceased", dt.date(2025, 2, 10), today=TODAY)
    assert refused.value.field == "closed_on"
    assert close_case(db, rid, "deceased", REGISTERED, today=TODAY).closed_on == REGISTERED
    db.dispose()


@pytest.mark.parametrize(("lang", "said"), [
    ("zh_CN", "王德明的登记日期是2026年11月24日，退出日期不能早于登记日期。如果日期无误，请先修改登记日期。"),
    ("en", "王德明 was registered on November 24, 2026: the case cannot be closed before that. If the date is right, "
           "correct the registration date first."),
])
def test_the_command_line_says_it_in_one_line_and_exits_1(tmp_path, capsys, lang, said):
    db = make_db(tmp_path / "w.db")
    rid = elder(db, "王德明").id
    db.dispose()
    code = main(["--db", str(tmp_path / "w.db"), "--lang", lang, "close", rid, "--reason", "deceased", "--on",
                 "2025-02-10"])
    err = capsys.readouterr().err
    assert code == 1 and said in err and len(err.strip().splitlines()) == 1, err
    assert _status(tmp_path / "w.db", rid) == ("active", None)


@run_async
async def test_the_dialog_says_it_under_the_date_and_closes_once_the_date_is_right(tmp_path):
    from tui.date_input import DateInput

    db = make_db(tmp_path / "w.db")
    rid = elder(db, "王德明").id
    db.dispose()
    app = make_app(str(tmp_path / "w.db"), lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(rid))
        await pilot.press("x")
        await on_screen(pilot, ChooseScreen)
        dialog = app.screen
        dialog.query_one("#choice", Select).value = "deceased"
        day = dialog.query_one("#day", DateInput)
        day.value = "2025年2月10日"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ChooseScreen) and app.screen.focused is day
        assert str(dialog.query_one("#day-error").render()).startswith("王德明的登记日期是2026年11月24日，")
        day.value = "11月25日"
        await pilot.press("ctrl+s")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await on_screen(pilot, ResidentScreen)
        await settle(pilot, lambda: app.screen.profile.resident.status == "closed")
    assert _status(tmp_path / "w.db", rid) == ("closed", dt.date(2026, 11, 25))


def test_the_registration_date_of_a_closed_case_cannot_be_moved_after_its_closing(tmp_path):
    from storage.register.residents import update_resident

    db = make_db(tmp_path / "w.db")
    rid = elder(db, "王德明").id
    close_case(db, rid, "moved_away", dt.date(2026, 11, 28), today=TODAY)
    with pytest.raises(UserError) as refused:
        update_resident(db, rid, {"registered_on": dt.date(2026, 11, 30)}, today=TODAY)
    assert refused.value.by_field() == {"registered_on": "The case was closed on November 28, 2026: the registration "
                                                         "date cannot be later."}
    assert update_resident(db, rid, {"registered_on": dt.date(2026, 11, 28)}, today=TODAY).registered_on \
        == dt.date(2026, 11, 28)
    db.dispose()

"""Keyboard rules a person cannot guess (issue #13), each tried in the real app with Pilot."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from textual.widgets import DataTable, Input, Label, Select, SelectionList

from screens.dialogs import ChooseScreen, ConfirmScreen
from screens.help import HelpScreen, key_rows
from screens.home import HomeScreen
from screens.referral_dialog import FollowUpScreen
from screens.resident import ResidentScreen
from screens.visit_form import VisitFormScreen
from storage.core.models import Referral, Visit
from storage.register.referrals import open_referral
from storage.register.residents import close_case
from tests.pilot_helpers import run_async, workers_done
from tests.pilot_helpers import settle as settle_until
from tests.register_helpers import TODAY, make_register_db, resident_id
from tui.app import make_app


async def settle(pilot, seconds: float = 0.05) -> None:
    await pilot.pause(seconds)
    await workers_done(pilot.app)
    await pilot.pause()


async def home(pilot) -> None:
    for _ in range(100):
        await settle(pilot)
        if isinstance(pilot.app.screen, HomeScreen) and pilot.app.screen.data is not None:
            break
    assert isinstance(pilot.app.screen, HomeScreen)
    await settle(pilot, 0.1)


@run_async
async def test_home_opens_with_the_cursor_in_the_first_list_and_enter_opens_a_resident(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        table = app.screen.focused
        assert isinstance(table, DataTable) and table.id == "t-overdue"
        assert table.row_count >= 2
        await pilot.press("down", "enter")
        await settle(pilot, 0.2)
        assert isinstance(app.screen, ResidentScreen)


@run_async
async def test_home_help_names_enter_tab_and_the_number_keys(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        rows = dict(key_rows(app, app.screen))
        assert "Open the resident" in rows["Enter"]
        assert "tabs" in rows["Tab"]
        # the number keys four to a row, so the help fits 80 columns
        assert rows["1–4"] == "1 Overdue, 2 Week, 3 Risk, 4 Referrals"
        assert rows["5–8"].startswith("5 Age-out, 6 Recent")
        assert not any(keys in ("1", "2") for keys in rows)  # one row for the number keys, not one each
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


def test_a_number_key_alone_on_its_help_row_is_named_alone():
    """The township's ninth list (grids) has a row of its own in help: "9", not "9–9"."""
    from screens.home import HomeScreen

    rows = dict(HomeScreen(role="township").help_rows())
    assert [keys for keys in rows if keys[0].isdigit()] == ["1–4", "5–8", "9"]


@run_async
async def test_slash_always_means_search_in_the_residents_list(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("r")
        await settle(pilot, 0.2)
        search = app.screen.query_one("#search", Input)
        assert app.screen.focused is search
        await pilot.press("slash", *"zxm")  # the search box has the cursor already
        await settle(pilot, 0.3)
        assert search.value == "zxm"
        await pilot.press("down")  # into the results
        assert isinstance(app.screen.focused, DataTable)
        await pilot.press("slash", *"wgy")  # from the table: a new search, the old query replaced
        await settle(pilot, 0.3)
        assert app.screen.focused is search and search.value == "wgy"
        assert app.screen.query_one(DataTable).row_count == 1  # 王桂英


@run_async
async def test_referral_follow_up_has_no_default_status_and_closing_asks(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")
    open_referral(db, rid, "clinic", "hip check", opened_on=TODAY, today=TODAY)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        app.push_screen(ResidentScreen(rid))
        await settle(pilot, 0.2)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpScreen)
        assert app.screen.query_one("#status", Select).value == Select.NULL  # nobody chose yet
        assert app.screen.focused.id == "status"
        await pilot.press("ctrl+s")  # the first save without a choice is refused, nothing closed
        await pilot.pause()
        assert "Choose one." in str(app.screen.query_one("#err-status", Label).render())
        app.screen.query_one("#status", Select).value = "closed"
        await pilot.pause()
        assert str(app.screen.query_one("#err-status", Label).render()) == ""  # the message goes with the choice
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # closing asks
        assert app.screen.focused.id == "no"  # and No is the default
        await pilot.press("enter")
        await settle(pilot, 0.2)
        with db.session() as s:
            assert s.exec(select(Referral)).one().status == "open"
        await pilot.press("c")
        await settle(pilot)
        app.screen.query_one("#status", Select).value = "closed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot, 0.2)
        with db.session() as s:
            assert s.exec(select(Referral)).one().status == "closed"
        await pilot.press("c")  # next time: still no default (it used to flip to "open")
        await settle(pilot)
        assert app.screen.query_one("#status", Select).value == Select.NULL


@run_async
async def test_close_and_reopen_both_default_to_no_and_the_key_says_which(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        app.push_screen(ResidentScreen(rid))
        await settle(pilot, 0.2)
        shown = {b.binding.action: b.binding.description for b in app.screen.active_bindings.values()}
        assert shown.get("close_case") == "Close case" and "reopen_case" not in shown
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#choice", Select).value = "moved_away"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.focused.id == "no"
        await pilot.press("enter")  # the default: nothing happens, and the dialog is back as it was filled in
        await settle(pilot, 0.2)
        assert isinstance(app.screen, ChooseScreen) and app.screen.query_one("#choice", Select).value == "moved_away"
        await pilot.press("escape")
        await settle_until(pilot, lambda: isinstance(app.screen, ResidentScreen))
        assert app.screen.profile.resident.status == "active"
        close_case(db, rid, "moved_away", closed_on=TODAY, today=TODAY)
        app.screen.reload()

        def status(wanted: str):
            # the page reads the resident again in a worker: wait for that reading, not a fixed time
            return lambda: isinstance(app.screen, ResidentScreen) and app.screen.profile.resident.status == wanted

        await settle_until(pilot, status("closed"))
        shown = {b.binding.action: b.binding.description for b in app.screen.active_bindings.values()}
        assert shown.get("reopen_case") == "Put back on the register" and "close_case" not in shown
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.screen.focused.id == "no"
        await pilot.press("escape")  # Esc is the safe answer too
        await settle_until(pilot, lambda: isinstance(app.screen, ResidentScreen))
        assert app.screen.profile.resident.status == "closed"
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle_until(pilot, status("active"))


@run_async
async def test_the_visit_date_takes_the_forms_people_type_and_says_what_it_understood(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")
    app = make_app(db.path, lang="zh_CN", today=dt.date(2026, 12, 1))
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        app.push_screen(VisitFormScreen(rid))
        await settle(pilot, 0.2)
        field = app.screen.query_one("#visit_date", Input)
        understood = app.screen.query_one("#understood-visit_date", Label)
        for typed in ("2026/11/30", "2026.11.30", "2026年11月30日", "11-30", "11.30", "30"):
            field.value = typed
            await pilot.pause()
            assert "2026年11月30日" in str(understood.render()), typed
        field.value = "2026-13-01"
        await pilot.pause()
        assert "没有13月" in str(understood.render())
        field.value = "11.30"
        app.screen.query_one("#met_with", Input).focus()
        await pilot.press(*"本人")
        await pilot.press("ctrl+s")
        await settle(pilot, 0.3)
        assert not isinstance(app.screen, VisitFormScreen)  # saved and gone
    with db.session() as s:
        assert s.exec(select(Visit)).one().visit_date == dt.date(2026, 11, 30)


@run_async
async def test_the_visit_form_help_names_tab_space_and_enter(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        app.push_screen(VisitFormScreen(rid))
        await settle(pilot, 0.2)
        rows = dict(key_rows(app, app.screen))
        assert rows["Tab"] == "Next field" and rows["Shift+Tab"] == "Previous field"
        assert "Tick" in rows["Space"] and "open its list" in rows["Enter"]


@run_async
async def test_ticked_and_unticked_boxes_differ_in_shape_not_only_colour(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        app.push_screen(VisitFormScreen(rid))
        await settle(pilot, 0.2)
        hazards = app.screen.query_one("#hazards", SelectionList)
        hazards.focus()
        await pilot.press("space")
        await pilot.pause()
        first, second = (hazards.render_line(i).text for i in (0, 1))
        assert first.startswith("[x]") and second.startswith("[ ]")
        box = app.screen.query_one("#contact_made")
        assert "[x]" in box.render().plain
        box.value = False
        assert "[ ]" in box.render().plain

"""The grid worker's flow through the register, the resident and the visit form (Pilot)."""

from __future__ import annotations

import datetime as dt
import os
import random

from rich.console import Console
from sqlmodel import select
from textual.widgets import Checkbox, DataTable, Input, Label, Select, SelectionList, Static

from screens.dialogs import ChooseScreen, ConfirmScreen
from screens.home import HomeScreen
from screens.referral_dialog import FollowUpScreen, ReferralScreen
from screens.resident import ResidentScreen
from screens.resident_form import ResidentFormScreen
from screens.residents import ResidentsScreen
from screens.visit_form import VisitFormScreen
from storage.core.models import Referral, Resident, Visit
from storage.register.drafts import load_draft
from storage.register.idnumbers import fake_id_number
from storage.register.residents import register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.register_helpers import TODAY, make_register_db, resident_id
from tui.app import make_app


def static_text(widget: Static) -> str:
    """What a Static shows (text, or a Rich renderable such as a Group), as plain text."""
    console = Console(width=200, record=True, file=open(os.devnull, "w", encoding="utf-8"))
    console.print(widget.content)
    return console.export_text()


@run_async
async def test_register_a_resident_then_log_a_visit_and_see_it(tmp_path):
    db = make_db(tmp_path / "w.db")
    number = fake_id_number(random.Random(3), dt.date(2016, 5, 1), "F", "330521")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("r")  # Home: the register
        await on_screen(pilot, ResidentsScreen)
        await pilot.press("escape", "n")  # from the search box to the table, then "new resident"
        await on_screen(pilot, ResidentFormScreen)
        app.screen.query_one("#name", Input).focus()
        await pilot.press(*"李小花")
        app.screen.query_one("#id_number", Input).focus()
        await pilot.press(*number)
        await pilot.pause()
        assert "2016" in str(app.screen.query_one("#id-info", Label).render())
        assert app.screen.query_one("#birth_date", Input).value == "2016-05-01"
        app.screen.query_one("#categories", SelectionList).focus()
        await pilot.press("space")  # the first category: left-behind child
        await pilot.press("ctrl+s")
        await on_screen(pilot, ResidentScreen)
        with db.session() as s:
            r = s.exec(select(Resident)).one()
        assert (r.name, r.categories, r.sex) == ("李小花", ["left_behind_child"], "F")

        await pilot.press("n")
        await on_screen(pilot, VisitFormScreen)
        assert app.screen.focused.id == "visit_date"  # the first field first (walk-D 3)
        app.screen.query_one("#met_with", Input).focus()
        await pilot.press(*"grandmother", "enter")
        app.screen.query_one("#hazards", SelectionList).focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await on_screen(pilot, ResidentScreen)
        timeline = static_text(app.screen.query_one("#visits", Static))
        assert "grandmother" in timeline and "Home visit" in timeline
    with db.session() as s:
        v = s.exec(select(Visit)).one()
    assert (v.visit_date, v.met_with, v.visitor, v.hazards) == (TODAY, "grandmother", "王网格", ["utilities"])
    assert load_draft(db.path, r.id) is None  # saving removed the draft


@run_async
async def test_an_invalid_id_number_is_explained_next_to_its_field(tmp_path):
    db = make_db(tmp_path / "w.db")

    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentFormScreen)
        app.screen.query_one("#id_number", Input).focus()
        await pilot.press(*"110105194912310021")  # the check character should be X
        await pilot.pause()
        message = str(app.screen.query_one("#err-id_number", Label).render())
        assert "check character should be X" in message
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ResidentFormScreen)  # not saved
        assert "Give the resident's name." in str(app.screen.query_one("#err-name", Label).render())
        assert "check character" in str(app.screen.query_one("#err-id_number", Label).render())
    with db.session() as s:
        assert s.exec(select(Resident)).all() == []


@run_async
async def test_a_half_filled_visit_survives_a_closed_terminal(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "王桂英")

    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(rid))
        app.screen.query_one("#met_with").focus()
        await pilot.press(*"neighbour")
        app.screen.query_one("#notes").focus()
        await pilot.press(*"knee pain")
        # the draft is written after a short pause in typing (a timer, no worker): wait for the file itself
        await settle(pilot, lambda: (d := load_draft(db.path, rid)) is not None and d.values.get("notes") == "knee pain")
    # the app is gone without saving: a new one offers the draft back
    draft = load_draft(db.path, rid)
    assert draft is not None and draft.values["met_with"] == "neighbour"

    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(rid))
        assert isinstance(app.screen, ConfirmScreen)
        assert "Restore the new visit to 王桂英" in str(app.screen.query_one("#dialog-message", Static).content)
        await pilot.press("y")
        await on_screen(pilot, VisitFormScreen)
        form = app.screen
        assert form.query_one("#met_with", Input).value == "neighbour"
        assert form.query_one("#notes").text == "knee pain"
        await pilot.press("ctrl+s")
        await on_screen(pilot, HomeScreen)  # saved, back where the form was opened from
    assert load_draft(db.path, rid) is None
    with db.session() as s:
        assert s.exec(select(Visit.met_with, Visit.notes)).one() == ("neighbour", "knee pain")


@run_async
async def test_escape_asks_before_discarding_and_discarding_deletes_the_draft(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")

    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(rid))
        await pilot.press(*"son")
        await settle(pilot, lambda: load_draft(db.path, rid) is not None)  # written after the typing pauses
        await pilot.press("escape")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("escape")  # no: keep editing
        await on_screen(pilot, VisitFormScreen)
        await pilot.press("escape", "y")
        await on_screen(pilot, HomeScreen)
    assert load_draft(db.path, rid) is None


@run_async
async def test_raising_the_risk_proposes_an_earlier_next_visit(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")

    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(rid))
        nxt = app.screen.query_one("#next_visit_on", Input)
        assert nxt.value == (TODAY + dt.timedelta(days=30)).isoformat()
        app.screen.query_one("#risk_after").value = "high"
        await settle(pilot)
        assert nxt.value == (TODAY + dt.timedelta(days=7)).isoformat()


@run_async
async def test_search_as_you_type_pages_and_opens_a_resident(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 6
        await pilot.press("z", "x", "m")
        await settle(pilot, lambda: table.row_count == 1)  # the search starts after a pause in typing
        assert "3305**********" in str(table.get_row_at(0)[1])
        await pilot.press("enter", "enter")
        await on_screen(pilot, ResidentScreen)
        assert app.screen.profile.resident.name == "张小明"


@run_async
async def test_resident_actions_change_risk_refer_follow_up_and_close(tmp_path):

    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(rid))
        await pilot.press("r")
        await on_screen(pilot, ChooseScreen)
        await pilot.press("ctrl+s")  # no reason yet: refused in the dialog
        await pilot.pause()
        assert "Say why." in str(app.screen.query_one("#reason-error", Label).render())
        app.screen.query_one("#choice", Select).value = "high"
        app.screen.query_one("#reason", Input).focus()
        await pilot.press(*"fell at home", "enter")
        await on_screen(pilot, ResidentScreen)
        # the page reads the resident again after the write's worker ends: wait for that reading
        await settle(pilot, lambda: app.screen.profile.resident.risk_level == "high")
        # the change dated as the page's visits are, not 2026-11-24 (walk F, 10: four styles of date on one page)
        shown = static_text(app.screen.query_one("#risk", Static))
        assert "Nov 24, 2026" in shown and "fell at home" in shown and "2026-11-24" not in shown, shown

        await pilot.press("f")
        await on_screen(pilot, ReferralScreen)
        app.screen.query_one("#agency", Select).value = "clinic"
        app.screen.query_one("#reason", Input).focus()
        await pilot.press(*"hip check", "enter", "ctrl+s")  # Enter moves on to the deadline; Ctrl+S opens it
        await on_screen(pilot, ResidentScreen)
        await settle(pilot, lambda: [r.status for r in app.screen.profile.referrals] == ["open"])

        await pilot.press("c")  # follow up the highlighted referral: the status, what came of it, the next date
        await on_screen(pilot, FollowUpScreen)
        assert app.screen.query_one("#due_on", Input).value == (TODAY + dt.timedelta(days=7)).isoformat()
        app.screen.query_one("#status", Select).value = "in_progress"
        app.screen.query_one("#outcome", Input).focus()
        await pilot.press(*"booked", "enter")  # Enter moves on to the next date
        assert app.screen.focused is app.screen.query_one("#due_on", Input)
        app.screen.focused.value = ""
        await pilot.press(*"12-20", "ctrl+s")
        await on_screen(pilot, ResidentScreen)
        await settle(pilot, lambda: [(r.status, r.outcome, r.due_on) for r in app.screen.profile.referrals]
                     == [("in_progress", "booked", dt.date(2026, 12, 20))])

        await pilot.press("c")  # closing: no next date, and it asks first
        await on_screen(pilot, FollowUpScreen)
        assert app.screen.query_one("#due_on", Input).value == "2026-12-20"  # the date still ahead is kept
        app.screen.query_one("#status", Select).value = "closed"
        await settle(pilot)
        assert not app.screen.query_one("#next").display
        app.screen.query_one("#outcome", Input).focus()
        await pilot.press("ctrl+a", *"seen by doctor", "ctrl+s")
        await on_screen(pilot, ConfirmScreen)
        # Enter on the focused Cancel: back to the dialog as filled in (it used to close, the outcome lost, unsaid)
        await pilot.press("enter")
        await on_screen(pilot, FollowUpScreen)
        assert app.screen.query_one("#outcome", Input).value == "seen by doctor"
        assert app.screen.query_one("#status", Select).value == "closed"
        await pilot.press("ctrl+s")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await on_screen(pilot, ResidentScreen)
        await settle(pilot, lambda: [(r.status, r.outcome) for r in app.screen.profile.referrals]
                     == [("closed", "seen by doctor")])

        await pilot.press("x")
        await on_screen(pilot, ChooseScreen)
        app.screen.query_one("#choice", Select).value = "moved_away"
        app.screen.query_one("#reason", Input).value = "to her daughter's"
        await pilot.press("ctrl+s")
        await on_screen(pilot, ConfirmScreen)  # asks first
        await pilot.press("enter")  # Cancel: back to the dialog, the reason and remark kept
        await on_screen(pilot, ChooseScreen)
        assert (app.screen.query_one("#choice", Select).value, app.screen.query_one("#reason", Input).value) == (
            "moved_away", "to her daughter's")
        await pilot.press("ctrl+s")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await on_screen(pilot, ResidentScreen)
        # the page reads the case again after the write's worker has ended: wait for that reading, not for a lull
        await settle(pilot, lambda: app.screen.profile.resident.status == "closed")
    with db.session() as s:
        assert s.exec(select(Referral)).one().closed_on == TODAY


@run_async
async def test_the_table_loads_the_next_page_when_the_cursor_reaches_the_end(tmp_path):
    db = make_db(tmp_path / "w.db")
    for i in range(60):
        register_resident(db, {"name": f"周{chr(0x4e00 + i)}", "categories": ["solitary_elder"]}, today=TODAY)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 50  # one page, never the whole register
        assert "60 residents" in str(app.screen.query_one("#summary", Static).render())
        table.focus()
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.row_count == 60
        keys = [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(60)]
        assert len(set(keys)) == 60


@run_async
async def test_down_from_the_search_box_moves_into_the_results(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, ResidentsScreen)
        assert isinstance(app.focused, Input)
        table = app.screen.query_one(DataTable)
        await pilot.press(*"李")
        await settle(pilot, lambda: table.row_count == 1)  # the search starts after a pause in typing
        await pilot.press("down")
        assert app.focused is table and table.row_count == 1  # 李建国
        await pilot.press("enter")
        await on_screen(pilot, ResidentScreen)


@run_async
async def test_the_form_asks_about_contact_as_the_method_needs(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "李建国")


    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(rid))
        form = app.screen
        box = form.query_one("#contact_made", Checkbox)
        assert str(box.label) == "Resident seen in person" and box.display
        form.query_one("#method").value = "phone"
        await settle(pilot)
        assert str(box.label) == "Person reached (spoke with them)" and box.display
        box.value = False  # the call did not get through
        form.query_one("#method").value = "proxy"
        await settle(pilot)
        assert not box.display  # learnt through others: no question
        form.query_one("#method").value = "phone"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await on_screen(pilot, HomeScreen)  # saved
    with db.session() as s:
        v = s.exec(select(Visit)).one()
    assert (v.method, v.contact_made, v.resident_seen) == ("phone", False, False)

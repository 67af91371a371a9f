"""Issue #12 on the real app (Pilot): what a grid worker does, and what crashed or misfiled it before."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from textual import events
from textual.widgets import Input, Select, SelectionList

from storage.core.models import Referral, Resident, Visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import elder, make_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
ELDER_ID = "11010519491231002X"


async def home(pilot) -> None:
    await on_screen(pilot, "HomeScreen")


def burst(app, keys: list[str]) -> None:
    """Keys as a terminal hands them over when they were typed ahead: all posted before any is handled."""
    for key in keys:
        char = {"tab": "\t", "enter": "\r", "space": " ", "shift+tab": None}.get(key, key)
        app.post_message(events.Key(key, char))


def _worker_with_demo(tmp_path):
    from storage.demo.build import generate

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    generate(worker, seed=3, today=TODAY, residents=12)
    return t, worker


@run_async
async def test_register_an_elder_edit_a_demo_resident_export_merge(tmp_path):
    """The issue's walk: an elder with only name, ID and category; a demo resident's phone; both reach the township."""
    t, worker = _worker_with_demo(tmp_path)
    with worker.session() as s:
        demo = s.exec(select(Resident).where(Resident.father_status == "", Resident.status == "active")).first()
    app = make_app(worker.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await home(pilot)
        await pilot.press("n")
        await on_screen(pilot, "ResidentFormScreen")
        app.screen.query_one("#name", Input).focus()
        await pilot.press(*"测试老人", "tab", *ELDER_ID)
        form = app.screen
        assert (form.query_one("#name", Input).value, form.query_one("#id_number", Input).value) == ("测试老人", ELDER_ID)
        form.query_one("#categories", SelectionList).focus()
        await pilot.press("down", "down", "down", "space")  # the fourth category (the plans' order): elder living alone
        assert form.values()["father_status"] is None  # the form's "—"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ResidentScreen")
        await pilot.press("escape")
        await on_screen(pilot, "HomeScreen")

        app._open_resident(demo.id)
        await on_screen(pilot, "ResidentScreen")
        await pilot.press("e")
        await on_screen(pilot, "ResidentFormScreen")
        phone = app.screen.query_one("#phone", Input)
        phone.focus()
        phone.value = ""
        await pilot.press(*"13912345678", "ctrl+s")
        await on_screen(pilot, "ResidentScreen")
    with worker.session() as s:
        new = s.exec(select(Resident).where(Resident.name == "测试老人")).one()
        assert (new.categories, new.father_status, new.sex) == (["solitary_elder"], "", "F")
    report = merge_paths(t.db, [export_bundle(worker, tmp_path / "out").path])
    assert report.refused == []
    with t.db.session() as s:
        assert s.get(Resident, new.id).name == "测试老人"
        assert s.get(Resident, demo.id).phone == "13912345678"


@run_async
async def test_keys_typed_ahead_of_tab_go_to_the_next_field(tmp_path):
    """Before: the name became 测试老人11010519491231002X and the ID number stayed empty (Textual delivers a
    key to the widget focused when it is read, and Tab was acted on after the keys behind it)."""
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await home(pilot)
        await pilot.press("n")
        await on_screen(pilot, "ResidentFormScreen")
        app.screen.query_one("#name", Input).focus()
        burst(app, [*"测试老人", "tab", *ELDER_ID])
        await settle(pilot)
        form = app.screen
        assert form.query_one("#name", Input).value == "测试老人"
        assert form.query_one("#id_number", Input).value == ELDER_ID
        assert form.query_one("#birth_date", Input).value == "1949-12-31"  # the form read the whole number
        form.query_one("#phone", Input).focus()
        await settle(pilot)
        burst(app, [*"13800001234", "enter", *"东村1号", "shift+tab", "x"])  # Enter moves on, as on paper forms
        await settle(pilot)
        assert form.query_one("#phone", Input).value == "x"  # Shift+Tab went back (and selected the phone)
        assert form.query_one("#address", Input).value == "东村1号"


@run_async
async def test_enter_in_a_visit_moves_on_before_the_next_keys(tmp_path):
    from tests.register_helpers import make_register_db

    db = make_register_db(tmp_path / "w.db", visits=False)
    with db.session() as s:
        rid = s.exec(select(Resident.id).where(Resident.name == "王桂英")).one()
    from screens.visit_form import VisitFormScreen

    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await home(pilot)
        app.push_screen(VisitFormScreen(rid))
        await on_screen(pilot, "VisitFormScreen")
        await settle(pilot)
        assert app.screen.focused.id == "visit_date"  # the first field first (walk-D 3)
        app.screen.query_one("#met_with", Input).focus()
        burst(app, [*"neighbour", "enter", "space"])  # Enter moves to the contact question; space there unticks it
        await settle(pilot)
        assert app.screen.query_one("#met_with", Input).value == "neighbour"
        assert app.screen.values()["contact_made"] is False


@run_async
async def test_a_name_with_digits_is_asked_about(tmp_path):
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await home(pilot)
        await pilot.press("n")
        await on_screen(pilot, "ResidentFormScreen")
        form = app.screen
        form.query_one("#name", Input).value = "测试老人" + ELDER_ID
        form.query_one("#categories", SelectionList).select("solitary_elder")
        form.query_one("#birth_date", Input).value = "1949-12-31"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ConfirmScreen")
        assert "contains digits" in str(app.screen.query_one("#dialog-message").content)
        await pilot.press("n")
        await on_screen(pilot, "ResidentFormScreen")
        assert app.screen.focused.id == "name"
        with db.session() as s:
            assert s.exec(select(Resident)).all() == []
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await on_screen(pilot, "ResidentScreen")
    with db.session() as s:
        assert s.exec(select(Resident.name)).all() == ["测试老人" + ELDER_ID]


@run_async
async def test_an_error_quoting_sql_or_a_name_with_brackets_never_closes_the_app(tmp_path, monkeypatch):
    """Before: showing "[SQL: UPDATE resident SET ...]" raised MarkupError, which closed the app."""
    import screens.resident_form as form_module  # the form's own name for it: patched where it is used

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    r = elder(worker, "[/b]张[i]三")  # a name is data: it may hold anything a roster cell held
    worker.dispose()

    def failing_update(*args, **kwargs):
        raise RuntimeError("(sqlite3.IntegrityError) NOT NULL constraint failed: resident.father_status\n"
                           "[SQL: UPDATE resident SET phone=?, father_status=?, mother_status=? WHERE resident.id = ?]")

    monkeypatch.setattr(form_module, "update_resident", failing_update)
    app = make_app(worker.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await home(pilot)
        await pilot.press("r")
        await on_screen(pilot, "ResidentsScreen")
        app._open_resident(r.id)
        await on_screen(pilot, "ResidentScreen")
        assert app.screen.title == "[/b]张[i]三"
        await pilot.press("e")
        await on_screen(pilot, "ResidentFormScreen")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "ResidentFormScreen"  # still open, the edit still there
        shown = [n.message for n in app._notifications]
        assert any("[SQL: UPDATE resident" in m for m in shown), shown
        await pilot.press("f1")  # the help's title is the screen's: the name
        await on_screen(pilot, "HelpScreen")
    assert app.return_code in (None, 0)


@run_async
async def test_a_refused_referral_leaves_no_visit_behind(tmp_path):
    """Before: the visit was written, then the referral refused; saving again wrote a second visit."""
    from tests.register_helpers import make_register_db

    db = make_register_db(tmp_path / "w.db", visits=False)
    with db.session() as s:
        rid = s.exec(select(Resident.id).where(Resident.name == "王桂英")).one()
    from screens.visit_form import VisitFormScreen

    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await home(pilot)
        app.push_screen(VisitFormScreen(rid))
        await on_screen(pilot, "VisitFormScreen")
        form = app.screen
        form.query_one("#referral_agency", Select).value = "minzheng"
        form.query_one("#referral_reason", Input).value = "太长" * 501
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "VisitFormScreen"
        assert "at most 1000" in str(form.query_one("#err-referral_reason").render())
        with db.session() as s:
            assert s.exec(select(Visit)).all() == []
        form.query_one("#referral_reason", Input).value = "需要低保"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "HomeScreen")  # saved and closed: back where it was opened from
    with db.session() as s:
        visits = s.exec(select(Visit)).all()
        assert len(visits) == 1
        assert [f.visit_id for f in s.exec(select(Referral)).all()] == [visits[0].id]

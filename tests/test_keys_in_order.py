"""Keys typed ahead are acted on one after the other, where the person was when typing them (walk A, findings 1–3).

Textual hands a key to the widget focused when the app reads it, and runs a list's or a choice's own keys (Down,
Space, a grade's digit) only once the key has come back up to the app; a priority key (Tab, Shift+Tab, Enter that
moves on, Ctrl+S) is acted on as soon as it is read. Typed in one burst, `Down Space Tab` in a checklist moved the
focus first, and Down and Space then ticked an item of the *next* list; `3 Tab` on a grade left it ungraded; and
`n` then a name on Home opened the form with its name box empty (the letters came while the form was still loading).

The keys are posted all at once (`burst`), as a terminal hands over keys typed ahead: `pilot.press` waits for the
app to be idle after every key, so it never shows these races.
"""

from __future__ import annotations

import threading
import time

from sqlmodel import select
from textual.widgets import Input, Select, SelectionList

from storage.core.models import Assessment, Resident, Visit
from storage.register.assessments import DIMENSIONS
from tests.pilot_helpers import TIMEOUT, on_screen, run_async, settle, started
from tests.register_helpers import TODAY, make_register_db, resident_id
from tests.test_field_blockers_app import burst
from tui.app import make_app


def _visit_form(rid):
    from screens.visit_form import VisitFormScreen

    return lambda: VisitFormScreen(rid)


@run_async
async def test_down_space_tab_in_a_visit_checklist_ticks_the_item_it_was_on_and_nothing_in_the_next(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "王桂英")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, _visit_form(rid))
        form = app.screen
        hazards = form.query_one("#hazards", SelectionList)
        needs = form.query_one("#needs", SelectionList)
        services = form.query_one("#services", SelectionList)
        hazards.focus()
        await settle(pilot)
        first, second, third = (hazards.get_option_at_index(i).value for i in range(3))
        burst(app, ["space", "down", "space", "tab"])  # tick the first, tick the second, on to the needs
        await settle(pilot, lambda: form.focused is needs)
        burst(app, ["down", "down", "space", "tab", "space", "shift+tab", "shift+tab"])  # a need, a service, back
        await settle(pilot, lambda: form.focused is hazards)
        await settle(pilot)
        assert hazards.selected == [first, second]
        assert needs.selected == [needs.get_option_at_index(2).value]
        assert services.selected == [services.get_option_at_index(0).value]
        burst(app, ["down", "space"])  # back in the hazards, on from the one ticked last
        await settle(pilot, lambda: third in hazards.selected)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: type(app.screen).__name__ != "VisitFormScreen")
    with db.session() as s:
        visit = s.exec(select(Visit).where(Visit.resident_id == rid)).one()
    assert sorted(visit.hazards) == sorted([first, second, third])
    assert visit.needs == [needs.get_option_at_index(2).value]


@run_async
async def test_space_tab_on_a_tick_box_unticks_it_and_the_next_letters_go_to_the_next_box(tmp_path):
    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "王桂英")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, _visit_form(rid))
        form = app.screen
        form.query_one("#contact_made").focus()
        await settle(pilot)
        first_observation = form.query(".obs").first(Input)
        burst(app, ["space", "tab", *"ok"])  # "not met", then on to the first observation
        await settle(pilot, lambda: first_observation.value == "ok")
        await settle(pilot)
        assert form.values()["contact_made"] is False


@run_async
async def test_down_space_tab_in_the_categories_ticks_the_category_not_a_flag(tmp_path):
    from screens.resident_form import ResidentFormScreen
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentFormScreen())
        form = app.screen
        categories = form.query_one("#categories", SelectionList)
        flags = form.query_one("#flags", SelectionList)
        categories.focus()
        await settle(pilot)
        burst(app, ["down", "space", "tab"])
        await settle(pilot, lambda: form.focused is flags)
        await settle(pilot)
        assert categories.selected == [categories.get_option_at_index(1).value]
        assert flags.selected == []


@run_async
async def test_a_grade_typed_right_before_tab_is_kept(tmp_path):
    from screens.resident_form import ResidentFormScreen
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentFormScreen())
        form = app.screen
        form.query_one("#name", Input).value = "赵大爷"
        form.query_one("#birth_date", Input).value = "1944-02-02"
        form.query_one("#categories", SelectionList).select("solitary_elder")
        form.query_one("#risk_level", Select).focus()
        await pilot.press("tab", "enter")  # the folded section, opened
        await settle(pilot, lambda: not form.query_one("#assessment").collapsed)
        # grade, note, grade, note... as one burst, the way the tester typed it
        burst(app, ["tab", "1", "tab", *"remit", "tab", "0", "tab", "tab", "3", "tab", "tab", "4", "tab", "tab",
                    "2", "tab", "tab", "1", "tab", *"ok"])
        await settle(pilot, lambda: form.query_one("#assess_note_social", Input).value == "ok")
        await settle(pilot)
        from tui.assessment_section import AssessmentSection

        assert form.query_one(AssessmentSection).grades() == dict(zip(DIMENSIONS, ["mild", "none", "severe", "na",
                                                                                     "moderate", "mild"], strict=True))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, ResidentFormScreen))
    with db.session() as s:
        a = s.exec(select(Assessment)).one()
    assert [getattr(a, d) for d in DIMENSIONS] == ["mild", "none", "severe", "na", "moderate", "mild"]
    assert a.notes == {"economy": "remit", "social": "ok"}


def _slow(monkeypatch, module, name: str, seconds: float = 0.5) -> None:
    """`module.name` (read in a screen's loading worker) takes `seconds`, as on an old laptop."""
    real = getattr(module, name)

    def slow(*args, **kw):
        threading.Event().wait(seconds)
        return real(*args, **kw)

    monkeypatch.setattr(module, name, slow)


async def _until(pilot, holds) -> None:
    """Wait for `holds()` without waiting for the app's workers (a screen's loading) to be done."""
    deadline = time.monotonic() + TIMEOUT
    while not holds():
        assert time.monotonic() < deadline, f"{holds} never held"
        await pilot.pause(0.01)


@run_async
async def test_a_name_typed_right_after_n_on_home_lands_in_the_new_residents_name_box(tmp_path, monkeypatch):
    import screens.resident_form
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        _slow(monkeypatch, screens.resident_form.ResidentFormScreen, "load_draft")
        burst(app, ["n", *"abc"])
        await on_screen(pilot, "ResidentFormScreen")
        await settle(pilot, lambda: app.screen.focused is not None)
        assert app.screen.query_one("#name", Input).value == "abc"
        assert app.screen.focused.id == "name"


@run_async
async def test_keys_typed_while_the_new_residents_form_loads_wait_for_its_name_box(tmp_path, monkeypatch):
    """`n` acted on, the form up but still reading (a slow laptop): the name typed then, and the Tab to the ID."""
    import screens.resident_form
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        _slow(monkeypatch, screens.resident_form.ResidentFormScreen, "load_draft")
        burst(app, ["n"])
        await _until(pilot, lambda: type(app.screen).__name__ == "ResidentFormScreen")
        assert not app.screen.query("#name")  # still loading
        burst(app, [*"xyz", "tab", *"11010519491231002X"])
        await settle(pilot, lambda: app.screen.query("#name"))
        await settle(pilot)
        assert app.screen.query_one("#name", Input).value == "xyz"
        assert app.screen.query_one("#id_number", Input).value == "11010519491231002X"


@run_async
async def test_a_date_typed_right_after_n_on_a_resident_page_lands_in_the_visit_form(tmp_path, monkeypatch):
    import screens.visit_form
    from screens.resident import ResidentScreen

    db = make_register_db(tmp_path / "w.db", visits=False)
    rid = resident_id(db, "王桂英")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(rid))
        _slow(monkeypatch, screens.visit_form, "latest_grades")
        burst(app, ["n", *"11-10"])  # the form starts in its date (walk-D 3): a back-dated visit typed at once
        await on_screen(pilot, "VisitFormScreen")
        await settle(pilot, lambda: app.screen.focused is not None)
        await settle(pilot)
        assert app.screen.focused.id == "visit_date"
        assert app.screen.query_one("#visit_date", Input).value == "11-10"
        with db.session() as s:
            assert s.exec(select(Resident).where(Resident.id == rid)).one().name == "王桂英"

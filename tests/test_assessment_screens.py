"""The six-dimension assessment on screen (Pilot, 80×24): the visit form's section, the resident page's trend."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select
from textual.widgets import Input, Select, SelectionList

from storage.core.models import Assessment, Resident, Visit
from storage.register.assessments import DIMENSIONS, assess_resident
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.register_helpers import TODAY, make_register_db
from tui.app import make_app


def _resident(db, name):
    with db.session() as s:
        return s.exec(select(Resident).where(Resident.name == name)).one()


def _visit_form(resident_id):
    from screens.visit_form import VisitFormScreen

    return lambda: VisitFormScreen(resident_id)


@run_async
async def test_the_visit_form_takes_an_assessment_by_keyboard_alone(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    r = _resident(db, "王桂英")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, _visit_form(r.id))
        form = app.screen
        assert type(form).__name__ == "VisitFormScreen"
        form.query_one("#services", SelectionList).focus()
        await pilot.press("tab")  # the folded section is one stop after the services
        assert type(form.focused).__name__ == "CollapsibleTitle"
        assert form.query_one("#assessment").collapsed
        await pilot.press("enter")  # opens it
        await pilot.pause()
        await pilot.press("tab")
        assert form.focused.id == "assess_economy"
        # grade, note; grade, note; ... in the plans' order
        for dim, key in zip(DIMENSIONS, "0214" + "13", strict=True):
            assert form.focused.id == f"assess_{dim}"
            await pilot.press(key, "tab")
            assert form.focused.id == f"assess_note_{dim}"
            if dim == "health":
                await pilot.press(*"bp high")
            await pilot.press("tab")
        assert form.focused.id == "referral_agency"  # on to the rest of the form
        await pilot.press("ctrl+s")
        await on_screen(pilot, "HomeScreen")
        assert type(app.screen).__name__ == "HomeScreen"  # saved: the form is gone
    with db.session() as s:
        visit = s.exec(select(Visit).where(Visit.resident_id == r.id).order_by(Visit.visit_date.desc())).first()
        a = s.exec(select(Assessment)).one()
    assert a.visit_id == visit.id and a.assessed_on == TODAY
    assert [getattr(a, d) for d in DIMENSIONS] == ["none", "moderate", "mild", "na", "mild", "severe"]
    assert a.notes == {"health": "bp high"}


@run_async
async def test_a_half_done_assessment_is_explained_beside_the_dimension_and_nothing_is_saved(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    r = _resident(db, "王桂英")
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, _visit_form(r.id))
        form = app.screen
        form.query_one("#assessment").collapsed = False
        await pilot.pause()
        form.query_one("#assess_housing", Select).focus()
        await pilot.press("3")
        form.query_one("#assessment").collapsed = True  # folded again before saving
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert not form.query_one("#assessment").collapsed  # opened to show where
        message = str(form.query_one("#err-assess_economy").render())
        assert "Grade Economy too" in message and "Not applicable" in message
        assert str(form.query_one("#err-assess_housing").render()) == ""
        assert form.focused.id == "assess_economy"
        await pilot.press("f1")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        from textual.widgets import DataTable

        table = app.screen.query_one("#help-keys", DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("2", "Moderate") in rows and ("4", "Not applicable") in rows and ("0", "No difficulty") in rows
    with db.session() as s:
        assert s.exec(select(Assessment)).first() is None
        assert s.exec(select(Visit).where(Visit.resident_id == r.id, Visit.visit_date == TODAY)).first() is None


@run_async
async def test_the_resident_page_shows_the_latest_grades_with_a_trend_and_suggests_a_risk_review(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    r = _resident(db, "李建国")  # low risk
    base = {d: "none" for d in DIMENSIONS} | {"education": "na"}
    assess_resident(db, r.id, base, assessed_on=dt.date(2026, 3, 1), today=TODAY)
    assess_resident(db, r.id, base | {"economy": "mild"}, assessed_on=dt.date(2026, 6, 1), today=TODAY)
    assess_resident(db, r.id, base | {"economy": "severe", "health": "mild"}, {"economy": "lost his pension"},
                    assessed_on=dt.date(2026, 11, 1), today=TODAY)
    from screens.resident import ResidentScreen

    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(r.id))
        page = app.screen
        text = _rendered(page.query_one("#assessment"), 76)  # the page's width at 80 columns
        lines = text.splitlines()
        economy = next(line for line in lines if line.strip().startswith("Economy"))
        assert "Severe" in economy and "▁▃█" in economy and "lost his pension" in economy
        education = next(line for line in lines if line.strip().startswith("Education"))
        assert "Not applicable" in education
        assert "Consider reviewing the risk level" in text and "Economy: Mild to Severe" in text
        assert "Social participation No difficulty" in text  # nothing squeezed at 80 columns


def _rendered(widget, width: int) -> str:
    import os

    from rich.console import Console

    console = Console(width=width, record=True, file=open(os.devnull, "w", encoding="utf-8"))
    console.print(widget.content)
    return console.export_text()


@run_async
async def test_the_new_resident_form_takes_the_assessment_at_registration(tmp_path):
    from screens.resident_form import ResidentFormScreen
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="en", today=TODAY)
    told: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (told.append(str(message)), notify(message, **kw))[1]
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentFormScreen())
        form = app.screen
        form.query_one("#name", Input).value = "赵大爷"
        form.query_one("#birth_date", Input).value = "1944-02-02"
        form.query_one("#categories", SelectionList).select("solitary_elder")
        form.query_one("#risk_level", Select).focus()
        await pilot.press("tab")
        assert type(form.focused).__name__ == "CollapsibleTitle"  # after the risk, before the notes
        await pilot.press("enter")
        await pilot.pause()
        for key in "013423":
            await pilot.press("tab", key, "tab")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, ResidentFormScreen))
        # severe at the first assessment of a low-risk resident: the review is suggested after saving
        assert any("Consider reviewing the risk level" in m and "Education: Severe" in m for m in told)
    with db.session() as s:
        r = s.exec(select(Resident)).one()
        a = s.exec(select(Assessment)).one()
    assert (a.resident_id, a.visit_id, a.assessed_on) == (r.id, None, TODAY)
    assert [getattr(a, d) for d in DIMENSIONS] == ["none", "mild", "severe", "na", "moderate", "severe"]

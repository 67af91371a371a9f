"""The monthly report's follow-up sheets: the assessment per village, who worsened, emergencies with their
response times, overdue referrals — the figures worked out by hand from the story below (September 2026)."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date
from sqlmodel import select

from storage.core.changes import writer
from storage.core.i18n import _
from storage.register.assessments import DIMENSIONS, assess_resident
from storage.register.emergencies import acknowledge
from storage.register.referrals import open_referral
from storage.register.residents import register_resident
from storage.register.visits import log_visit
from storage.reports.files import save_report
from storage.reports.monthly import LISTS, monthly_report
from tests.foundation_helpers import make_db

D = dt.date
TODAY = D(2026, 10, 20)
T = "330521101"
V1, V2 = f"{T}001", f"{T}002"
NONE = {d: "none" for d in DIMENSIONS}


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    db = make_db(tmp_path_factory.mktemp("f") / "t.db", role="township")
    with db.write() as s:
        w = writer(s)
        w.write("village", V1, {"name": "柳溪村", "township_code": T})
        w.write("village", V2, {"name": "桃源村", "township_code": T})

    def person(name, village):
        return register_resident(db, {"name": name, "categories": ["solitary_elder"], "birth_date": D(1945, 1, 1),
                                      "registered_on": D(2026, 1, 5), "village_code": village,
                                      "grid_code": f"{T}-G01"}, today=D(2026, 1, 5)).id

    a, b, c, d = person("张一", V1), person("李二", V1), person("王三", V2), person("赵四", V2)
    assess_resident(db, a, NONE, assessed_on=D(2026, 8, 1), today=TODAY)
    # September: A worse on two dimensions (one to moderate, one to severe)
    assess_resident(db, a, NONE | {"economy": "moderate", "health": "severe"}, assessed_on=D(2026, 9, 10), today=TODAY)
    assess_resident(db, b, NONE | {"economy": "severe", "education": "na"}, assessed_on=D(2026, 9, 5), today=TODAY)
    assess_resident(db, d, NONE | {"housing": "severe"}, assessed_on=D(2026, 7, 1), today=TODAY)
    assess_resident(db, d, NONE | {"housing": "mild"}, assessed_on=D(2026, 9, 20), today=TODAY)  # better
    assess_resident(db, d, NONE | {"housing": "severe"}, assessed_on=D(2026, 10, 2), today=TODAY)  # after the month
    found = log_visit(db, a, {"visit_date": D(2026, 9, 10), "risk_after": "emergency"}, today=TODAY)
    log_visit(db, a, {"visit_date": D(2026, 9, 11), "risk_after": "high"}, today=TODAY)
    log_visit(db, c, {"visit_date": D(2026, 9, 15), "mandatory_report": True}, today=TODAY)
    log_visit(db, c, {"visit_date": D(2026, 8, 15), "mandatory_report": True}, today=TODAY)  # August's
    ack = acknowledge(db, "visit:" + found.id)
    open_referral(db, b, "police", "走失", opened_on=D(2026, 9, 3), level="county", department="县公安局",
                  due_on=D(2026, 9, 20))
    open_referral(db, c, "clinic", "体检", opened_on=D(2026, 9, 25))  # due a week later: 10-02, not overdue
    return db, {"A": a, "B": b, "C": c, "D": d}, monthly_report(db, 2026, 9, today=TODAY), ack


def test_assessment_per_village_counts_moderate_and_severe_of_the_latest_assessment(town):
    db, ids, report, _ack = town
    rows = {r.label: r for r in report.followup.assessment_rows}
    v1, v2, total = rows["柳溪村"], rows["桃源村"], report.followup.assessment_total
    assert (v1.key_persons, v1.assessed, v1.not_assessed) == (2, 2, 0)
    assert (v1.moderate["economy"], v1.severe["economy"], v1.severe["health"]) == (1, 1, 1)
    assert (v2.key_persons, v2.assessed, v2.not_assessed) == (2, 1, 1)
    assert (v2.severe["housing"], v2.moderate["housing"]) == (0, 0)  # mild on 09-20; October's severe is later
    assert total.severe == {"economy": 1, "health": 1, "education": 0, "housing": 0, "employment": 0, "social": 0}


def test_who_worsened_this_month(town):
    db, ids, report, _ack = town
    [line] = report.list_rows("worsened")
    assert line.name == "张一" and line.assessed_on == D(2026, 9, 10)
    assert [(c.dimension, c.before, c.after) for c in line.changes] == [("economy", "none", "moderate"),
                                                                         ("health", "none", "severe")]
    assert report.followup.worsened_residents == 1  # B's first assessment is no worsening; D got better


def test_emergencies_of_the_month_with_their_response(town):
    db, ids, report, ack = town
    lines = report.list_rows("emergencies")
    assert [(e.name, e.found_on) for e in lines] == [("张一", D(2026, 9, 10)), ("王三", D(2026, 9, 15))]
    first, second = lines
    assert first.emergency_level and not first.mandatory and first.acknowledged_by == ack.acknowledged_by
    assert first.hours_to_acknowledge is not None and first.hours_to_acknowledge >= 0
    assert (first.next_visit_on, first.days_to_next_visit) == (D(2026, 9, 11), 1)
    assert second.mandatory and second.acknowledged_at is None and second.next_visit_on is None


def test_overdue_referrals(town):
    db, ids, report, _ack = town
    [late] = report.list_rows("overdue_referrals")
    assert (late.name, late.level, late.department, late.due_on, late.days_overdue) == (
        "李二", "county", "县公安局", D(2026, 9, 20), 10)


def test_the_workbook_has_the_sheets_and_the_csv_their_files(town, tmp_path):
    from openpyxl import load_workbook

    db, ids, report, _ack = town
    path = tmp_path / "r.xlsx"
    save_report(db, report, path)
    wb = load_workbook(path)
    sheet = wb["Six-dimension assessment"]
    assert [c.value for c in sheet[3]][:6] == ["Village", "Key persons", "Assessed", "Not assessed", "Economy", None]
    assert [c.value for c in sheet[4]][4:6] == ["Moderate", "Severe"]
    assert [c.value for c in sheet[5]][:6] == ["柳溪村", 2, 2, 0, 1, 1]
    assert [c.value for c in sheet[7]][:4] == ["Total", 4, 3, 1]
    assert "worsened this month: 1" in sheet["A2"].value
    assert sheet["A2"].value.startswith(f"Latest assessment on or before {format_date(report.day, 'long', locale='en')};")
    emergencies = wb[_(LISTS["emergencies"])]
    header = [c.value for c in emergencies[1]]
    row = dict(zip(header, [c.value for c in emergencies[2]], strict=True))
    assert row["Name"] == "张一" and row["Days to the first visit"] == 1 and isinstance(row["Hours to acknowledgement"], int)
    assert dict(zip(header, [c.value for c in emergencies[3]], strict=True))["Acknowledged by the township"] == "not yet"
    written = save_report(db, report, tmp_path / "r.csv")
    assert tmp_path / "r-assessment.csv" in written and tmp_path / "r-emergencies.csv" in written
    text = (tmp_path / "r-worsened.csv").read_text(encoding="utf-8-sig")
    assert "张一" in text and "Economy: No difficulty to Moderate" in text


def test_home_lists_overdue_referrals_first_and_counts_them(tmp_path):
    from screens.home import list_rows
    from storage.register.home import home_data

    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "张一", "categories": ["solitary_elder"], "birth_date": D(1945, 1, 1),
                               "registered_on": D(2026, 1, 5)}, today=D(2026, 1, 5)).id
    on_time = open_referral(db, r, "clinic", "体检", opened_on=D(2026, 10, 1), due_on=D(2026, 10, 30))
    late = open_referral(db, r, "police", "走失", opened_on=D(2026, 10, 5), level="township", department="派出所")
    assert late.due_on == D(2026, 10, 12)  # a week, when none is given
    data = home_data(db, TODAY)
    assert [f.id for f in data.referrals] == [late.id, on_time.id] and data.counts["referrals_overdue"] == 1
    cells = list_rows("referrals", data)[0][2]
    assert "8 days late" in str(cells[3])
    from storage.core.errors import ValidationError

    with pytest.raises(ValidationError, match="after the referral"):
        open_referral(db, r, "police", "x", opened_on=D(2026, 10, 5), due_on=D(2026, 10, 1))
    with pytest.raises(ValidationError):
        open_referral(db, r, "police", "x", level="province")


def test_the_resident_page_opens_a_referral_with_its_level_department_and_deadline(tmp_path):
    from textual.widgets import Input, Select

    from screens.resident import ResidentScreen
    from storage.core.models import Referral
    from tests.pilot_helpers import on_screen, run_async, settle, started
    from tui.app import make_app

    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "张一", "categories": ["solitary_elder"], "birth_date": D(1945, 1, 1),
                               "registered_on": D(2026, 1, 5)}, today=D(2026, 1, 5)).id
    db.dispose()

    @run_async
    async def walk():
        app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, lambda: ResidentScreen(r))
            await pilot.press("f")
            await on_screen(pilot, "ReferralScreen")
            dialog = app.screen
            dialog.query_one("#agency", Select).value = "police"
            dialog.query_one("#level", Select).value = "county"
            dialog.query_one("#department", Input).value = "县公安局"
            dialog.query_one("#reason", Input).value = "走失"
            assert dialog.query_one("#due_on", Input).value == "2026-10-27"  # a week, proposed
            dialog.query_one("#due_on", Input).value = "2026-10-01"  # before the referral is opened
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog and "after the referral" in str(dialog.query_one("#err-due_on").render())
            dialog.query_one("#due_on", Input).value = "2026-10-22"
            await pilot.press("ctrl+s")
            await on_screen(pilot, "ResidentScreen")
            assert type(app.screen).__name__ == "ResidentScreen"

    walk()
    from storage.core.db import open_database

    with open_database(tmp_path / "w.db").session() as s:
        [f] = s.exec(select(Referral)).all()
    assert (f.agency, f.level, f.department, f.reason, f.opened_on, f.due_on) == (
        "police", "county", "县公安局", "走失", TODAY, D(2026, 10, 22))


def test_the_visit_form_refers_with_level_department_and_deadline(tmp_path):
    from textual.widgets import Input, Select

    from screens.visit_form import VisitFormScreen
    from storage.core.db import open_database
    from storage.core.models import Referral, Visit
    from tests.pilot_helpers import on_screen, run_async, settle, started
    from tui.app import make_app

    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "张一", "categories": ["solitary_elder"], "birth_date": D(1945, 1, 1),
                               "registered_on": D(2026, 1, 5)}, today=D(2026, 1, 5)).id
    db.dispose()

    @run_async
    async def walk():
        app = make_app(tmp_path / "w.db", lang="en", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, lambda: VisitFormScreen(r))
            form = app.screen
            form.query_one("#referral_agency", Select).value = "disabled_fed"
            form.query_one("#referral_reason", Input).value = "申请轮椅"
            form.query_one("#referral_level", Select).value = "county"
            form.query_one("#referral_department", Input).value = "县残联"
            form.query_one("#referral_due", Input).value = "2026-10-01"  # before the visit
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and "after the referral" in str(form.query_one("#err-referral_due").render())
            form.query_one("#referral_due", Input).value = ""  # a week, then
            await pilot.press("ctrl+s")
            await on_screen(pilot, "HomeScreen")
            assert type(app.screen).__name__ == "HomeScreen"

    walk()
    with open_database(tmp_path / "w.db").session() as s:
        [f] = s.exec(select(Referral)).all()
        [v] = s.exec(select(Visit)).all()
    assert (f.agency, f.level, f.department, f.visit_id, f.opened_on, f.due_on) == (
        "disabled_fed", "county", "县残联", v.id, TODAY, TODAY + dt.timedelta(days=7))

"""The registration date (登记日期, walk D finding 1): a worker who starts in December registers people cared
for long before, logs November's visits, and the November report counts them."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlmodel import select
from textual.widgets import Input, Label, SelectionList

from screens.resident import ResidentScreen
from screens.resident_form import ResidentFormScreen
from screens.residents import ResidentsScreen
from screens.visit_form import VisitFormScreen
from storage.core.errors import ValidationErrors
from storage.core.models import Resident
from storage.register.idnumbers import fake_id_number
from storage.register.residents import get_resident, register_resident, update_resident
from storage.register.visits import log_visit
from storage.reports.monthly import monthly_report
from storage.roster.importer import import_roster
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.roster_helpers import HEADER, good_rows, residents, write_csv
from tui.app import make_app

DECEMBER = dt.date(2026, 12, 2)  # the worker's first day with gridcare
CHILD = {"name": "李小花", "categories": ["left_behind_child"], "birth_date": "2016-05-01", "sex": "F"}


def november(db):
    return monthly_report(db, 2026, 11, today=DECEMBER).totals


async def _type_into(pilot, widget_id: str, text: str) -> None:
    box = pilot.app.screen.query_one(f"#{widget_id}", Input)
    box.focus()
    box.value = ""
    await pilot.press(*text)
    await pilot.pause()


@run_async
async def test_registered_on_screen_with_a_past_date_the_november_visit_counts(tmp_path):
    """Before: the form had no registration date; the resident was registered on 2 December and the November
    report showed 0 key persons while the visit was logged on 20 November."""
    db = make_db(tmp_path / "w.db")
    number = fake_id_number(random.Random(3), dt.date(2016, 5, 1), "F", "330521")
    app = make_app(db.path, lang="en", today=DECEMBER)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("r")
        await on_screen(pilot, ResidentsScreen)
        await pilot.press("escape", "n")
        await on_screen(pilot, ResidentFormScreen)
        assert app.screen.query_one("#registered_on", Input).value == "2026-12-02"  # today, for a new resident
        await _type_into(pilot, "name", "李小花")
        await _type_into(pilot, "id_number", number)
        await _type_into(pilot, "registered_on", "2026-10-15")
        assert "15" in str(app.screen.query_one("#understood-registered_on", Label).render())
        app.screen.query_one("#categories", SelectionList).focus()
        await pilot.press("space")  # left-behind child
        await pilot.press("ctrl+s")
        await on_screen(pilot, ResidentScreen)
        with db.session() as s:
            r = s.exec(select(Resident)).one()
        assert r.registered_on == dt.date(2026, 10, 15)

        await pilot.press("n")
        await on_screen(pilot, VisitFormScreen)
        await _type_into(pilot, "visit_date", "11-20")
        assert app.screen.query_one("#registration-note", Label).has_class("-empty")  # after the registration
        await pilot.press("ctrl+s")
        await on_screen(pilot, ResidentScreen)

        # editing the resident shows the date, and it can be corrected there
        app.push_screen(ResidentFormScreen(r.id))
        await settle(pilot)
        assert app.screen.query_one("#registered_on", Input).value == "2026-10-15"
        await _type_into(pilot, "registered_on", "2026-09-01")
        await pilot.press("ctrl+s")
        await on_screen(pilot, ResidentScreen)
    assert get_resident(db, r.id).registered_on == dt.date(2026, 9, 1)
    totals = november(db)
    assert (totals.key_persons, totals.visited) == (1, 1)
    assert sum(w.visits for w in monthly_report(db, 2026, 11, today=DECEMBER).workers) == 1


def test_the_registration_date_is_checked_as_every_date(tmp_path):
    db = make_db(tmp_path / "w.db")

    def refused(**fields) -> str:
        with pytest.raises(ValidationErrors) as caught:
            register_resident(db, {**CHILD, **fields}, today=DECEMBER)
        return caught.value.by_field()["registered_on"]

    assert "future" in refused(registered_on="2026-12-05")
    assert "before the birth date" in refused(registered_on="2015-01-01")
    assert "1800" in refused(registered_on="1800-01-01")
    assert "1920" in refused(registered_on="1920-01-01")
    assert "Not a date" in refused(registered_on="last spring")
    r = register_resident(db, {**CHILD, "registered_on": "2026年11月3日"}, today=DECEMBER)
    assert r.registered_on == dt.date(2026, 11, 3)
    assert register_resident(db, {**CHILD, "name": "李小草"}, today=DECEMBER).registered_on == DECEMBER
    with pytest.raises(ValidationErrors) as caught:
        update_resident(db, r.id, {"registered_on": ""}, today=DECEMBER)  # an edit keeps a date
    assert "registered_on" in caught.value.by_field()
    assert update_resident(db, r.id, {"registered_on": "10-1"}, today=DECEMBER).registered_on == dt.date(2026, 10, 1)


def test_a_visit_before_the_registration_date_moves_it_back(tmp_path):
    """Before: the visit of 20 November was saved, the registration stayed 2 December, November counted nobody."""
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, dict(CHILD), today=DECEMBER)
    assert november(db).key_persons == 0
    log_visit(db, r.id, {"visit_date": "2026-11-20"}, today=DECEMBER)
    assert get_resident(db, r.id).registered_on == dt.date(2026, 11, 20)
    totals = november(db)
    assert (totals.key_persons, totals.visited) == (1, 1)
    # a visit before the birth date is a mistyped date: it moves nothing
    baby = register_resident(db, {**CHILD, "name": "李小宝", "birth_date": "2026-06-01"}, today=DECEMBER)
    log_visit(db, baby.id, {"visit_date": "2026-05-01"}, today=DECEMBER)
    assert get_resident(db, baby.id).registered_on == DECEMBER


@run_async
async def test_the_visit_form_says_it_before_saving_and_after(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, dict(CHILD), today=DECEMBER)
    app = make_app(db.path, lang="en", today=DECEMBER)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(r.id))
        note = app.screen.query_one("#registration-note", Label)
        assert note.has_class("-empty")
        await _type_into(pilot, "visit_date", "11-20")
        text = str(note.render())
        assert not note.has_class("-empty")
        assert "Before the registration date (Dec 2, 2026)." in text and "back to Nov 20, 2026" in text, text
        await _type_into(pilot, "visit_date", "12-2")
        assert note.has_class("-empty")
        await _type_into(pilot, "visit_date", "11-20")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, VisitFormScreen))
        said = [n.message for n in app._notifications]
        assert any("registration date is now Nov 20, 2026" in m for m in said), said
    assert get_resident(db, r.id).registered_on == dt.date(2026, 11, 20)


def test_a_roster_with_a_registration_date_column(tmp_path):
    """Before: 纳入日期 was not recognised (read into the notes); every resident was registered the day of the import."""
    db = make_db(tmp_path / "w.db")
    rows = good_rows()
    dates = ["2025-06-01", "2024.03", ""]  # a day, a month (its first day), none (the day of the import)
    path = write_csv(tmp_path / "r.csv", [[*row, when] for row, when in zip(rows, dates, strict=True)],
                     header=[*HEADER, "纳入日期"])
    report = import_roster(db, path, today=DECEMBER)
    assert not [p for row in report.rows for p in row.problems], report.rows
    got = {name: r.registered_on for name, r in residents(db).items()}
    assert got == {"张小明": dt.date(2025, 6, 1), "王桂英": dt.date(2024, 3, 1), "陈志强": DECEMBER}
    assert all("纳入日期" not in r.notes for r in residents(db).values())
    # imported again with an earlier date: the resident's date moves, and the row says which column changed it
    again = write_csv(tmp_path / "again.csv", [[*rows[2], "2023-05-06"]], header=[*HEADER, "建档日期"])
    report = import_roster(db, again, today=DECEMBER)
    assert residents(db)["陈志强"].registered_on == dt.date(2023, 5, 6)
    assert "建档日期" in report.rows[0].changed
    # a date in the future or before the birth date is a problem on its row, nothing is imported
    bad = write_csv(tmp_path / "bad.csv", [[*rows[0], "2027-01-01"]], header=[*HEADER, "登记日期"])
    report = import_roster(db, bad, today=DECEMBER)
    assert any("future" in p.message for row in report.rows for p in row.problems)
    assert residents(db)["张小明"].registered_on == dt.date(2025, 6, 1)


def test_a_bundle_with_an_absurd_registration_date_is_refused(tmp_path, capsys):
    """Before: 1900-06-01 merged, and the resident counted in every month's report since 1900."""
    from tests.sync_helpers import elder, make_township
    from tests.test_export_merge import _device, _signed_by_worker
    from tests.test_hostile_values import ELDER, _event
    from tui.cli import main

    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    elder(a, "张三")
    from storage.sync.export import export_bundle

    good = export_bundle(a, tmp_path / "a").path
    device = _device(b)
    attacks = {"1800-01-01": "out of range in Registered on", "1900-06-01": "out of range in Registered on",
               "2150-01-01": "out of range in Registered on", "yesterday": "wrong type in Registered on",
               20261101: "wrong type in Registered on"}
    paths = []
    for n, value in enumerate(attacks, start=1):
        ev = _event(device, 1000 + n, "resident", {**ELDER, "registered_on": value})
        paths.append(_signed_by_worker(t, b, "李强", [ev], tmp_path / f"bad-{n}.gcb"))
    assert main(["--db", str(t.db.path), "--lang", "en", "merge", *map(str, paths), str(good)]) == 1
    out = capsys.readouterr().out
    for path, (value, words) in zip(paths, attacks.items(), strict=True):
        line = next((x for x in out.splitlines() if path.name in x), "")
        assert "REFUSED" in line and words in line, (value, line)
    with t.db.session() as s:
        assert s.exec(select(Resident.name)).all() == ["张三"]

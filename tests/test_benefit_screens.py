"""Recording a benefit and naming a paired helper from the resident's page, by keyboard (Pilot, the real app)."""

from __future__ import annotations

import datetime as dt
import os

from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from storage.core.i18n import set_language
from storage.core.models import Benefit, Resident
from storage.register.residents import register_resident
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
CARD_ID = "11010519491231002X"


def text_of(widget: Static) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=open(os.devnull, "w", encoding="utf-8"))
    console.print(widget.content)
    return console.export_text()


def _db(tmp_path):
    db = make_db(tmp_path / "w.db")
    r = register_resident(db, {"name": "赵淑珍", "id_number": CARD_ID, "disability_card": CARD_ID + "41",
                               "categories": ["severely_disabled", "widowed_childless_elder"]}, today=TODAY)
    return db, r.id


async def _open_resident(pilot, rid):
    from screens.resident import ResidentScreen

    await on_screen(pilot, "HomeScreen")
    pilot.app.push_screen(ResidentScreen(rid))
    await settle(pilot)


@run_async
async def test_record_a_subsidy_then_end_it_from_the_resident_page(tmp_path):
    db, rid = _db(tmp_path)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_resident(pilot, rid)
        page = text_of(app.screen.query_one("#benefits", Static))
        assert "Eligible, not recorded as receiving: Care subsidy for severely disabled people" in page
        assert "Paired helper: none yet" in page  # a widowed/childless elder should have one
        await pilot.press("b")
        await on_screen(pilot, "BenefitsScreen")
        assert type(app.screen).__name__ == "BenefitsScreen"
        hints = text_of(app.screen.query_one("#hints", Static))
        assert "Care subsidy for severely disabled people (disability of grade 1 or 2)" in hints
        await pilot.press("a")  # record: the form opens on the unclaimed subsidy, its start focused
        await settle(pilot)
        form = app.screen
        assert type(form).__name__ == "BenefitFormScreen"
        assert form.query_one("#kind", Select).value == "care_subsidy"
        start = form.query_one("#start_on", Input)
        assert start.has_focus
        start.value = ""
        await pilot.press(*"2025-06-01")
        await pilot.press("ctrl+s")
        await on_screen(pilot, "BenefitsScreen")
        assert type(app.screen).__name__ == "BenefitsScreen"
        table = app.screen.query_one("#benefits", DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)[1:3]] == ["2025-06-01", ""]  # as the page's other date columns
        assert "No subsidy is due" not in text_of(app.screen.query_one("#hints", Static))
        assert "Eligible and receiving" in text_of(app.screen.query_one("#hints", Static))
        await pilot.press("x")  # end the selected one
        await on_screen(pilot, "BenefitFormScreen")
        assert type(app.screen).__name__ == "BenefitFormScreen"
        end = app.screen.query_one("#end_on", Input)
        end.value = ""
        await pilot.press(*"2026-10-31", "enter")
        await on_screen(pilot, "BenefitsScreen")
        assert type(app.screen).__name__ == "BenefitsScreen"
        assert "Eligible, not recorded as receiving" in text_of(app.screen.query_one("#hints", Static))
        await pilot.press("escape")
        await on_screen(pilot, "ResidentScreen")
        assert type(app.screen).__name__ == "ResidentScreen"
    with db.session() as s:
        [b] = s.exec(select(Benefit)).all()
    assert (b.resident_id, b.kind, b.start_on, b.end_on) == (rid, "care_subsidy", dt.date(2025, 6, 1), dt.date(2026, 10, 31))


@run_async
async def test_a_wrong_date_is_shown_beside_its_field_and_nothing_is_saved(tmp_path):
    db, rid = _db(tmp_path)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_resident(pilot, rid)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        form.query_one("#end_on", Input).value = "2020-01-01"  # before the start (today)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "before the start" in str(form.query_one("#err-end_on").render())
        await pilot.press("escape")
        await settle(pilot)
    with db.session() as s:
        assert s.exec(select(Benefit)).all() == []


@run_async
async def test_f1_on_the_benefits_screen_names_its_keys(tmp_path):
    db, rid = _db(tmp_path)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_resident(pilot, rid)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("f1")
        await on_screen(pilot, "HelpScreen")
        assert type(app.screen).__name__ == "HelpScreen"
        rows = [(str(app.screen.query_one(DataTable).get_row_at(i)[0]), str(app.screen.query_one(DataTable).get_row_at(i)[1]))
                for i in range(app.screen.query_one(DataTable).row_count)]
        keys = dict((what, key) for key, what in rows)
        assert keys["Record"] == "a" and keys["End"] == "x" and keys["Delete"] == "d" and keys["Back"] == "esc"


@run_async
async def test_name_a_paired_helper_from_the_resident_page(tmp_path):
    db, rid = _db(tmp_path)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_resident(pilot, rid)
        await pilot.press("p")
        await on_screen(pilot, "PairedHelperScreen")
        assert type(app.screen).__name__ == "PairedHelperScreen"
        await pilot.press(*"李梅", "enter", *"13800002222", "enter", *"村委会", "enter")
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ResidentScreen")
        assert type(app.screen).__name__ == "ResidentScreen"
        assert "李梅 村委会 13800002222 since Nov 24, 2026" in text_of(app.screen.query_one("#benefits", Static))
    with db.session() as s:
        r = s.get(Resident, rid)
    assert (r.helper_name, r.helper_phone, r.helper_unit, r.helper_since) == ("李梅", "13800002222", "村委会", TODAY)


@run_async
async def test_a_start_given_as_a_year_and_month_is_saved_as_its_first_day_and_said_so(tmp_path):
    # the walk typed "2019-05" from a 两项补贴 certificate and was refused
    set_language("zh_CN")
    db, rid = _db(tmp_path)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_resident(pilot, rid)
        await pilot.press("b")
        await on_screen(pilot, "BenefitsScreen")
        await pilot.press("a")
        await on_screen(pilot, "BenefitFormScreen")
        form = app.screen
        form.query_one("#start_on", Input).value = ""
        await pilot.press(*"2019年5月")
        await settle(pilot)
        understood = str(form.query_one("#understood-start_on").render())
        assert understood.startswith("= 2019年5月1日星期三"), understood
        assert understood.endswith("（按当月1日记）"), understood
        await pilot.press("ctrl+s")
        await on_screen(pilot, "BenefitsScreen")
        table = app.screen.query_one("#benefits", DataTable)
        assert "2019-05-01" in [str(cell) for cell in table.get_row_at(0)]
    with db.session() as s:
        assert [b.start_on for b in s.exec(select(Benefit)).all()] == [dt.date(2019, 5, 1)]


@run_async
async def test_an_error_longer_than_the_dialog_wraps_whole_at_80x24(tmp_path):
    """A wrong phone in the paired helper's dialog: its rule (52 columns in Chinese, the dialog has 56) was
    cut at the dialog's edge, "…或带区号的固" and no more; an error line now wraps within the dialog."""
    from rich.cells import cell_len
    from textual.widgets import Label

    set_language("zh_CN")
    db, rid = _db(tmp_path)
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_resident(pilot, rid)
        await pilot.press("p")
        await on_screen(pilot, "PairedHelperScreen")
        await pilot.press(*"李梅", "enter", *"12345", "ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#err-helper_phone", Label)
        message = str(error.content)
        assert "0xxx-xxxxxxx" in message  # the whole rule, to its end
        dialog = app.screen.query_one("#dialog")
        assert error.region.right <= dialog.content_region.right
        assert error.size.width * error.size.height >= cell_len(message)  # room for all of it on screen
        assert error.size.height >= 2

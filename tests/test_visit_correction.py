"""A visit saved with a wrong date or field is corrected or deleted (walk-D finding 3): from the resident page's v,
from `gridcare visit`, only in the worker's own grid, and the change travels to the township's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input

from storage.core.errors import UserError
from storage.core.models import Visit
from storage.register.visits import correct_visit, delete_visit, log_visit
from storage.reports.monthly import monthly_report
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import correction_opened, on_screen, run_async, settle, visits_listed
from tests.register_helpers import TODAY, make_register_db, resident_id
from tests.sync_helpers import elder, make_township
from tui.app import make_app


def _visited(db, month: int) -> int:
    return monthly_report(db, 2026, month, today=TODAY).totals.visited


def _visit(db, vid: str) -> Visit:
    with db.session() as s:
        v = s.get(Visit, vid)
        assert v is not None
        return v


@run_async
async def test_the_resident_page_corrects_a_visits_date_and_the_months_figures_follow(tmp_path):
    from screens.resident import ResidentScreen

    db = make_register_db(tmp_path / "w.db")  # 张小明 visited 2026-11-14
    rid = resident_id(db, "张小明")
    nov, octo = _visited(db, 11), _visited(db, 10)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await correction_opened(pilot, rid)
        await settle(pilot, lambda: app.screen.query_one("#visit_date", Input).value == "2026-11-14")
        assert app.screen.focused.id == "visit_date"  # the date first; typing replaces it
        assert app.screen.query_one("#met_with", Input).value == "本人"
        await pilot.press(*"2026-10-20", "ctrl+s")
        await on_screen(pilot, ResidentScreen)
    with db.session() as s:
        from sqlmodel import select
        visits = s.exec(select(Visit).where(Visit.resident_id == rid)).all()
    assert [(v.visit_date, v.met_with) for v in visits] == [(dt.date(2026, 10, 20), "本人")]  # corrected, not added
    assert (_visited(db, 11), _visited(db, 10)) == (nov - 1, octo + 1)


@run_async
async def test_the_resident_page_deletes_a_visit_only_once_confirmed(tmp_path):
    from screens.resident import ResidentScreen

    db = make_register_db(tmp_path / "w.db")
    rid = resident_id(db, "张小明")
    nov = _visited(db, 11)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await visits_listed(pilot, rid)
        await pilot.press("d")
        await on_screen(pilot, "DeleteVisitScreen")
        await pilot.press("escape")  # Cancel: the visit stays, the list is still there
        await on_screen(pilot, "VisitPickScreen")
        assert _visited(db, 11) == nov
        await pilot.press("d")
        await on_screen(pilot, "DeleteVisitScreen")
        await pilot.press("enter", "enter")  # from the (optional) reason to 删除, then 删除
        await on_screen(pilot, ResidentScreen)
        await settle(pilot, lambda: app.screen.profile is not None and not app.screen.profile.visits)
    assert _visited(db, 11) == nov - 1


def test_a_worker_changes_only_their_own_grids_visits_and_the_merge_refuses_the_others(tmp_path, monkeypatch):
    from storage.core import changes
    from storage.core.changes import writer

    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    r = elder(a, "张三")
    v = log_visit(a, r.id, {"visit_date": dt.date(2026, 11, 20), "met_with": "本人"}, today=TODAY)
    merge_paths(t.db, [export_bundle(a, tmp_path / "a1.gcb").path])
    # 李强's laptop never receives G01's records; written there by hand, storage refuses to change them all the same
    # (the writer itself refuses a record of another grid's resident now: the older gridcare did not)
    with b.write() as s:
        w = writer(s)
        w.write("resident", r.id, {"name": "张三", "grid_code": "330521101-G01", "categories": ["solitary_elder"]})
        with pytest.raises(UserError, match="grid G01"):
            w.write("visit", v.id, {"resident_id": r.id, "grid_code": "330521101-G01",
                                    "visit_date": dt.date(2026, 11, 20), "method": "home", "visitor": "王芳"})
    monkeypatch.setattr(changes, "_own_grid", lambda *args: None)  # the older gridcare, from here on
    with b.write() as s:
        w = writer(s)
        w.write("visit", v.id, {"resident_id": r.id, "grid_code": "330521101-G01", "visit_date": dt.date(2026, 11, 20),
                                "method": "home", "visitor": "王芳"})
    with pytest.raises(UserError, match="own grid"):
        correct_visit(b, v.id, {"visit_date": dt.date(2026, 11, 2)}, today=TODAY)
    with pytest.raises(UserError, match="own grid"):
        delete_visit(b, v.id)
    # and had it been written (an older gridcare), the township's merge refuses the bundle: G01's visit stays
    with b.write() as s:
        writer(s).write("visit", v.id, {"visit_date": dt.date(2026, 11, 2)})
    report = merge_paths(t.db, [export_bundle(b, tmp_path / "b1.gcb").path])
    assert report.bundles[0].status == "refused"
    assert _visit(t.db, v.id).visit_date == dt.date(2026, 11, 20)


def test_a_correction_and_a_deletion_travel_in_the_workers_bundle_and_the_townships_figures_follow(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r1, r2 = elder(a, "张三"), elder(a, "李四")
    v1 = log_visit(a, r1.id, {"met_with": "本人"}, today=dt.date(2026, 12, 2))  # the false visit, dated "today"
    v2 = log_visit(a, r2.id, {"met_with": "本人"}, today=dt.date(2026, 12, 2))  # logged on the wrong person
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    day = dt.date(2026, 12, 2)
    assert monthly_report(t.db, 2026, 12, today=day).totals.visited == 2
    correct_visit(a, v1.id, {"visit_date": dt.date(2026, 11, 10)}, today=day)
    delete_visit(a, v2.id)
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    assert report.bundles[0].status == "new"
    assert _visit(t.db, v1.id).visit_date == dt.date(2026, 11, 10) and _visit(t.db, v2.id).deleted
    assert monthly_report(t.db, 2026, 12, today=day).totals.visited == 0


def test_gridcare_visit_lists_corrects_and_deletes(tmp_path, capsys):
    from tui.cli import main

    db = make_register_db(tmp_path / "w.db")
    rid = resident_id(db, "张小明")
    with db.session() as s:
        from sqlmodel import select
        vid = s.exec(select(Visit.id).where(Visit.resident_id == rid)).one()
    base = ["--lang", "en", "--db", str(db.path), "visit"]
    assert main([*base, "list", rid]) == 0
    assert vid in capsys.readouterr().out
    assert main([*base, "correct", vid, "--date", "2026-11-02", "--method", "phone"]) == 0
    v = _visit(db, vid)
    assert (v.visit_date, v.method) == (dt.date(2026, 11, 2), "phone")
    assert main([*base, "correct", vid, "--date", "2099-01-01"]) == 1  # refused as a new visit's date would be
    assert main([*base, "delete", vid]) == 0
    assert _visit(db, vid).deleted
    assert main([*base, "delete", vid]) == 1


def test_a_visit_corrected_to_before_the_registration_moves_it_back_as_a_visit_logged_then_would(tmp_path):
    """The visit logged as today was November's: corrected to 10 November, it counted in no month (the resident was
    registered on the 24th), where the same visit logged with its right date moves the registration back."""
    from storage.register.residents import get_resident

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")  # registered 2026-11-24
    day = dt.date(2026, 12, 2)
    v = log_visit(a, r.id, {"met_with": "本人"}, today=day)
    correct_visit(a, v.id, {"visit_date": dt.date(2026, 11, 10)}, today=day)
    assert get_resident(a, r.id).registered_on == dt.date(2026, 11, 10)
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    assert monthly_report(t.db, 2026, 11, today=day).totals.visited == 1


@run_async
async def test_a_visit_a_bundle_brought_without_a_date_is_given_one_on_the_page(tmp_path):
    """A visit without a date (a bundle may carry one: tests/test_value_laws.py): its resident's page raised
    TypeError, and its correction form AttributeError in its load. Now the page opens, the form opens with the date
    box empty, and the date typed is saved."""
    from sqlalchemy import text

    from screens.resident import ResidentScreen

    db = make_register_db(tmp_path / "w.db")  # 张小明 visited 2026-11-14
    rid = resident_id(db, "张小明")
    with db.engine.begin() as conn:  # the state such a bundle's fold leaves
        conn.execute(text("UPDATE visit SET visit_date = NULL WHERE resident_id = :r"), {"r": rid})
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await correction_opened(pilot, rid)
        assert app.screen.query_one("#visit_date", Input).value == ""
        assert app.screen.query_one("#met_with", Input).value == "本人"
        await pilot.press(*"2026-11-15", "ctrl+s")
        await on_screen(pilot, ResidentScreen)
    with db.session() as s:
        from sqlmodel import select
        visits = s.exec(select(Visit).where(Visit.resident_id == rid)).all()
    assert [(v.visit_date, v.met_with) for v in visits] == [(dt.date(2026, 11, 15), "本人")]


@run_async
async def test_the_delete_question_puts_the_visit_on_a_line_of_its_own(tmp_path):
    """At 80×24 in Chinese the question read "删除探访记录 …电话探访  王芳 / 本人？删除后…": a question about 王芳本人."""
    from tests.test_drop_down_drawn import drawn_lines

    db = make_register_db(tmp_path / "w.db")
    rid = resident_id(db, "张小明")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await visits_listed(pilot, rid)
        await pilot.press("d")
        await on_screen(pilot, "DeleteVisitScreen")
        await settle(pilot)
        lines = [line.split("█")[-2 if line.count("█") > 1 else -1].strip() for line in drawn_lines(app)]  # the dialog's
        at = lines.index("删除这次探访？")
        assert "入户探访" in lines[at + 1] and "？" not in lines[at + 1], lines
        assert lines[at + 2].startswith("删除后"), lines

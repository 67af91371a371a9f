"""A visit deleted takes the referral (转介) and the assessment recorded with it, in one transaction, and says why
(the reason is each deletion's own field, carried to the township); a referral that has moved on since stays.

Before, the visit alone went: its referral stayed open in the reports' 转介未办结 and its assessment in the
resident's history, orphaned, and no reason was asked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select
from textual.widgets import Input

from storage.core.models import Assessment, Event, Referral, Visit
from storage.register.assessments import DIMENSIONS
from storage.register.referrals import set_referral_status
from storage.register.visits import delete_visit, log_visit
from storage.reports.monthly import monthly_report
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import correction_opened, on_screen, run_async, settle, started, visits_listed
from tests.sync_helpers import elder, make_township
from tui.app import make_app

DAY = dt.date(2026, 11, 25)
ALL_NONE = {d: "none" for d in DIMENSIONS}


def _row(db, table, rid):
    with db.session() as s:
        row = s.get(table, rid)
        assert row is not None
        return row


def _made_with(db, vid):
    with db.session() as s:
        referrals = s.exec(select(Referral).where(Referral.visit_id == vid)).all()
        assessments = s.exec(select(Assessment).where(Assessment.visit_id == vid)).all()
        return [r.id for r in referrals], [a.id for a in assessments]


def _visit_with_referral(db, rid, reason="独居，需要送餐"):
    v = log_visit(db, rid, {"visit_date": dt.date(2026, 11, 20), "met_with": "本人"},
                  referral=("minzheng", reason), assessment=(ALL_NONE, {}), today=DAY)
    (ref,), (ass,) = _made_with(db, v.id)
    return v.id, ref, ass


def test_the_cli_deletes_the_referral_and_assessment_with_the_visit_and_the_township_sees_the_same(tmp_path, capsys):
    from tui.cli import main

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    vid, ref, ass = _visit_with_referral(a, r.id)
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    assert monthly_report(t.db, 2026, 11, today=DAY).totals.open_referrals == 1

    assert main(["--lang", "en", "--db", str(a.path), "visit", "delete", vid, "--reason", "录错了对象"]) == 0
    out = capsys.readouterr().out
    assert "Visit deleted" in out and "the referral (Civil affairs" in out and "six-dimension assessment" in out
    for table, rid in ((Visit, vid), (Referral, ref), (Assessment, ass)):
        row = _row(a, table, rid)
        assert row.deleted and row.delete_reason == "录错了对象"
    # one transaction: the three deletions are three events written together, each with the reason
    with a.session() as s:
        deletions = s.exec(select(Event).where(Event.record_id.in_([vid, ref, ass]))).all()
    gone = [e for e in deletions if e.fields.get("deleted")]
    assert sorted(e.record_type for e in gone) == ["assessment", "referral", "visit"]
    assert {e.fields["delete_reason"] for e in gone} == {"录错了对象"}
    assert monthly_report(a, 2026, 11, today=DAY).totals.open_referrals == 0

    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    assert report.bundles[0].status == "new"
    for table, rid in ((Visit, vid), (Referral, ref), (Assessment, ass)):
        row = _row(t.db, table, rid)
        assert row.deleted and row.delete_reason == "录错了对象"
    totals = monthly_report(t.db, 2026, 11, today=DAY).totals
    assert (totals.open_referrals, totals.visited) == (0, 0)


def test_a_referral_followed_up_since_is_kept_and_said_so(tmp_path, capsys):
    from tui.cli import main

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r1, r2 = elder(a, "张三"), elder(a, "李四")
    v1, ref1, ass1 = _visit_with_referral(a, r1.id)
    v2, ref2, _ass2 = _visit_with_referral(a, r2.id, "房屋漏雨")
    set_referral_status(a, ref1, "in_progress", "民政办已受理", today=DAY)  # 办理中: somebody's work now
    set_referral_status(a, ref2, "open", today=DAY, follow_up_by=dt.date(2026, 12, 3))  # still 待办理, but followed up

    assert main(["--lang", "en", "--db", str(a.path), "visit", "delete", v1]) == 0
    out = capsys.readouterr().out
    assert "Kept: the referral (Civil affairs" in out and "In progress" in out and "followed up since" in out
    assert not _row(a, Referral, ref1).deleted and _row(a, Assessment, ass1).deleted
    assert _row(a, Visit, v1).delete_reason == ""  # no reason given: none stored
    delete_visit(a, v2, "重复录入")
    assert not _row(a, Referral, ref2).deleted
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    assert not _row(t.db, Referral, ref1).deleted and not _row(t.db, Referral, ref2).deleted
    assert _row(t.db, Visit, v2).delete_reason == "重复录入"
    assert monthly_report(t.db, 2026, 11, today=DAY).totals.open_referrals == 2


def test_a_merge_refuses_a_deletion_reason_no_form_could_write(tmp_path):
    from storage.core.changes import writer

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    vid, _ref, _ass = _visit_with_referral(a, r.id)
    with a.write() as s:  # an older or forged writer: a reason over two lines
        writer(s).write("visit", vid, {"deleted": True, "delete_reason": "录错\r\n了"})
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    assert report.bundles[0].status == "refused"


@run_async
async def test_the_resident_page_names_what_goes_with_the_visit_and_asks_why(tmp_path):
    from screens.resident import ResidentScreen

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    vid, ref, ass = _visit_with_referral(a, r.id)
    app = make_app(a.path, lang="en", today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await visits_listed(pilot, r.id)
        await pilot.press("d")
        await on_screen(pilot, "DeleteVisitScreen")
        said = str(app.screen.question)
        assert "Recorded with it and deleted with it" in said and "referral (Civil affairs" in said
        assert "six-dimension assessment" in said
        assert app.screen.focused is app.screen.query_one("#reason", Input)
        await pilot.press("escape")  # Cancel: nothing deleted, the list still there
        await on_screen(pilot, "VisitPickScreen")
        assert not _row(a, Visit, vid).deleted
        await pilot.press("d")
        await on_screen(pilot, "DeleteVisitScreen")
        await pilot.press(*"duplicate", "enter")  # Enter in the reason goes to 删除, deletes nothing yet
        assert app.screen.__class__.__name__ == "DeleteVisitScreen" and not _row(a, Visit, vid).deleted
        await pilot.press("enter")
        await on_screen(pilot, ResidentScreen)
        await settle(pilot, lambda: _row(a, Visit, vid).deleted)
    for table, rid in ((Visit, vid), (Referral, ref), (Assessment, ass)):
        assert _row(a, table, rid).delete_reason == "duplicate"


@run_async
async def test_a_correction_keeps_the_observations_and_codes_the_form_no_longer_shows(tmp_path):
    """A child's visit (学习教育 observed, 溺水 hazard, 就学 need), corrected after the resident's categories changed
    to an adult's: the form shows neither; the health observation edited, a hazard ticked — the rest stays."""
    from textual.widgets import SelectionList

    from screens.resident import ResidentScreen
    from storage.core.changes import writer
    from tests.register_helpers import TODAY, make_register_db, resident_id

    db = make_register_db(tmp_path / "w.db")
    rid = resident_id(db, "张小明")
    v = log_visit(db, rid, {"visit_date": TODAY - dt.timedelta(days=1), "met_with": "祖母",
                            "observations": {"education": "成绩下滑", "health": "良好"},
                            "hazards": ["drowning"], "needs": ["schooling"]}, today=TODAY)
    with db.write() as s:  # the categories changed since (as the resident form writes them)
        writer(s).write("resident", rid, {"categories": ["severely_disabled"]})
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await correction_opened(pilot, rid)  # the newest: this visit
        await settle(pilot, lambda: app.screen.query("#obs-health")
                     and app.screen.query_one("#obs-health", Input).value == "良好")
        assert not app.screen.query("#obs-education")  # not shown for an adult
        app.screen.query_one("#obs-health", Input).value = "感冒，已就医"
        app.screen.query_one("#hazards", SelectionList).select("fire")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await on_screen(pilot, ResidentScreen)
    saved = _row(db, Visit, v.id)
    assert saved.observations == {"education": "成绩下滑", "health": "感冒，已就医"}
    assert sorted(saved.hazards) == ["drowning", "fire"] and saved.needs == ["schooling"]


@pytest.mark.parametrize("lang, shown", [("en", "Registered on: Oct 15, 2026"), ("zh_CN", "登记日期：2026年10月15日")])
@run_async
async def test_the_resident_page_shows_the_registration_date(tmp_path, lang, shown):
    import os

    from rich.console import Console
    from textual.widgets import Static

    from screens.resident import ResidentScreen

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", registered_on=dt.date(2026, 10, 15))
    app = make_app(a.path, lang=lang, today=DAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentScreen(r.id))
        await settle(pilot, lambda: app.screen.profile is not None)
        console = Console(width=200, record=True, file=open(os.devnull, "w", encoding="utf-8"))
        console.print(app.screen.query_one("#profile", Static).content)
        assert shown in console.export_text()

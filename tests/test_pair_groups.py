"""A resident's ID number with the sex and birth date it gives, and a referral's follow-up with its result and
next date, are one question each (fix-pair's notes left them).

The worker corrected 张三's ID number (and with it the sex and birth date) while the clerk corrected it
otherwise. The merge queued the ID number and the birth date apart: taking the other birth date and keeping
the ID number stored a resident whose ID number contradicts the birth date. When the clerk's event wrote only
the ID number (same sex), the fold itself stored the clerk's number with the worker's sex.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select
from textual.widgets import DataTable

from storage.core.errors import UserError, ValidationErrors
from storage.core.i18n import set_language
from storage.core.models import Benefit, Conflict, Referral, Resident
from storage.register.benefits import correct_benefit, record_benefit
from storage.register.idnumbers import parse_id_number
from storage.register.pairing import set_paired_helper
from storage.register.referrals import close_referral, open_referral, set_referral_status
from storage.register.residents import update_resident
from storage.sync.conflicts import count_open, keep_winner, open_conflicts, resolve_conflict, take_other
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.roster_helpers import id_number
from tests.sync_helpers import elder, make_township
from tests.test_cli import run
from tests.test_walkthrough import screen_text
from tui.app import make_app

TODAY = dt.date(2026, 12, 2)
FIRST = id_number(dt.date(1945, 3, 3), 11)  # male
WORKERS = id_number(dt.date(1946, 4, 4), 12)  # female, 1946-04-04: 330521194604040120
CLERKS = id_number(dt.date(1947, 5, 5), 13)  # male, 1947-05-05: 330521194705050133
CLERKS_SAME_SEX = id_number(dt.date(1945, 3, 3), 13)  # male, born the same day as FIRST


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("zh_CN")


def id_clash(tmp_path, clerks: str = CLERKS, *, clerk_last: bool = False):
    """Both correct 张三's ID number offline: (township, worker, resident id, the merge's report)."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", id_number=FIRST)
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    edits = [(t.db, clerks), (a, WORKERS)]
    for db, number in reversed(edits) if clerk_last else edits:
        update_resident(db, r.id, {"id_number": number}, today=TODAY)
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    return t, a, r.id, report


def _agrees(db, rid) -> tuple[str, str, dt.date]:
    """The resident's ID number, sex and birth date, checked to agree."""
    with db.session() as s:
        x = s.get(Resident, rid)
        assert x is not None and x.id_number
        info = parse_id_number(x.id_number, today=TODAY)
        assert (x.sex, x.birth_date) == (info.sex, info.birth_date), "the ID number contradicts the sex or birth date"
        return x.id_number, x.sex, x.birth_date


def _open(db) -> list[Conflict]:
    with db.session() as s:
        return list(s.exec(select(Conflict)).all())


def test_an_id_number_both_corrected_is_one_question_named_by_the_resident_and_masked(tmp_path):
    t, _a, _rid, report = id_clash(tmp_path)
    assert report.conflicts == 1 and count_open(t.db) == 1
    (view,) = open_conflicts(t.db)
    assert view.record_label == "张三" and view.field == "id_number"
    assert {view.kept_text, view.other_text} == {"3305**********0120；女；1946年4月4日",
                                                 "3305**********0133；男；1947年5月5日"}
    assert {view.kept_full, view.other_full} == {f"{WORKERS}；女；1946年4月4日", f"{CLERKS}；男；1947年5月5日"}
    out = run("--db", str(t.db.path), "--lang", "zh_CN", "conflicts", tmp_path=tmp_path)
    [line] = out.stdout.strip().splitlines()
    assert line.startswith("张三 · 身份证号")
    assert "3305**********0120；女；1946年4月4日" in line and "3305**********0133；男；1947年5月5日" in line
    assert WORKERS not in line and CLERKS not in line
    full = run("--db", str(t.db.path), "--lang", "zh_CN", "conflicts", "--full-ids", tmp_path=tmp_path)
    assert WORKERS in full.stdout and CLERKS in full.stdout


@pytest.mark.parametrize("decide", [keep_winner, take_other])
def test_deciding_the_id_number_either_way_stores_the_sex_and_birth_date_it_gives(tmp_path, decide):
    """Before: the birth date taken from one side and the ID number kept from the other."""
    t, a, rid, _report = id_clash(tmp_path)
    (view,) = open_conflicts(t.db)
    decide(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == []
    number, _sex, _birth = _agrees(t.db, rid)
    chosen = view.kept_full if decide is keep_winner else view.other_full
    assert chosen is not None and chosen.startswith(number)
    merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="G01").path])
    assert _agrees(a, rid)[0] == number and _open(a) == []


@pytest.mark.parametrize("decide", [keep_winner, take_other])
def test_the_clerks_id_number_with_the_workers_sex_is_mended_by_the_decision(tmp_path, decide):
    """The clerk's correction kept the sex (it wrote the ID number and birth date only); the worker's wrote all
    three. The fold stores the clerk's number with the worker's 女: the question's kept side is the number as it
    reads (男), and either decision stores a resident the ID number agrees with."""
    t, _a, rid, report = id_clash(tmp_path, CLERKS_SAME_SEX, clerk_last=True)
    assert report.conflicts == 1
    (view,) = open_conflicts(t.db)
    assert view.kept_text == "3305**********0134；男；1945年3月3日"
    assert view.other_text == "3305**********0120；女；1946年4月4日"
    decide(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == []
    assert _agrees(t.db, rid)[0] == (CLERKS_SAME_SEX if decide is keep_winner else WORKERS)


def test_an_id_number_typed_for_the_question_gives_its_sex_and_birth_date(tmp_path):
    t, _a, rid, _report = id_clash(tmp_path)
    (view,) = open_conflicts(t.db)
    resolve_conflict(t.db, view.conflict.id, CLERKS, today=TODAY)
    assert _open(t.db) == [] and _agrees(t.db, rid) == (CLERKS, "M", dt.date(1947, 5, 5))


@run_async
async def test_the_conflicts_screen_shows_one_masked_row_and_k_keeps_a_resident_that_agrees(tmp_path):
    t, _a, rid, _report = id_clash(tmp_path)
    app = make_app(str(t.db.path), lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: "待审核冲突" in screen_text(app))
        assert re.search(r"待审核冲突（按 c）\s*1\b", screen_text(app))  # it said 2
        await pilot.press("c")
        await on_screen(pilot, "ConflictsScreen")
        table = app.screen.query_one(DataTable)
        await settle(pilot, lambda: table.row_count == 1)
        await settle(pilot)
        text = screen_text(app)
        assert "1 个字段等待决定" in text and "张三" in text and "身份证号" in text
        assert "3305**********0120" in text
        await pilot.press("k")
        await settle(pilot, lambda: table.row_count == 0)
    assert _open(t.db) == []
    _agrees(t.db, rid)


def _referral_clash(tmp_path):
    """The clerk closed a referral with its result; the worker, offline, followed it up: still 办理中, another
    result, a next follow-up date."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    ref = open_referral(a, r.id, "minzheng", "低保申请", today=dt.date(2026, 11, 20))
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    close_referral(t.db, ref.id, "已批准低保", closed_on=dt.date(2026, 11, 21), today=TODAY)
    set_referral_status(a, ref.id, "in_progress", "材料已交，等待审批", today=TODAY, follow_up_by=dt.date(2026, 12, 9))
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    return t, ref.id, report


@pytest.mark.parametrize("decide", [keep_winner, take_other])
def test_a_referrals_result_is_decided_with_its_status(tmp_path, decide):
    """Before: the result was a question of its own, and 办理中 could be kept with the other side's 已批准低保."""
    t, ref_id, report = _referral_clash(tmp_path)
    assert report.conflicts == 1 and count_open(t.db) == 1
    (view,) = open_conflicts(t.db)
    assert view.record_label == "张三"
    assert {view.kept_text, view.other_text} == {"办理中；材料已交，等待审批", "已办结；2026年11月21日；已批准低保"}
    with pytest.raises(UserError):
        resolve_conflict(t.db, view.conflict.id, "已批准低保", today=TODAY)
    decide(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == []
    with t.db.session() as s:
        x = s.get(Referral, ref_id)
        assert x is not None
        assert (x.status, x.closed_on, x.outcome) in {("in_progress", None, "材料已交，等待审批"),
                                                      ("closed", dt.date(2026, 11, 21), "已批准低保")}


@pytest.mark.parametrize("decide", [keep_winner, take_other])
def test_two_follow_ups_keep_each_result_with_its_next_date(tmp_path, decide):
    """Both followed the referral up, each with a result and a next date: before, two questions, and one's result
    could be stored with the other's date."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    ref = open_referral(a, r.id, "minzheng", "低保申请", today=dt.date(2026, 11, 20))
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    set_referral_status(t.db, ref.id, "in_progress", "已电话催办", today=TODAY, follow_up_by=dt.date(2026, 12, 16))
    set_referral_status(a, ref.id, "in_progress", "材料已交", today=TODAY, follow_up_by=dt.date(2026, 12, 9))
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    assert report.conflicts == 1 and count_open(t.db) == 1
    (view,) = open_conflicts(t.db)
    assert {view.kept_text, view.other_text} == {"材料已交；跟进期限：2026年12月9日", "已电话催办；跟进期限：2026年12月16日"}
    out = run("--db", str(t.db.path), "--lang", "zh_CN", "conflicts", tmp_path=tmp_path)
    [line] = out.stdout.strip().splitlines()
    assert line.startswith("张三 · 办理结果：保留 "), line
    decide(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == []
    with t.db.session() as s:
        x = s.get(Referral, ref.id)
        assert x is not None
        assert (x.outcome, x.due_on) in {("材料已交", dt.date(2026, 12, 9)), ("已电话催办", dt.date(2026, 12, 16))}


def _helper(db, rid) -> tuple[str, str, str]:
    with db.session() as s:
        x = s.get(Resident, rid)
        assert x is not None
        return x.helper_name, x.helper_phone, x.helper_unit


@pytest.mark.parametrize("decide", [keep_winner, take_other])
def test_a_paired_helper_changed_on_both_sides_keeps_its_phone(tmp_path, decide):
    """The worker paired 张三 with 李四, the clerk with 王五: before, name, phone and unit were three questions, and
    李四 could be stored with 王五's phone."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    set_paired_helper(t.db, r.id, "王五", "13700000002", "村委会", dt.date(2026, 11, 25), today=TODAY)
    set_paired_helper(a, r.id, "李四", "13900000001", "卫生室", dt.date(2026, 11, 25), today=TODAY)
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    assert report.conflicts == 1 and count_open(t.db) == 1
    (view,) = open_conflicts(t.db)
    assert view.record_label == "张三"
    assert {view.kept_text, view.other_text} == {"李四；13900000001；卫生室", "王五；13700000002；村委会"}
    decide(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == []
    assert _helper(t.db, r.id) in {("李四", "13900000001", "卫生室"), ("王五", "13700000002", "村委会")}


def _benefit_clash(tmp_path, clerks: dict):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    b = record_benefit(a, r.id, "dibao", start_on=dt.date(2026, 1, 1), today=TODAY)
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    correct_benefit(t.db, b.id, clerks, today=TODAY)
    correct_benefit(a, b.id, {"start_on": dt.date(2026, 7, 1), "end_on": dt.date(2026, 11, 30)}, today=TODAY)
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    return t, b.id, report


def _period(db, bid) -> tuple[dt.date | None, dt.date | None]:
    with db.session() as s:
        x = s.get(Benefit, bid)
        assert x is not None
        return x.start_on, x.end_on


@pytest.mark.parametrize("decide", [keep_winner, take_other])
def test_a_benefits_period_corrected_on_both_sides_is_one_period(tmp_path, decide):
    """Both corrected the 低保 period: before, start and end were two questions, and the worker's start with the
    clerk's end ended before it started."""
    t, bid, report = _benefit_clash(tmp_path, {"start_on": dt.date(2026, 2, 1), "end_on": dt.date(2026, 6, 30)})
    assert report.conflicts == 1 and count_open(t.db) == 1
    (view,) = open_conflicts(t.db)
    assert view.record_label == "张三"
    assert {view.kept_text, view.other_text} == {"2026年7月1日；2026年11月30日", "2026年2月1日；2026年6月30日"}
    decide(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == []
    assert _period(t.db, bid) in {(dt.date(2026, 7, 1), dt.date(2026, 11, 30)), (dt.date(2026, 2, 1), dt.date(2026, 6, 30))}


def test_a_period_that_would_end_before_it_starts_is_refused_not_stored(tmp_path):
    """The clerk wrote only the end (30 June); the kept start is the worker's 1 July: taking the clerk's end would
    store a period ending before it starts, and is refused as the Benefits screen refuses it."""
    t, bid, _report = _benefit_clash(tmp_path, {"end_on": dt.date(2026, 6, 30)})
    (view,) = open_conflicts(t.db)
    with pytest.raises(ValidationErrors):
        take_other(t.db, view.conflict.id, today=TODAY)
    with pytest.raises(ValidationErrors):
        resolve_conflict(t.db, view.conflict.id, "2026-06-30", today=TODAY)
    assert _period(t.db, bid) == (dt.date(2026, 7, 1), dt.date(2026, 11, 30)) and count_open(t.db) == 1
    keep_winner(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == []

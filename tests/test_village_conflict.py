"""A grid's village changed by the clerk and by its worker offline is one question (walk-D finding 2).

The worker put G02 in 李家村 by name, the clerk then gave it the code 330521101202, and the worker, before
receiving that, renamed it 李家社区. The merge queued two conflicts (village_code, village_name) shown in
record ids, and deciding them apart stored the worker's code with the clerk's name: every screen showed
李家社区, the clerk's 李家村 nowhere. Now it is one question, named in village names, decided as one.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select
from textual.widgets import DataTable

from storage.core.errors import UserError
from storage.core.i18n import set_language
from storage.core.models import Conflict, Grid, Referral, Resident
from storage.register.referrals import close_referral, open_referral, set_referral_status
from storage.register.residents import close_case, reopen_case
from storage.register.villages import grid_villages, set_grid_village
from storage.sync.conflicts import count_open, keep_winner, open_conflicts, resolve_conflict, take_other
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import elder, make_township
from tests.test_cli import run
from tests.test_walkthrough import screen_text
from tui.app import make_app

TODAY = dt.date(2026, 12, 2)
G02 = "330521101-G02"


@pytest.fixture(autouse=True)
def chinese():
    set_language("zh_CN")
    yield
    set_language("zh_CN")


def village_clash(tmp_path):
    """Walk-D's steps 1-4: (township, worker, the merge's report)."""
    t = make_township(tmp_path)
    b = t.worker("李强", "G02")
    set_grid_village(b, G02, "李家村")  # by name only, on the Villages screen
    merge_paths(t.db, [export_bundle(b, tmp_path / "1.gcb").path])
    set_grid_village(t.db, "G02", "李家村", "330521101202")  # the clerk learned the code
    set_grid_village(b, G02, "李家社区")  # the worker, before receiving that
    report = merge_paths(t.db, [export_bundle(b, tmp_path / "2.gcb").path])
    return t, b, report


def _grid(db) -> tuple[str | None, str]:
    with db.session() as s:
        g = s.get(Grid, G02)
        assert g is not None
        return g.village_code, g.village_name


def _open(db) -> list[Conflict]:
    with db.session() as s:
        return list(s.exec(select(Conflict)).all())


def test_the_village_both_changed_is_one_question_in_village_names(tmp_path):
    t, _b, report = village_clash(tmp_path)
    assert report.conflicts == 1 and count_open(t.db) == 1
    (view,) = open_conflicts(t.db)
    assert view.field == "village_code"
    assert view.record_label == "G02（G02网格）"
    assert {view.kept_text, view.other_text} == {"李家社区", "李家村（330521101202）"}
    out = run("--db", str(t.db.path), "--lang", "zh_CN", "conflicts", tmp_path=tmp_path)
    assert out.returncode == 0
    [line] = out.stdout.strip().splitlines()
    assert "李家村（330521101202）" in line and "李家社区" in line and "G02（G02网格）" in line
    assert "330521101-" not in line


@pytest.mark.parametrize("decide", [keep_winner, take_other])
def test_deciding_the_village_either_way_keeps_its_code_and_name_together(tmp_path, decide):
    t, b, _report = village_clash(tmp_path)
    (view,) = open_conflicts(t.db)
    kept = view.kept_text
    decide(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == [] and count_open(t.db) == 0
    pair = _grid(t.db)
    assert pair in {("330521101202", "李家村"), ("330521101-李家社区", "李家社区")}
    shown = [g.village for g in grid_villages(t.db) if g.grid_id == G02]
    assert shown == [pair[1]]
    chosen = kept if decide is keep_winner else view.other_text
    assert chosen is not None and chosen.startswith(pair[1])
    # the decision travels to the worker and settles it there too, with the same pair
    merge_paths(b, [export_bundle(t.db, tmp_path / "back", grid_code="G02").path])
    assert _grid(b) == pair and _open(b) == []


def test_a_village_typed_for_the_question_is_placed_as_the_villages_screen_places_it(tmp_path):
    t, _b, _report = village_clash(tmp_path)
    (view,) = open_conflicts(t.db)
    resolve_conflict(t.db, view.conflict.id, "李家村（330521101202）", today=TODAY)
    assert _grid(t.db) == ("330521101202", "李家村") and _open(t.db) == []


def test_the_value_the_grid_has_already_typed_again_settles_the_question(tmp_path):
    t, _b, _report = village_clash(tmp_path)
    (view,) = open_conflicts(t.db)
    code, name = _grid(t.db)
    resolve_conflict(t.db, view.conflict.id, name, today=TODAY)
    assert _grid(t.db) == (code, name) and _open(t.db) == []


@run_async
async def test_the_conflicts_screen_shows_one_row_in_village_names_and_k_writes_both(tmp_path):
    """At 80x24 in Chinese: one row, the grid by its name and each side as 李家村（330521101202）, no record id;
    k on it settles the code and the name together."""
    t, _b, _report = village_clash(tmp_path)
    app = make_app(str(t.db.path), lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: "待审核冲突" in screen_text(app))
        assert re.search(r"待审核冲突（按 c）\s*1\b", screen_text(app))  # as many as the screen's rows, not 2
        await pilot.press("c")
        await on_screen(pilot, "ConflictsScreen")
        table = app.screen.query_one(DataTable)
        await settle(pilot, lambda: table.row_count == 1)
        await settle(pilot)
        text = screen_text(app)
        assert "1 个字段等待决定" in text
        assert "G02（G02网格）" in text and "李家村（330521101202）" in text and "李家社区" in text
        assert "330521101-" not in text  # neither the grid's nor the code-less village's record id
        await pilot.press("k")
        await settle(pilot, lambda: table.row_count == 0)
    assert _open(t.db) == [] and _grid(t.db) in {("330521101202", "李家村"), ("330521101-李家社区", "李家社区")}


def _closing_clash(tmp_path):
    """The worker closed a case (去世), the clerk closed it otherwise (迁出), the worker then reopened it."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", registered_on=dt.date(2026, 10, 8))
    close_case(a, r.id, "deceased", dt.date(2026, 11, 20), today=TODAY)
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    close_case(t.db, r.id, "moved_away", dt.date(2026, 11, 21), today=TODAY)
    reopen_case(a, r.id)
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    return t, r, report


def _closing(db, rid) -> tuple[str, str, dt.date | None]:
    with db.session() as s:
        x = s.get(Resident, rid)
        assert x is not None
        return x.status, x.close_reason, x.closed_on


@pytest.mark.parametrize("decide", [keep_winner, take_other])
def test_a_closing_and_a_reopening_are_one_question_decided_whole(tmp_path, decide):
    """Before: status, reason and date were three conflicts; taking the other status (closed) and keeping the
    reason ('' of the reopening) left a closed case with no reason nor date."""
    t, r, report = _closing_clash(tmp_path)
    assert report.conflicts == 1 and count_open(t.db) == 1
    (view,) = open_conflicts(t.db)
    assert view.record_label == "张三" and view.field == "status"
    assert {view.kept_text, view.other_text} == {"在册", "已退出（销号）；迁出；2026年11月21日"}
    with pytest.raises(UserError):  # typed: a mix of two sides again
        resolve_conflict(t.db, view.conflict.id, "已退出（销号）", today=TODAY)
    decide(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == []
    assert _closing(t.db, r.id) in {("active", "", None), ("closed", "moved_away", dt.date(2026, 11, 21))}


@pytest.mark.parametrize("decide", [keep_winner, take_other])
def test_a_referral_closed_here_and_followed_up_there_keeps_its_status_and_date_together(tmp_path, decide):
    """Before: status and closing date were two conflicts, and 办理中 with the other side's closing date (or 已办结
    with none) could be stored."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    ref = open_referral(a, r.id, "minzheng", "低保申请", today=dt.date(2026, 11, 20))
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    close_referral(t.db, ref.id, closed_on=dt.date(2026, 11, 21), today=TODAY)
    set_referral_status(a, ref.id, "in_progress", today=TODAY)
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    assert report.conflicts == 1 and count_open(t.db) == 1
    (view,) = open_conflicts(t.db)
    assert {view.kept_text, view.other_text} == {"办理中", "已办结；2026年11月21日"}
    decide(t.db, view.conflict.id, today=TODAY)
    assert _open(t.db) == []
    with t.db.session() as s:
        x = s.get(Referral, ref.id)
        assert x is not None
        assert (x.status, x.closed_on) in {("in_progress", None), ("closed", dt.date(2026, 11, 21))}

"""A conflict decision taken back (walk cwalk: t pressed on the wrong row put the other phone number on the record,
and nothing on screen brought the question back): until a bundle carries the decision, `u` (or `gridcare conflicts
undo`) leaves the record and the question as they were before it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlmodel import select

from storage.core.audit import entries
from storage.core.errors import UserError
from storage.core.models import Conflict, Event, Resident
from storage.register.residents import update_resident
from storage.sync.conflict_undo import last_decision, undo_decision
from storage.sync.conflicts import count_open, open_conflicts, resolve_conflict, take_other
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import run_async
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)


def _clash(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", phone="13800000001")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"phone": "13800000002"})
    update_resident(t.db, r.id, {"phone": "13800000003"})
    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    return t, a, r


def _snapshot(db, rid):
    with db.session() as s:
        events = sorted(e.id for e in s.exec(select(Event)).all())
        conflicts = sorted((c.id, c.winner_value, c.loser_value) for c in s.exec(select(Conflict)).all())
        return s.get(Resident, rid).phone, events, conflicts


def test_taking_other_by_mistake_is_undone_and_the_question_is_back_as_it_was(tmp_path):
    t, _a, r = _clash(tmp_path)
    before = _snapshot(t.db, r.id)
    (view,) = open_conflicts(t.db)
    take_other(t.db, view.conflict.id, today=TODAY)
    assert count_open(t.db) == 0 and _snapshot(t.db, r.id)[0] == view.conflict.loser_value
    decision = last_decision(t.db)
    assert decision is not None and (decision.record_label, decision.field) == ("张三", "phone")
    undone = undo_decision(t.db)
    assert undone == decision
    assert _snapshot(t.db, r.id) == before and count_open(t.db) == 1
    assert last_decision(t.db) is None  # taken back once; nothing else to take back
    with pytest.raises(UserError):
        undo_decision(t.db)
    # the clerk decides again, and the audit log says what happened
    (again,) = open_conflicts(t.db)
    resolve_conflict(t.db, again.conflict.id, "13800000009", today=TODAY)
    assert _snapshot(t.db, r.id)[0] == "13800000009" and count_open(t.db) == 0
    actions = [e.action for e in entries(t.db, limit=3)]
    assert actions == ["conflict decision", "conflict decision undone", "conflict decision"]


def test_a_decision_sent_to_the_grid_is_not_taken_back(tmp_path):
    t, a, r = _clash(tmp_path)
    (view,) = open_conflicts(t.db)
    take_other(t.db, view.conflict.id, today=TODAY)
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01").path
    assert last_decision(t.db) is None
    with pytest.raises(UserError, match="already gone out"):
        undo_decision(t.db)
    phone = _snapshot(t.db, r.id)[0]
    merge_paths(a, [back])
    with a.session() as s:
        assert s.get(Resident, r.id).phone == phone  # the worker holds the decision: the township keeps it too


def test_the_command_line_takes_the_last_decision_back(tmp_path):
    t, _a, r = _clash(tmp_path)
    before = _snapshot(t.db, r.id)
    (view,) = open_conflicts(t.db)
    take_other(t.db, view.conflict.id, today=TODAY)
    path = t.db.path
    t.db.dispose()
    run = subprocess.run([sys.executable, "-m", "tui.cli", "--lang", "zh_CN", "--db", str(path), "conflicts", "undo"],
                         capture_output=True, text=True, encoding="utf-8")
    assert run.returncode == 0, run.stderr
    assert "张三" in run.stdout and "联系电话" in run.stdout, run.stdout
    again = subprocess.run([sys.executable, "-m", "tui.cli", "--lang", "zh_CN", "--db", str(path), "conflicts", "undo"],
                           capture_output=True, text=True, encoding="utf-8")
    assert again.returncode == 1 and again.stderr.strip().count("\n") == 0, again.stderr
    from storage.core.db import open_database

    db = open_database(path)
    assert _snapshot(db, r.id) == before


@run_async
async def test_the_clerk_presses_t_on_the_wrong_row_and_u_brings_the_question_back(tmp_path):
    from textual.widgets import DataTable, Static

    from screens.conflicts import ConflictsScreen
    from tests.pilot_helpers import settle
    from tests.register_helpers import HarnessApp

    t, _a, r = _clash(tmp_path)
    before = _snapshot(t.db, r.id)
    app = HarnessApp(t.db, ConflictsScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        shown = lambda: {b.binding.action for b in screen.active_bindings.values()}  # noqa: E731
        assert "undo" not in shown()  # nothing decided yet
        await pilot.press("t")
        await settle(pilot, lambda: screen.query_one(DataTable).row_count == 0)
        assert "u: undo" in str(screen.query_one("#status", Static).render())
        assert "undo" in shown()
        await pilot.press("u")
        await settle(pilot, lambda: screen.query_one(DataTable).row_count == 1)
        status = str(screen.query_one("#status", Static).render())
        assert "张三" in status and "waits for review again" in status, status
        assert "undo" not in shown()
    assert _snapshot(t.db, r.id) == before

"""The conflict review queue: found on merge, decided by the clerk, and the decision travels."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from storage.core.errors import UserError, ValidationError, ValidationErrors
from storage.core.identity import get_identity
from storage.core.models import Conflict, Event, Resident
from storage.register.residents import update_resident
from storage.sync.conflicts import count_open, keep_winner, open_conflicts, resolve_conflict, take_other
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)  # the app's day: decisions are checked on it, not on the computer's clock


def _clash(tmp_path, field="phone", worker_value="13800000002", township_value="13800000003"):
    """Worker and clerk change one field of one resident without seeing each other's change."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", phone="13800000001")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {field: worker_value})
    update_resident(t.db, r.id, {field: township_value})
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    return t, a, r, report


def _state(db, rid):
    with db.session() as s:
        return s.get(Resident, rid)


def test_a_concurrent_edit_is_one_conflict_with_both_values_and_authors(tmp_path):
    t, a, r, report = _clash(tmp_path)
    assert report.conflicts == 1 and count_open(t.db) == 1
    (view,) = open_conflicts(t.db)
    c = view.conflict
    assert (view.record_label, view.resident_id, c.field) == ("张三", r.id, "phone")
    clerk = get_identity(t.db).worker_name
    assert {(c.winner_value, c.winner_author), (c.loser_value, c.loser_author)} == {
        ("13800000002", "王芳"), ("13800000003", clerk)}
    assert c.winner_hlc > c.loser_hlc
    # the state shows the deterministic winner meanwhile
    assert _state(t.db, r.id).phone == c.winner_value


def test_taking_the_other_value_writes_an_event_and_clears_the_conflict(tmp_path):
    t, a, r, _report = _clash(tmp_path)
    (view,) = open_conflicts(t.db)
    loser = view.conflict.loser_value
    with t.db.session() as s:
        events_before = len(s.exec(select(Event)).all())
    take_other(t.db, view.conflict.id, today=TODAY)
    with t.db.session() as s:
        assert len(s.exec(select(Event)).all()) == events_before + 1
        assert s.exec(select(Conflict)).all() == []
    assert _state(t.db, r.id).phone == loser and open_conflicts(t.db) == []
    with pytest.raises(UserError, match="already resolved"):
        keep_winner(t.db, view.conflict.id, today=TODAY)


def test_the_decision_travels_to_the_worker_and_back(tmp_path):
    t, a, r, _report = _clash(tmp_path)
    (view,) = open_conflicts(t.db)
    keep_winner(t.db, view.conflict.id, today=TODAY)
    kept = view.conflict.winner_value
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01").path
    merge_paths(a, [back])
    assert _state(a, r.id).phone == kept and open_conflicts(a) == []
    # the worker's next bundle carries the decision's ancestry: no conflict comes back
    update_resident(a, r.id, {"address": "东村5号"})  # something new so the worker exports again
    merge_paths(t.db, [export_bundle(a, tmp_path / "3.gcb").path])
    assert open_conflicts(t.db) == [] and _state(t.db, r.id).phone == kept
    # re-merging the old bundles changes nothing
    merge_paths(t.db, [tmp_path / "1.gcb", tmp_path / "2.gcb"])
    assert open_conflicts(t.db) == [] and _state(t.db, r.id).phone == kept


def test_a_typed_value_is_checked_like_a_form(tmp_path):
    t, a, r, _report = _clash(tmp_path, field="birth_date", worker_value="1944-01-02", township_value="1946-05-06")
    (view,) = open_conflicts(t.db)
    assert view.conflict.field == "birth_date"
    with pytest.raises((ValidationError, ValidationErrors)):
        resolve_conflict(t.db, view.conflict.id, "not a date", today=TODAY)
    assert count_open(t.db) == 1
    resolve_conflict(t.db, view.conflict.id, "1945-03-03", today=TODAY)
    assert str(_state(t.db, r.id).birth_date) == "1945-03-03" and count_open(t.db) == 0


def test_a_name_clash_is_one_item_and_the_decision_keeps_search_keys_consistent(tmp_path):
    t, a, r, report = _clash(tmp_path, field="name", worker_value="张山", township_value="章三")
    views = open_conflicts(t.db)
    assert [v.conflict.field for v in views] == ["name"] and report.conflicts == 1
    resolve_conflict(t.db, views[0].conflict.id, "张三丰", today=TODAY)
    row = _state(t.db, r.id)
    assert row.name == "张三丰" and row.name_initials.startswith("zsf")
    with t.db.session() as s:
        assert s.exec(select(Conflict)).all() == []


def test_edits_of_different_fields_combine_without_conflict(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"phone": "13800000009"})
    update_resident(t.db, r.id, {"address": "西村1号"})
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    assert report.conflicts == 0 and open_conflicts(t.db) == []
    row = _state(t.db, r.id)
    assert (row.phone, row.address) == ("13800000009", "西村1号")


def test_a_decision_is_checked_on_the_apps_day_not_the_computers(tmp_path):
    """A birth date typed for a conflict is checked on the app's day: the day after it is in the future and
    refused, although the computer's clock (later) would take it; the day before it is accepted."""
    t, _a, r, _report = _clash(tmp_path, field="birth_date", worker_value="1945-03-04", township_value="1945-03-05")
    (view,) = open_conflicts(t.db)
    with pytest.raises(ValidationErrors):
        resolve_conflict(t.db, view.conflict.id, "2026-11-25", today=TODAY)
    resolve_conflict(t.db, view.conflict.id, "2026-11-23", today=TODAY)
    assert _state(t.db, r.id).birth_date == dt.date(2026, 11, 23)


def test_a_closing_remark_typed_for_a_conflict_is_checked_as_a_merge_would(tmp_path):
    """The decision travels in the return bundle: a remark that every merge would refuse is refused here."""
    from storage.register.residents import close_case

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    merge_paths(t.db, [export_bundle(a, tmp_path / "a").path])
    close_case(t.db, r.id, "moved_away", note="镇里核实", today=TODAY)
    close_case(a, r.id, "moved_away", note="随女儿生活", today=TODAY)
    merge_paths(t.db, [export_bundle(a, tmp_path / "b").path])
    view = next(v for v in open_conflicts(t.db) if v.conflict.field == "close_note")
    for bad in ("迁出\x1b[2J", "说" * 201):
        with pytest.raises(ValidationError):
            resolve_conflict(t.db, view.conflict.id, bad, today=TODAY)
    resolve_conflict(t.db, view.conflict.id, "随女儿迁往杭州", today=TODAY)
    with t.db.session() as s:
        assert s.get(Resident, r.id).close_note == "随女儿迁往杭州"

"""Benefits and paired helpers travel like every record: worker -> township -> worker, conflicts queued."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from storage.core.models import Benefit, Conflict, Resident
from storage.register.benefits import end_benefit, record_benefit
from storage.register.pairing import set_paired_helper
from storage.sync.conflicts import open_conflicts
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)


def _benefits(db) -> list[tuple[str, str, object, object]]:
    with db.session() as s:
        return sorted((b.resident_id, b.kind, b.start_on, b.end_on) for b in s.exec(select(Benefit)).all())


def test_benefits_and_the_helper_reach_the_township_and_come_back_to_the_grid(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张三")
    record_benefit(w, r.id, "dibao", start_on="2025-03-01", today=TODAY)
    set_paired_helper(w, r.id, "李梅", "13800002222", "村委会", "2026-01-01", today=TODAY)
    merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path])
    assert _benefits(t.db) == [(r.id, "dibao", dt.date(2025, 3, 1), None)]
    with t.db.session() as s:
        assert s.get(Resident, r.id).helper_name == "李梅"
    assert any('"type":"benefit"' in line for line in dump_lines(t.db))
    # the clerk records the care subsidy the township pays; the grid learns of it
    record_benefit(t.db, r.id, "temporary_assistance", start_on="2026-11-01", end_on="2026-12-31", today=TODAY)
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01")
    assert merge_paths(w, [back.path]).refused == []
    assert _benefits(w) == _benefits(t.db)
    assert list(dump_lines(w)) != [] and len(_benefits(w)) == 2


def test_a_helper_and_a_benefit_end_edited_on_both_sides_unseen_are_queued_for_review(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张三")
    b = record_benefit(w, r.id, "dibao", start_on="2025-03-01", today=TODAY)
    merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path])
    # neither has seen the other's change
    set_paired_helper(t.db, r.id, "王强", "13900003333", "镇政府", "2026-02-01", today=TODAY)
    end_benefit(t.db, b.id, "2026-10-31", today=TODAY)
    set_paired_helper(w, r.id, "李梅", "13800002222", "村委会", "2026-01-01", today=TODAY)
    end_benefit(w, b.id, "2026-11-30", today=TODAY)
    merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path])
    with t.db.session() as s:
        fields = sorted((c.record_type, c.field) for c in s.exec(select(Conflict)).all())
    assert ("benefit", "end_on") in fields
    assert {("resident", f) for f in ("helper_name", "helper_phone", "helper_unit", "helper_since")} <= set(fields)
    assert {v.conflict.field for v in open_conflicts(t.db)} >= {"helper_name", "end_on"}
    # the winner is the same on both sides once each has the other's events
    merge_paths(w, [export_bundle(t.db, tmp_path / "back", grid_code="G01").path])
    with t.db.session() as s, w.session() as s2:
        assert s.get(Resident, r.id).helper_name == s2.get(Resident, r.id).helper_name
        assert s.get(Benefit, b.id).end_on == s2.get(Benefit, b.id).end_on


# --- authorisation at merge (storage/sync/authorise.py): a benefit belongs to its resident's grid

def _attack(tmp_path, events_for):
    from tests.trust_helpers import _DeviceKeys, _forge, _merged_world

    t, a, b, ra, rb = _merged_world(tmp_path)
    theirs = record_benefit(b, rb.id, "dibao", start_on="2025-01-01", today=TODAY)  # grid 2's, known to the township
    merge_paths(t.db, [export_bundle(b, tmp_path / "b2.gcb").path])
    k = _DeviceKeys(a)
    forged = _forge(t, tmp_path, "forged.gcb", events_for(k, ra, rb, theirs), device_id=k.device_id, worker=k.worker,
                    grid=k.grid, keys=k, proof=k.proof, seq=2)
    before = list(dump_lines(t.db))
    outcome = merge_paths(t.db, [forged]).bundles[0]
    return t, outcome, before


def test_a_device_may_not_record_or_end_another_grids_benefit(tmp_path):
    from tests.trust_helpers import _event

    attacks = [
        lambda k, ra, rb, theirs: [_event(k.device_id, 10**15, "benefit", "b-new", {
            "resident_id": rb.id, "kind": "care_subsidy", "start_on": "2026-01-01"}, k.worker)],
        lambda k, ra, rb, theirs: [_event(k.device_id, 10**15, "benefit", theirs.id, {"end_on": "2026-01-31"}, k.worker)],
        lambda k, ra, rb, theirs: [_event(k.device_id, 10**15, "benefit", theirs.id, {"resident_id": ra.id}, k.worker)],
    ]
    for n, attack in enumerate(attacks):
        t, outcome, before = _attack(tmp_path / str(n), attack)
        assert (outcome.status, outcome.code) == ("refused", "not_allowed"), outcome.message
        assert list(dump_lines(t.db)) == before


def test_a_device_records_its_own_residents_benefit(tmp_path):
    from tests.trust_helpers import _event

    t, outcome, _before = _attack(tmp_path, lambda k, ra, rb, theirs: [_event(k.device_id, 10**15, "benefit", "b-mine", {
        "resident_id": ra.id, "kind": "tekun", "start_on": "2020-01-01"}, k.worker)])
    assert outcome.status == "new", outcome.message
    with t.db.session() as s:
        assert s.get(Benefit, "b-mine").kind == "tekun"

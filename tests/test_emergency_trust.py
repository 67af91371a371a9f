"""Authorisation at merge (storage/sync/authorise.py) for the assessment and the acknowledgement of emergencies:
a worker device assesses its own grid's residents only, and never acknowledges an emergency (the township does)."""

from __future__ import annotations

import pytest

from storage.core.china_day import china_today
from storage.core.models import Assessment
from storage.register.assessments import DIMENSIONS, assess_resident
from storage.register.visits import log_visit
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.trust_helpers import _DeviceKeys, _event, _forge, _merged_world

GRADES = {d: "mild" for d in DIMENSIONS}


def _assessment(resident_id):
    return {"resident_id": resident_id, "assessed_on": "2026-11-20", "assessor": "王芳", **GRADES, "notes": {}}


ATTACKS = {
    "acknowledge an emergency": lambda k, ra, rb, others: [
        _event(k.device_id, 10**15, "emergency_ack", "visit:" + others["visit"],
               {"resident_id": ra.id, "acknowledged_at": "2026-11-20T10:00:00+00:00", "acknowledged_by": k.worker},
               k.worker)],
    "assess another grid's resident": lambda k, ra, rb, others: [
        _event(k.device_id, 10**15, "assessment", "a-forged", _assessment(rb.id), k.worker)],
    "regrade another grid's assessment": lambda k, ra, rb, others: [
        _event(k.device_id, 10**15, "assessment", others["assessment_b"], {"economy": "none"}, k.worker)],
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_worker_never_acknowledges_nor_assesses_another_grid(tmp_path, attack):
    t, a, b, ra, rb = _merged_world(tmp_path)
    today = china_today()
    visit = log_visit(a, ra.id, {"visit_date": today, "mandatory_report": True}, today=today)
    assessed = assess_resident(b, rb.id, GRADES, today=today)
    merge_paths(t.db, [export_bundle(a, tmp_path / "a2.gcb").path, export_bundle(b, tmp_path / "b2.gcb").path])
    k = _DeviceKeys(a)
    events = ATTACKS[attack](k, ra, rb, {"visit": visit.id, "assessment_b": assessed.id})
    forged = _forge(t, tmp_path, "forged.gcb", events, device_id=k.device_id, worker=k.worker, grid=k.grid, keys=k,
                    proof=k.proof, seq=3)
    before = list(dump_lines(t.db))
    outcome = merge_paths(t.db, [forged]).bundles[0]
    assert (outcome.status, outcome.code) == ("refused", "not_allowed"), outcome.message
    assert list(dump_lines(t.db)) == before


def test_a_worker_assesses_its_own_residents_and_the_assessment_merges(tmp_path):
    t, a, _b, ra, _rb = _merged_world(tmp_path)
    k = _DeviceKeys(a)
    forged = _forge(t, tmp_path, "mine.gcb", [_event(k.device_id, 10**15, "assessment", "a-mine", _assessment(ra.id),
                                                     k.worker)],
                    device_id=k.device_id, worker=k.worker, grid=k.grid, keys=k, proof=k.proof, seq=2)
    assert merge_paths(t.db, [forged]).bundles[0].status == "new"
    with t.db.session() as s:
        assert s.get(Assessment, "a-mine").resident_id == ra.id

"""Issue #19, item 2: an enrolled device writes only its own grid, as itself, relays nothing; tried as an
attacker would (tests/trust_helpers.py forges the bundles). Each failed on the code before authorisation at merge.
"""

from __future__ import annotations

import pytest

from storage.core.models import Visit
from storage.register.residents import update_resident
from storage.register.visits import log_visit
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.trust_helpers import TOWNSHIP, _DeviceKeys, _event, _forge, _merged_world, _resident_fields

ATTACKS = {
    # name: (record type, record id chooser, fields, device/author override)
    "delete another grid's resident": lambda k, rb, ra: [_event(k.device_id, 10**15, "resident", rb.id, {"deleted": True},
                                                                k.worker)],
    "rename another grid's resident": lambda k, rb, ra: [_event(k.device_id, 10**15, "resident", rb.id,
                                                                {"name": "冒名", "id_number": "11010519491231002X"},
                                                                k.worker)],
    "move a resident into its grid": lambda k, rb, ra: [_event(k.device_id, 10**15, "resident", rb.id,
                                                               {"grid_code": f"{TOWNSHIP}-{k.grid}"}, k.worker)],
    "register a resident in another grid": lambda k, rb, ra: [_event(k.device_id, 10**15, "resident", "new1",
                                                                     _resident_fields("G02"), k.worker)],
    "visit another grid's resident": lambda k, rb, ra: [_event(k.device_id, 10**15, "visit", "v1",
                                                               {"resident_id": rb.id, "visit_date": "2026-11-20"},
                                                               k.worker)],
    "speak as another device": lambda k, rb, ra: [_event("0123456789abcdef", 10**15, "resident", ra.id,
                                                         {"phone": "13900000000"}, k.worker)],
    "write in another worker's name": lambda k, rb, ra: [_event(k.device_id, 10**15, "resident", ra.id,
                                                                {"phone": "13900000000"}, "李强")],
    "take another device's event id": lambda k, rb, ra: [{**_event(k.device_id, 10**15, "resident", ra.id,
                                                                   {"phone": "13900000000"}, k.worker),
                                                          "id": f"0123456789abcdef-{10**15}"}],
    "set the township's visit policy": lambda k, rb, ra: [_event(k.device_id, 10**15, "setting", "visit_policy",
                                                                 {"value": {"default_days": 3650}}, k.worker)],
    "rename the township": lambda k, rb, ra: [_event(k.device_id, 10**15, "township", TOWNSHIP, {"name": "假镇"},
                                                     k.worker)],
    # its own grid's residents, but a merge of duplicates: a chain of them is followed by every report
    "merge its own resident into another": lambda k, rb, ra: [_event(k.device_id, 10**15, "resident", ra.id,
                                                                    {"merged_into": "mine1"}, k.worker)],
    "undo a merge": lambda k, rb, ra: [_event(k.device_id, 10**15, "resident", ra.id, {"merged_into": None},
                                              k.worker)],
    "rename another grid": lambda k, rb, ra: [_event(k.device_id, 10**15, "grid", f"{TOWNSHIP}-G02", {"name": "假"},
                                                     k.worker)],
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_enrolled_device_writes_only_its_own_grid_as_itself(tmp_path, attack):
    t, a, _b, ra, rb = _merged_world(tmp_path)
    k = _DeviceKeys(a)
    # the forbidden event hidden between two allowed ones: the whole bundle is refused
    allowed = [_event(k.device_id, 10**15 - 2, "resident", "mine1", _resident_fields(k.grid, "合法甲"), k.worker),
               _event(k.device_id, 10**15 + 5, "visit", "mine-v", {"resident_id": "mine1", "visit_date": "2026-11-21",
                                                                   "method": "home"},
                      k.worker)]
    events = allowed[:1] + ATTACKS[attack](k, rb, ra) + allowed[1:]
    forged = _forge(t, tmp_path, "forged.gcb", events, device_id=k.device_id, worker=k.worker, grid=k.grid, keys=k,
                    proof=k.proof, seq=2)
    before = list(dump_lines(t.db))
    report = merge_paths(t.db, [forged])
    outcome = report.bundles[0]
    assert (outcome.status, outcome.code) == ("refused", "not_allowed"), outcome.message
    assert "forged.gcb: record " in outcome.message and "\n" not in outcome.message
    assert list(dump_lines(t.db)) == before


def test_its_own_new_resident_and_a_visit_in_the_same_bundle_are_merged(tmp_path):
    t, a, _b, _ra, _rb = _merged_world(tmp_path)
    k = _DeviceKeys(a)
    events = [_event(k.device_id, 10**15, "resident", "mine1", _resident_fields(k.grid, "合法甲"), k.worker),
              _event(k.device_id, 10**15 + 1, "visit", "mine-v",
                     {"resident_id": "mine1", "visit_date": "2026-11-21", "method": "home"}, k.worker)]
    forged = _forge(t, tmp_path, "mine.gcb", events, device_id=k.device_id, worker=k.worker, grid=k.grid, keys=k,
                    proof=k.proof, seq=2)
    assert merge_paths(t.db, [forged]).bundles[0].status == "new"
    with t.db.session() as s:
        assert s.get(Visit, "mine-v").resident_id == "mine1"


def test_a_worker_still_writes_about_a_resident_the_township_moved_away(tmp_path):
    """Offline, the G01 worker visits a resident the clerk has just moved to G02: the visit is merged."""
    t, a, _b, ra, _rb = _merged_world(tmp_path)
    update_resident(t.db, ra.id, {"grid_code": f"{TOWNSHIP}-G02"})
    log_visit(a, ra.id, {"notes": "还不知道已经转走"})
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "a2.gcb").path])
    assert report.bundles[0].status == "new", report.bundles[0].message


def test_a_worker_bundle_relays_nothing_and_a_township_bundle_from_a_worker_key_is_refused(tmp_path):
    t, a, _b, ra, _rb = _merged_world(tmp_path)
    k = _DeviceKeys(a)
    relay = _forge(t, tmp_path, "relay.gcb", [_event(k.device_id, 10**15, "resident", ra.id, {"phone": "1"}, k.worker)],
                   device_id=k.device_id, worker=k.worker, grid=k.grid, keys=k, proof=k.proof, seq=2, kind="township")
    assert merge_paths(t.db, [relay]).bundles[0].code == "untrusted_signer"
    # a worker's full export carries its own changes only, never the township's it received
    update_resident(t.db, ra.id, {"address": "镇上改的地址"})
    merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="G01").path])
    full = export_bundle(a, tmp_path / "full.gcb", full=True).path
    report = merge_paths(t.db, [full])
    assert report.bundles[0].status == "new", report.bundles[0].message


# ---------------------------------------------------------------- item 4: pre-emption, revocation, reset


def test_a_first_bundle_of_the_release_before_enrollment_may_repeat_the_township_name_only(tmp_path):
    """That release wrote the township's name into every worker's first bundle: merged when the name is
    exactly the township's (it changes nothing); any other name is a rename, refused."""
    t, a, _b, _ra, _rb = _merged_world(tmp_path)
    k = _DeviceKeys(a)
    same = _forge(t, tmp_path, "same.gcb", [_event(k.device_id, 10**15, "township", TOWNSHIP, {"name": "新市镇"},
                                                   k.worker)],
                  device_id=k.device_id, worker=k.worker, grid=k.grid, keys=k, proof=k.proof, seq=2)
    other = _forge(t, tmp_path, "other.gcb", [_event(k.device_id, 10**15 + 1, "township", TOWNSHIP, {"name": "新市"},
                                                     k.worker)],
                   device_id=k.device_id, worker=k.worker, grid=k.grid, keys=k, proof=k.proof, seq=3)
    before = list(dump_lines(t.db))
    report = merge_paths(t.db, [same, other])
    assert [(b.status, b.code) for b in report.bundles] == [("new", ""), ("refused", "not_allowed")]
    assert list(dump_lines(t.db)) == before  # the same name: nothing changed

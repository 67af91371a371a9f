"""Issue #19, items 1, 2 and 4: who may write what, tried as an attacker would.

The attacker has the township's public key file (every worker has it) and the project's own
bundle writer; it knows device ids and worker names (file names and manifests show them).
Each test forges bundles that way and checks the township's answer; each failed on the code
before enrollment (trust on first use, no authorisation at merge).
"""


from __future__ import annotations

from pathlib import Path

import pyrage
import pytest

from storage.core.errors import UserError, ValidationError
from storage.core.keys import generate_keypair
from storage.core.models import Device
from storage.core.private_keys import private_keys
from storage.register.residents import update_resident
from storage.register.visits import log_visit
from storage.sync import devices
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tests.trust_helpers import TOWNSHIP, _event, _forge, _ident, _merged_world, _names


def test_a_device_nobody_enrolled_waits_and_never_receives_the_grid(tmp_path):
    t, a, _b, ra, _rb = _merged_world(tmp_path)
    attacker = generate_keypair()
    empty = _forge(t, tmp_path, "attacker.gcb", [], device_id="feedfacecafe0001", worker="王芳", grid="G01", keys=attacker)
    before = list(dump_lines(t.db))
    report = merge_paths(t.db, [empty])
    assert report.bundles[0].status == "waiting" and report.refused == []
    assert list(dump_lines(t.db)) == before
    with t.db.session() as s:
        assert s.get(Device, "feedfacecafe0001") is None  # not registered: it waits
    waiting = [v for v in devices.list_devices(t.db) if v.status == "waiting"]
    assert [(v.device_id, v.grid_code) for v in waiting] == [("feedfacecafe0001", "G01")]

    # the return bundle for G01 is encrypted to the enrolled device only: the attacker reads nothing
    update_resident(t.db, ra.id, {"phone": "13800000009"})
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01").path
    ciphertext = back.read_bytes()[-_payload_size(back):]
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(ciphertext, [pyrage.x25519.Identity.from_str(attacker.age_secret)])
    pyrage.decrypt(ciphertext, [pyrage.x25519.Identity.from_str(private_keys(a.path).device_age_secret)])

    # a grid no device is enrolled for gets no bundle at all
    _forge(t, tmp_path, "g09.gcb", [], device_id="feedfacecafe0009", worker="某人", grid="G09")
    merge_paths(t.db, [tmp_path / "g09.gcb"])
    with pytest.raises(UserError, match="No device is enrolled for grid G09"):
        export_bundle(t.db, tmp_path / "back9", grid_code="G09")


def _payload_size(path: Path) -> int:
    from storage.sync.bundle_file import read_manifest

    return read_manifest(path)["payload_size"]


def test_the_clerk_approves_a_waiting_device_for_its_grid_and_its_bundle_merges(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("赵敏", "G03", enrolled=False)  # set up without a code
    elder(w, "王五")
    bundle = export_bundle(w, tmp_path / "usb").path
    assert merge_paths(t.db, [bundle]).bundles[0].status == "waiting"
    assert "王五" not in _names(t.db)
    me = _ident(w)
    with pytest.raises(UserError, match="set up for grid G03"):
        devices.approve(t.db, me.device_id[:8], "G01")  # one grid, the one it writes
    view, files = devices.approve(t.db, me.device_id[:8], "G03")
    assert view.status == "approved" and files == [bundle]
    assert merge_paths(t.db, files).bundles[0].status == "new"
    assert "王五" in _names(t.db)
    assert [(v.status, v.grid_code, v.enrolled_by) for v in devices.list_devices(t.db)] == [("approved", "G03", "clerk")]


def test_a_rejected_device_is_refused_from_then_on(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("赵敏", "G03", enrolled=False)
    elder(w, "王五")
    first = export_bundle(w, tmp_path / "1.gcb").path
    merge_paths(t.db, [first])
    devices.revoke(t.db, _ident(w).device_id, only_waiting=True)
    report = merge_paths(t.db, [first])
    assert report.bundles[0].status == "refused" and report.bundles[0].code == "rejected"
    assert "王五" not in _names(t.db)


# ---------------------------------------------------------------- enrollment codes


def test_an_enrollment_code_enrolls_one_device_for_one_grid(tmp_path):
    from storage.core.db import open_database
    from storage.core.identity import init_worker
    from storage.core.models import Enrollment

    t = make_township(tmp_path)
    code, view = devices.enroll(t.db, "G01", "王芳")
    with t.db.session() as s:
        stored = s.get(Enrollment, view.id)
        assert code.replace("-", "") not in repr(stored.model_dump())  # only a key derived from it is kept

    def laptop(name: str, grid: str, typed: str):
        db = open_database(tmp_path / f"{name}.db")
        init_worker(db, TOWNSHIP, "新市镇", grid, "网格", "王芳", t.key, enroll_code=typed)
        elder(db, f"{name}的对象")
        return export_bundle(db, tmp_path / f"{name}.gcb").path

    # read over the phone: lower case, spaces, O for 0 and I for 1 all do
    spoken = code.lower().replace("-", " ").replace("0", "o").replace("1", "i")
    first = laptop("first", "G01", spoken)
    copy = laptop("second", "G01", code)  # the same code on a second laptop
    other_grid = laptop("g02", "G02", code)  # the code was made for G01
    report = merge_paths(t.db, [first, copy, other_grid])
    assert [(b.status, b.code) for b in report.bundles] == [("new", ""), ("waiting", "code_used"),
                                                            ("waiting", "bad_code")]
    assert [(v.status, v.grid_code, v.enrolled_by) for v in devices.list_devices(t.db)][0] == ("approved", "G01", "code")
    assert devices.enrollments(t.db) == []  # used up


def test_a_mistyped_enrollment_code_is_caught_when_typed(tmp_path):
    from storage.core.db import open_database
    from storage.core.identity import init_worker

    t = make_township(tmp_path)
    code, _view = devices.enroll(t.db, "G01", "王芳")
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")  # the check character no longer matches
    db = open_database(tmp_path / "w.db")
    with pytest.raises(ValidationError, match="enrollment code"):
        init_worker(db, TOWNSHIP, "新市镇", "G01", "网格", "王芳", t.key, enroll_code=wrong)
    init_worker(db, TOWNSHIP, "新市镇", "G01", "网格", "王芳", t.key, enroll_code=code)
    with pytest.raises(UserError, match="Only a township"):  # a worker's database makes no codes
        devices.enroll(db, "G01", "王芳")


# ---------------------------------------------------------------- item 2: an enrolled device writes only its grid


def test_an_impostor_merged_first_does_not_lock_out_the_genuine_worker(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    genuine = export_bundle(a, tmp_path / "genuine.gcb").path
    me = _ident(a)
    # the impostor read the device id from the genuine file's name and got its bundle in first
    impostor = _forge(t, tmp_path, "a-impostor.gcb", [_event(me.device_id, 10**15, "resident", r.id, {"deleted": True},
                                                             me.worker_name)],
                      device_id=me.device_id, worker=me.worker_name, grid="G01")
    report = merge_paths(t.db, [impostor, genuine])
    assert [b.status for b in report.bundles] == ["waiting", "new"]
    assert "张三" in _names(t.db)
    log_visit(a, r.id, {"notes": "第二次"})
    assert merge_paths(t.db, [export_bundle(a, tmp_path / "genuine2.gcb").path]).bundles[0].status == "new"
    # once the real key is enrolled, the impostor's bundles are refused, not listed again
    assert merge_paths(t.db, [impostor]).bundles[0].code == "untrusted_signer"


def test_trust_can_be_reset_when_the_clerk_approved_the_wrong_key(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    me = _ident(a)
    impostor = _forge(t, tmp_path, "impostor.gcb", [], device_id=me.device_id, worker=me.worker_name, grid="G01")
    merge_paths(t.db, [impostor])
    devices.approve(t.db, me.device_id, "G01")  # the clerk did not check the fingerprint
    genuine = export_bundle(a, tmp_path / "genuine.gcb").path
    assert merge_paths(t.db, [genuine]).bundles[0].code == "untrusted_signer"
    devices.revoke(t.db, me.device_id)  # reset: the wrong key out
    report = merge_paths(t.db, [genuine])  # the genuine device's code enrolls it now
    assert report.bundles[0].status == "new", report.bundles[0].message
    assert "张三" in _names(t.db)
    assert merge_paths(t.db, [impostor]).bundles[0].code == "untrusted_signer"


def test_a_lost_laptop_is_revoked_and_the_new_one_enrolled(tmp_path):
    t = make_township(tmp_path)
    old = t.worker("王芳", "G01", path=tmp_path / "old.db")
    r = elder(old, "张三")
    merge_paths(t.db, [export_bundle(old, tmp_path / "old1.gcb").path])
    new = t.worker("王芳", "G01", path=tmp_path / "new.db")  # re-enrolled: a new code for the new laptop
    elder(new, "李四")
    merge_paths(t.db, [export_bundle(new, tmp_path / "new1.gcb").path])
    # while both are enrolled, the return bundle is readable by both
    update_resident(t.db, r.id, {"phone": "13800000001"})
    back = export_bundle(t.db, tmp_path / "back1", grid_code="G01").path
    assert merge_paths(old, [back]).refused == [] and merge_paths(new, [back]).refused == []
    # the old laptop is lost: revoked, its bundles refused, the next return bundle unreadable to it
    devices.revoke(t.db, _ident(old).device_id[:8])
    log_visit(old, r.id, {"notes": "被偷的电脑"})
    assert merge_paths(t.db, [export_bundle(old, tmp_path / "old2.gcb").path]).bundles[0].code == "revoked"
    update_resident(t.db, r.id, {"phone": "13800000002"})
    back2 = export_bundle(t.db, tmp_path / "back2", grid_code="G01").path
    assert merge_paths(old, [back2]).bundles[0].code == "wrong_key"
    assert merge_paths(new, [back2]).refused == []
    statuses = sorted((v.status, v.device_id == _ident(new).device_id) for v in devices.list_devices(t.db))
    assert statuses == [("approved", True), ("revoked", False)]


def test_an_upgrade_keeps_devices_registered_by_first_use_approved(tmp_path):
    """A township database of schema 4 (trust on first use) opens with its devices approved for the
    grid they claimed: the real workers go on merging and receiving their grid's bundle."""
    import sqlite3

    from storage.core.db import open_database
    from tests.foundation_helpers import copy_db

    t, a, _b, ra, _rb = _merged_world(tmp_path)
    t.db.dispose()
    old = copy_db(t.db.path, tmp_path / "old-township.db")
    conn = sqlite3.connect(str(old))
    conn.executescript("""
        DROP TABLE enrollment; DROP TABLE device_request;
        CREATE TABLE device_v3 AS SELECT device_id, sign_public, age_recipient, kind, township_code, grid_code,
            worker_name, first_seen, last_seen FROM device;
        DROP TABLE device; ALTER TABLE device_v3 RENAME TO device;
        ALTER TABLE identity DROP COLUMN enroll_proof;
        PRAGMA user_version = 4;
    """)
    conn.commit()
    conn.close()
    db = open_database(old)
    assert db.upgraded_from == 4
    assert sorted((v.status, v.grid_code, v.enrolled_by) for v in devices.list_devices(db)) == [
        ("approved", "G01", "first use"), ("approved", "G02", "first use")]
    log_visit(a, ra.id, {"notes": "升级以后"})
    assert merge_paths(db, [export_bundle(a, tmp_path / "a2.gcb").path]).bundles[0].status == "new"
    update_resident(db, ra.id, {"phone": "13800000005"})
    assert merge_paths(a, [export_bundle(db, tmp_path / "back", grid_code="G01").path]).refused == []


def test_a_worker_database_has_no_devices_to_manage(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    for call in (lambda: devices.list_devices(w), lambda: devices.enrollments(w),
                 lambda: devices.approve(w, "abcd", "G01"), lambda: devices.revoke(w, "abcd")):
        with pytest.raises(UserError, match="Only a township"):
            call()

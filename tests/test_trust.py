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
from sqlmodel import select

from storage.core.errors import UserError, ValidationError
from storage.core.keys import generate_keypair, read_public_key_file
from storage.core.models import Device, Identity, Resident, Visit
from storage.core.private_keys import private_keys
from storage.register.residents import update_resident
from storage.register.visits import log_visit
from storage.sync import devices
from storage.sync.bundle_file import write_bundle
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township

TOWNSHIP = "330521101"


def _ident(db) -> Identity:
    with db.session() as s:
        return s.get(Identity, 1)


def _forge(t, folder: Path, name: str, events: list[dict], *, device_id: str, worker: str, grid: str,
           keys=None, proof: str = "", seq: int = 1, kind: str = "worker") -> Path:
    """A bundle written by the project's writer, signed by `keys` (a fresh pair by default): exactly what an
    attacker holding only the township's public key file can make."""
    keys = keys or generate_keypair()
    manifest = {"kind": kind, "township_code": TOWNSHIP, "grid_code": f"{TOWNSHIP}-{grid}", "device_id": device_id,
                "worker": worker, "seq": seq, "age_recipient": keys.age_recipient, "sign_public": keys.sign_public}
    if proof:
        manifest["enroll_proof"] = proof
    recipient = read_public_key_file(t.key).age_recipient
    return write_bundle(folder / name, manifest, events, recipient, keys.sign_secret).path


class _DeviceKeys:
    """A real device's keys, as its own database holds them (an enrolled device turned hostile)."""

    def __init__(self, db):
        ident, secret = _ident(db), private_keys(db.path)
        self.age_recipient, self.sign_public = ident.device_age_recipient, ident.device_sign_public
        self.sign_secret, self.age_secret = secret.device_sign_secret, secret.device_age_secret
        self.device_id, self.worker, self.proof = ident.device_id, ident.worker_name, ident.enroll_proof
        self.grid = ident.grid_code.split("-", 1)[1]


def _event(device: str, hlc: int, record_type: str, record_id: str, fields: dict, author: str) -> dict:
    # a high base clock (it claims to have seen everything), yet below its own: a base at or above the
    # event's own clock is no event a writer makes, refused as malformed (storage/core/schema.py)
    return {"id": f"{device}-{hlc}", "record_type": record_type, "record_id": record_id, "fields": fields, "hlc": hlc,
            "device_id": device, "base_hlc": hlc - 1, "author": author}


def _resident_fields(grid: str, name: str = "冒名") -> dict:
    return {"name": name, "grid_code": f"{TOWNSHIP}-{grid}", "township_code": TOWNSHIP, "categories": ["solitary_elder"],
            "birth_date": "1950-01-01"}


def _names(db) -> list[str]:
    with db.session() as s:
        return sorted(r.name for r in s.exec(select(Resident)).all())


def _merged_world(tmp_path):
    """A township with G01 (王芳) and G02 (李强) enrolled, each grid's first bundle merged."""
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    ra, rb = elder(a, "张三"), elder(b, "李四")
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "a1.gcb").path, export_bundle(b, tmp_path / "b1.gcb").path])
    assert [x.status for x in report.bundles] == ["new", "new"]
    return t, a, b, ra, rb


# ---------------------------------------------------------------- item 1: a device nobody enrolled


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
    "rename another grid": lambda k, rb, ra: [_event(k.device_id, 10**15, "grid", f"{TOWNSHIP}-G02", {"name": "假"},
                                                     k.worker)],
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_an_enrolled_device_writes_only_its_own_grid_as_itself(tmp_path, attack):
    t, a, _b, ra, rb = _merged_world(tmp_path)
    k = _DeviceKeys(a)
    # the forbidden event hidden between two allowed ones: the whole bundle is refused
    allowed = [_event(k.device_id, 10**15 - 2, "resident", "mine1", _resident_fields(k.grid, "合法甲"), k.worker),
               _event(k.device_id, 10**15 + 5, "visit", "mine-v", {"resident_id": "mine1", "visit_date": "2026-11-21"},
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
              _event(k.device_id, 10**15 + 1, "visit", "mine-v", {"resident_id": "mine1", "visit_date": "2026-11-21"},
                     k.worker)]
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

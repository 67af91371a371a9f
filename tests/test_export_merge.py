"""Export and merge end to end: worker -> township -> worker, refusals, sequences, interruptions."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlmodel import select

from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.models import Event, Resident, Visit
from storage.register.residents import update_resident
from storage.register.visits import delete_visit, log_visit
from storage.sync.bundle_file import read_manifest
from storage.sync.conflicts import open_conflicts, resolve_conflict
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle, pending_counts
from storage.sync.merge import merge_paths
from tests.foundation_helpers import copy_db
from tests.sync_helpers import elder, make_township


def _names(db):
    with db.session() as s:
        return sorted(r.name for r in s.exec(select(Resident)).all())


def test_round_trip_worker_township_worker(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    ra = elder(a, "张三")
    log_visit(a, ra.id, {"notes": "身体还好"})
    elder(b, "单小明")
    # the township's own record stays on the laptop: only the township writes it (storage/sync/authorise.py)
    assert pending_counts(a) == {"grid": 1, "resident": 1, "visit": 1}
    out = tmp_path / "usb"
    out.mkdir()
    ea = export_bundle(a, out)
    export_bundle(b, out)
    assert ea.seq == 1 and "王芳" in ea.path.name and ea.path.name.endswith("-0001-" + ea.path.name[-12:])
    assert pending_counts(a) == {}
    with pytest.raises(UserError, match="Nothing new"):
        export_bundle(a, out)

    report = merge_paths(t.db, [out])
    assert [x.status for x in report.bundles] == ["new", "new"]
    assert report.added >= 5 and report.conflicts == 0 and report.refused == []
    assert {(w, township) for _, w, _, township in report.new_devices} == {("王芳", ""), ("李强", "")}
    assert _names(t.db) == ["单小明", "张三"]

    again = merge_paths(t.db, [out])
    assert [x.status for x in again.bundles] == ["already", "already"]

    # the township corrects the phone; the grid gets it back
    update_resident(t.db, ra.id, {"phone": "13800138000"})
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01")
    assert read_manifest(back.path)["kind"] == "township"
    merged = merge_paths(a, [back.path])
    assert merged.refused == []
    with a.session() as s:
        assert s.get(Resident, ra.id).phone == "13800138000"
    # data minimisation: grid 2's resident is not in grid 1's bundle
    assert "单小明" not in _names(a)
    # the grid-2 worker cannot read grid 1's bundle
    refused = merge_paths(b, [back.path])
    assert refused.bundles[0].status == "refused"


def test_refused_bundles_change_nothing(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    good = export_bundle(a, tmp_path / "out.gcb").path
    before = list(dump_lines(t.db))
    data = good.read_bytes()
    # the middle of the encrypted contents: the middle of the file can fall in the header of a small bundle
    middle = (len(data) + len(b"\n".join(data.split(b"\n", 3)[:3])) + 1) // 2
    cases = {"empty.gcb": b"", "cut.gcb": data[:-50], "flip.gcb": data[:-10] + bytes([data[-10] ^ 1]) + data[-9:],
             "notes.gcb": "这不是数据包".encode(), "v9.gcb": data.replace(b"GRIDCARE-BUNDLE 1", b"GRIDCARE-BUNDLE 9", 1),
             "header.gcb": data.replace(b'"seq":1', b'"seq":7', 1),
             "middle.gcb": data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1:]}
    expected = {"empty.gcb": "empty", "cut.gcb": "truncated", "flip.gcb": "altered", "notes.gcb": "not_bundle",
                "v9.gcb": "unknown_version", "header.gcb": "bad_signature", "middle.gcb": "altered"}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        report = merge_paths(t.db, [tmp_path / name])
        assert report.bundles[0].status == "refused" and name in report.bundles[0].message
        assert report.bundles[0].code == expected[name], (name, report.bundles[0].code)
        assert list(dump_lines(t.db)) == before

    (tmp_path / "same").mkdir()
    same_code_other_key = make_township(tmp_path / "same")
    assert merge_paths(same_code_other_key.db, [good]).bundles[0].code == "wrong_key"
    from storage.core.db import open_database
    from storage.core.identity import init_township

    elsewhere = open_database(tmp_path / "elsewhere.db")
    init_township(elsewhere, "110105001", "别的镇", tmp_path / "elsewhere.pub")
    before_elsewhere = list(dump_lines(elsewhere))
    report = merge_paths(elsewhere, [good])
    assert report.bundles[0].code == "wrong_township" and "110105001" in report.bundles[0].message
    assert list(dump_lines(elsewhere)) == before_elsewhere


def test_a_device_key_mismatch_is_refused_after_first_use(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    first = export_bundle(a, tmp_path / "1.gcb").path
    merge_paths(t.db, [first])
    # a copy of the worker's database with another signing key claims the same device
    clone_path = tmp_path / "clone.db"
    a.dispose()
    copy_db(a.path, clone_path)
    from storage.core.db import open_database
    from storage.core.keys import generate_keypair
    from storage.core.models import Identity
    from storage.core.private_keys import read_keys, write_keys

    clone = open_database(clone_path)
    with clone.write() as s:
        ident = s.get(Identity, 1)
        keys = generate_keypair()
        ident.device_sign_public = keys.sign_public
    write_keys(clone_path, replace(read_keys(clone_path), device_sign_secret=keys.sign_secret))
    elder(clone, "假冒")
    forged = export_bundle(clone, tmp_path / "2.gcb").path
    before = list(dump_lines(t.db))
    report = merge_paths(t.db, [forged])
    assert report.bundles[0].code == "untrusted_signer" and "signed by another key" in report.bundles[0].message
    assert list(dump_lines(t.db)) == before
    assert "假冒" not in _names(t.db)


def test_missing_bundle_numbers_are_reported(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    paths = []
    for name in ("甲", "乙", "丙"):
        elder(a, name)
        paths.append(export_bundle(a, tmp_path / f"{name}.gcb").path)
    report = merge_paths(t.db, [paths[0], paths[2]])
    assert [(w, n) for _, w, n in report.missing] == [("王芳", 2)]
    assert merge_paths(t.db, [paths[1]]).missing == []


def test_an_interrupted_merge_leaves_nothing_and_can_be_run_again(tmp_path, monkeypatch):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    log_visit(a, r.id, {})
    bundle = export_bundle(a, tmp_path / "1.gcb").path
    before = list(dump_lines(t.db))
    import storage.sync.merge as merge_module

    def boom(*args, **kwargs):
        raise KeyboardInterrupt  # as if the process were stopped half-way

    monkeypatch.setattr(merge_module, "rebuild", boom)
    with pytest.raises(KeyboardInterrupt):
        merge_paths(t.db, [bundle])
    assert list(dump_lines(t.db)) == before
    monkeypatch.undo()
    report = merge_paths(t.db, [bundle])
    assert report.bundles[0].status == "new" and _names(t.db) == ["张三"]


def test_a_delete_is_not_undone_by_an_older_bundle(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    v = log_visit(a, r.id, {"notes": "第一次"})
    older = export_bundle(a, tmp_path / "1.gcb").path
    delete_visit(a, v.id)
    newer = export_bundle(a, tmp_path / "2.gcb").path
    merge_paths(t.db, [newer])
    merge_paths(t.db, [older])
    with t.db.session() as s:
        assert s.get(Visit, v.id).deleted is True


def test_concurrent_edit_by_worker_and_township_is_a_conflict_and_the_decision_travels(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", phone="13800000001")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"phone": "13800000002"})  # the worker, offline
    update_resident(t.db, r.id, {"phone": "13800000003"})  # the clerk, meanwhile
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    assert report.conflicts == 1
    (view,) = open_conflicts(t.db)
    c = view.conflict
    assert view.record_label == "张三" and c.field == "phone"
    assert {c.winner_value, c.loser_value} == {"13800000002", "13800000003"}
    resolve_conflict(t.db, c.id, "13800000002", today=dt.date(2026, 11, 24))
    assert open_conflicts(t.db) == []
    merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="G01").path])
    with a.session() as s:
        assert s.get(Resident, r.id).phone == "13800000002"
    assert open_conflicts(a) == []


def _signed_by_worker(t, worker, name: str, events: list[dict], path):
    """A bundle the worker's device signs, holding exactly `events` (checked ones or not), for the township."""
    from storage.core.keys import read_public_key_file
    from storage.core.models import Identity
    from storage.sync.bundle_file import write_bundle

    with worker.session() as s:
        ident = s.get(Identity, 1)
    manifest = {"kind": "worker", "township_code": "330521101", "grid_code": ident.grid_code, "device_id": ident.device_id,
                "worker": name, "seq": 1, "age_recipient": ident.device_age_recipient, "sign_public": ident.device_sign_public,
                "enroll_proof": ident.enroll_proof}
    from storage.core.private_keys import private_keys

    return write_bundle(path, manifest, events, read_public_key_file(t.key).age_recipient,
                        private_keys(worker.path).device_sign_secret).path


def _device(db) -> str:
    from storage.core.models import Identity

    with db.session() as s:
        return s.get(Identity, 1).device_id


def test_a_value_of_the_wrong_type_refuses_the_bundle_and_changes_nothing(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    device = _device(a)
    bad = [{"id": f"{device}-5", "record_type": "visit", "record_id": "v1", "hlc": 5, "device_id": device,
            "author": "王芳", "fields": {"resident_id": "r1", "visit_date": "not a date"}}]
    path = _signed_by_worker(t, a, "王芳", bad, tmp_path / "bad.gcb")
    before = list(dump_lines(t.db))
    report = merge_paths(t.db, [path])
    assert report.bundles[0].code == "bad_event" and "wrong type" in report.bundles[0].message
    assert list(dump_lines(t.db)) == before


def test_a_refused_bundle_inside_a_batch_leaves_the_others_merged(tmp_path):
    """Several bundles share a transaction; the bad one is rolled back to its savepoint alone."""
    t = make_township(tmp_path)
    a, b, c = t.worker("王芳", "G01"), t.worker("李强", "G02"), t.worker("赵敏", "G03")
    elder(a, "张三")
    elder(c, "李四")
    good_a, good_c = export_bundle(a, tmp_path / "a").path, export_bundle(c, tmp_path / "c").path
    device = _device(b)
    events = [{"id": f"{device}-{n}", "record_type": "visit", "record_id": f"v{n}", "hlc": n, "author": "李强",
               "device_id": device, "fields": {"resident_id": "r1", "visit_date": "2026-11-0" + str(n)}}
              for n in range(1, 4)]
    events[2]["fields"]["visit_date"] = "not a date"  # the last record fails after the first two were written
    bad = _signed_by_worker(t, b, "李强", events, tmp_path / "b.gcb")
    t.db.dispose()
    copy_db(t.db.path, tmp_path / "ref.db")
    ref = open_database(tmp_path / "ref.db")
    merge_paths(ref, [good_a, good_c])

    report = merge_paths(t.db, [good_a, bad, good_c])
    assert [x.status for x in report.bundles] == ["new", "refused", "new"]
    assert report.bundles[1].code == "bad_event"
    assert _names(t.db) == ["张三", "李四"]
    assert list(dump_lines(t.db)) == list(dump_lines(ref))
    with t.db.session() as s:
        assert s.exec(select(Visit)).all() == []
        assert s.exec(select(Event).where(Event.device_id == device)).all() == []


def test_a_worker_does_not_count_other_grids_township_bundles_as_missing(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    ra, rb = elder(a, "张三"), elder(b, "李四")
    merge_paths(t.db, [export_bundle(a, tmp_path / "a.gcb").path, export_bundle(b, tmp_path / "b.gcb").path])
    update_resident(t.db, ra.id, {"phone": "13800000001"})
    export_bundle(t.db, tmp_path / "to-b", grid_code="G02")  # township bundle 1 goes to grid 2
    update_resident(t.db, rb.id, {"phone": "13800000002"})
    back = export_bundle(t.db, tmp_path / "to-a", grid_code="G01")  # bundle 2 to grid 1
    assert back.seq == 2
    report = merge_paths(a, [back.path])
    assert report.refused == [] and report.missing == []


def test_conflicts_are_counted_once_when_they_appear(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", phone="13800000001")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"phone": "13800000002"})
    update_resident(t.db, r.id, {"phone": "13800000003"})
    assert merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path]).conflicts == 1
    update_resident(a, r.id, {"address": "东村1号"})  # the same record again, no new clash
    assert merge_paths(t.db, [export_bundle(a, tmp_path / "3.gcb").path]).conflicts == 0
    assert len(open_conflicts(t.db)) == 1


def test_a_reassignment_reaches_both_grids_with_only_what_each_needs(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    r = elder(a, "张三")
    visit = log_visit(a, r.id, {"notes": "搬家前"})
    elder(b, "李四")
    merge_paths(t.db, [export_bundle(a, tmp_path / "a.gcb").path, export_bundle(b, tmp_path / "b.gcb").path])
    update_resident(t.db, r.id, {"grid_code": "330521101-G02"})  # moved to the other grid
    merge_paths(a, [export_bundle(t.db, tmp_path / "to-a", grid_code="G01").path])
    merge_paths(b, [export_bundle(t.db, tmp_path / "to-b", grid_code="G02").path])
    with a.session() as s:
        assert s.get(Resident, r.id).grid_code == "330521101-G02"  # grid 1 learns that 张三 left
    with b.session() as s:
        assert s.get(Resident, r.id).name == "张三" and s.get(Visit, visit.id) is not None  # grid 2 gets the history
    assert "李四" not in _names(a)


def test_a_folder_merged_again_is_not_decrypted_again(tmp_path, monkeypatch):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    usb = tmp_path / "usb"
    usb.mkdir()
    export_bundle(a, usb)
    assert merge_paths(t.db, [usb]).bundles[0].status == "new"
    import storage.sync.merge as merge_module

    def must_not_read(*args, **kwargs):
        raise AssertionError("an already merged bundle was decrypted again")

    monkeypatch.setattr(merge_module, "open_bundle", must_not_read)
    again = merge_paths(t.db, [usb])
    assert [(b.status, b.worker, b.seq) for b in again.bundles] == [("already", "王芳", 1)]

"""A worker is told what the township's bundle changed in their register (walk G, 7).

Seen: the clerk settled a conflict over 韩水根's phone number for the value the worker had not typed; the
worker's merge of the return bundle said "4 项新修改 / 更新：3" and nothing else, and the page showed a number
she had not written."""

from __future__ import annotations

import datetime as dt

from storage.core.i18n import set_language
from storage.register.residents import update_resident
from storage.sync.conflicts import open_conflicts, resolve_conflict
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tui.texts import describe_totals

TODAY = dt.date(2026, 11, 24)


def test_the_clerks_decision_and_correction_are_named_at_the_worker_once(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    han = elder(a, "韩水根", phone="13500000000", address="东村3号")
    other = elder(a, "陈阿婆")
    merge_paths(t.db, [export_bundle(a, tmp_path / "up1").path])
    update_resident(a, han.id, {"phone": "13588889999"}, today=TODAY)  # the worker's new number...
    update_resident(t.db, han.id, {"phone": "13757200001"}, today=TODAY)  # ...and the clerk's, unseen by each other
    merge_paths(t.db, [export_bundle(a, tmp_path / "up2").path])
    (conflict,) = [v.conflict for v in open_conflicts(t.db)]
    resolve_conflict(t.db, conflict.id, "13757200001", today=TODAY)
    update_resident(t.db, han.id, {"address": "东村5号"}, today=TODAY)  # a correction of the clerk's own
    update_resident(a, other.id, {"notes": "女儿每周来"}, today=TODAY)  # the worker's, not sent yet: not the township's
    back = merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="330521101-G01").path])
    assert [(c.name, c.shown()) for c in back.changed] == [("韩水根", [("Phone", "13757200001"), ("Address", "东村5号")])]
    set_language("zh_CN")
    try:
        assert "乡镇发回的数据包改动了韩水根的记录：联系电话 → 13757200001；家庭住址 → 东村5号。" in describe_totals(back)
    finally:
        set_language("en")
    again = merge_paths(a, [export_bundle(t.db, tmp_path / "back2", grid_code="330521101-G01").path])
    assert again.changed == [] and not any("changed" in line for line in describe_totals(again))


def test_a_township_merge_reads_no_register_and_many_changes_are_counted(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    people = [elder(a, f"老人{n:02d}", phone="13500000000") for n in range(12)]
    up = merge_paths(t.db, [export_bundle(a, tmp_path / "up").path])
    assert up.changed == []  # the clerk's own database: she made the changes
    for p in people:
        update_resident(t.db, p.id, {"phone": "13600000000"}, today=TODAY)
    back = merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="330521101-G01").path])
    assert len(back.changed) == 12
    lines = describe_totals(back)
    assert sum("changed" in line for line in lines) == 10 and "…and 2 more people's records." in lines

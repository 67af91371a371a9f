"""A visit entered by mistake and deleted before any bundle is not "one more visit waiting to go" on the Sync
screen: it still travels (as deleted: the log is the record, and a referral kept may name it), and the screen
says so in words that are true."""

from __future__ import annotations

from sqlmodel import select

from screens.sync import SyncScreen
from storage.core.models import Visit
from storage.register.visits import delete_visit, log_visit
from storage.sync.bundle_file import read_manifest
from storage.sync.export import WITHDRAWN, export_bundle, pending_counts
from storage.sync.merge import merge_paths
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import elder, make_township


@run_async
async def test_a_visit_entered_and_deleted_before_export_is_not_counted_as_a_visit_to_send(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    kept = log_visit(a, r.id, {"notes": "身体还好"})
    export_bundle(a, tmp_path / "first")
    mistaken = log_visit(a, r.id, {"notes": "录错了人"})
    delete_visit(a, mistaken.id, "录错了")
    assert pending_counts(a) == {WITHDRAWN: 1}
    app = HarnessApp(a, SyncScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        summary = app.screen.pending_summary
        assert "1 record entered and deleted again" in summary and "visit" not in summary, summary

    # it still goes, its creation and its deletion, and the township counts it nowhere
    sent = export_bundle(a, tmp_path / "second")
    assert read_manifest(sent.path)["counts"]["visit"] == 2
    merge_paths(t.db, [tmp_path / "first", sent.path])
    with t.db.session() as s:
        assert {(v.id, v.deleted) for v in s.exec(select(Visit)).all()} == {(kept.id, False), (mistaken.id, True)}
    assert pending_counts(a) == {}


def test_a_visit_the_township_has_and_then_deleted_is_still_a_visit_to_send(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    sent = log_visit(a, r.id, {"notes": "身体还好"})
    export_bundle(a, tmp_path / "first")
    delete_visit(a, sent.id, "录错了")  # the township counts it: the deletion must reach it
    fresh = log_visit(a, r.id, {"notes": "送米"})
    gone = log_visit(a, r.id, {"notes": "重复"})
    delete_visit(a, gone.id)
    assert pending_counts(a) == {"visit": 2, WITHDRAWN: 1}, fresh.id

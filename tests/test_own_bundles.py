"""The bundles a database wrote itself, lying in the folder it merges from, are said to be its own
(storage/sync/verdict.py seen_before: status "own"), not refused.

Walked in tmux: the clerk exported for the county and for grid G01 onto the stick the workers' bundles come on;
the Sync screen then listed the county's bundle as "拒收" (refused), and a merge would have audited it as a
refused file. Only a bundle signed with a key this database holds is its own: another file giving its device id
goes the way every file goes.
"""

from __future__ import annotations

from sqlmodel import select

from storage.core.i18n import set_language
from storage.core.models import AuditEntry
from storage.sync.county_export import export_county_bundle
from storage.sync.export import export_bundle
from storage.sync.folder import preview_folder
from storage.sync.merge import merge_paths
from tests.county_helpers import elder, make_county, make_township
from tests.trust_helpers import _forge
from tui.texts import merge_lines


def _refusals(db) -> int:
    with db.session() as s:
        return sum(1 for e in s.exec(select(AuditEntry)).all() if "refus" in e.action)


def test_the_townships_own_bundles_on_the_stick_are_its_own(tmp_path):
    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    t = make_township(tmp_path, "330521101", tmp_path / "county.pub", county)
    worker = t.worker("G01", "王芳")
    elder(worker, "张桂兰")
    stick = tmp_path / "usb"
    stick.mkdir()
    mine = export_bundle(worker, stick).path
    assert merge_paths(t.db, [mine]).refused == []
    elder(t.db, "李秀英")  # the clerk's own change, for the grid and for the county
    back = export_bundle(t.db, stick, grid_code="G01").path
    up = export_county_bundle(t.db, stick).path
    elder(worker, "赵四")
    later = export_bundle(worker, stick).path
    before = _refusals(t.db)

    listed = {b.path.name: b for b in preview_folder(t.db, stick)}
    assert {name: b.status for name, b in listed.items()} == {
        mine.name: "already", back.name: "own", up.name: "own", later.name: "new"}
    assert listed[up.name].reason == "for the county; the county merges it."
    assert listed[back.name].reason == "for grid G01; its worker merges it."

    report = merge_paths(t.db, [stick])
    assert sorted(b.status for b in report.bundles) == ["already", "new", "own", "own"]
    assert report.refused == [] and _refusals(t.db) == before
    assert "2 bundles were written on this computer: they are not merged here." in merge_lines(report)
    set_language("zh_CN")
    assert "2 个数据包是本机写出的：不在这里合并。" in merge_lines(report)

    # the worker's own bundles lie on the stick beside the township's for its grid: its merge says so too
    theirs = merge_paths(worker, [later, back])
    assert [(b.file, b.status) for b in theirs.bundles] == [(later.name, "own"), (back.name, "new")]
    county.dispose()
    t.close()


def test_a_file_giving_this_databases_device_id_is_not_taken_for_its_own(tmp_path):
    from storage.core.models import Identity
    from tests.sync_helpers import make_township as plain_township

    t = plain_township(tmp_path)
    with t.db.session() as s:
        me = s.get(Identity, 1).device_id
    forged = _forge(t, tmp_path, "forged.gcb", [], device_id=me, worker="李文", grid="G01")
    [outcome] = merge_paths(t.db, [forged]).bundles
    assert outcome.status != "own"
    assert [b.status for b in preview_folder(t.db, tmp_path) if b.path == forged] != ["own"]

"""A resident the township moves to another grid leaves the old grid's worker (walk G, 1).

Seen: the clerk moved 江爱珍 from G01 to G02; after the return bundle the G01 worker still found her in the
register, logged a visit (shown as done), and the township refused that worker's bundle whole ("it names another
grid"), then every merge named the bundle missing, and every full export of that device was refused for good.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.errors import UserError
from storage.core.models import Visit
from storage.register.residents import update_resident
from storage.register.search import count_residents, search_residents
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tui.texts import describe_totals

TODAY = dt.date(2026, 11, 24)


def _grids(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    her = elder(a, "江爱珍", phone="13800001111")
    stays = elder(a, "陈阿婆")
    elder(b, "赵大山")
    for n, db in enumerate((a, b)):
        assert not merge_paths(t.db, [export_bundle(db, tmp_path / f"up{n}").path]).refused
    update_resident(t.db, her.id, {"grid_code": "330521101-G02"}, today=TODAY)  # the clerk moves her
    return t, a, b, her, stays


def test_the_old_grid_is_told_and_no_longer_lists_or_writes_about_her(tmp_path):
    t, a, _b, her, stays = _grids(tmp_path)
    back = merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="330521101-G01").path])
    assert back.moved_away == [("江爱珍", "G02")]
    assert "Moved by the township to another grid: 1 key person, 江爱珍 (to grid G02)." in describe_totals(back)[-1]
    with a.session() as s:
        assert [r.id for r in search_residents(s, "", today=TODAY)] == [stays.id]
        assert search_residents(s, "江爱珍", today=TODAY) == [] and count_residents(s, "", today=TODAY) == 1
    with pytest.raises(UserError, match="moved to grid G02 by the township"):
        log_visit(a, her.id, {"visit_date": TODAY}, today=TODAY)
    with pytest.raises(UserError, match="moved to grid G02"):
        update_resident(a, her.id, {"phone": "13900002222"}, today=TODAY)
    log_visit(a, stays.id, {"visit_date": TODAY}, today=TODAY)  # her own grid's people as before
    again = merge_paths(a, [export_bundle(t.db, tmp_path / "back2", grid_code="330521101-G01").path])
    assert again.moved_away == []  # said once


def test_a_visit_written_after_the_move_reached_the_old_grid_is_merged_not_refused(tmp_path, monkeypatch):
    """What the release before this one let a worker write: the township takes it (a real visit, by the grid
    that had her), so the bundle, and every full one after it, is no longer refused for good."""
    from storage.core import changes

    t, a, b, her, _stays = _grids(tmp_path)
    merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="330521101-G01").path])
    monkeypatch.setattr(changes, "_own_grid", lambda *args: None)  # the old release: no check on the worker
    v = log_visit(a, her.id, {"visit_date": TODAY}, today=TODAY)
    assert v.grid_code == "330521101-G02"
    report = merge_paths(t.db, [export_bundle(a, tmp_path / "late").path])
    assert not report.refused and not report.missing, [x.message for x in report.refused]
    full = merge_paths(t.db, [export_bundle(a, tmp_path / "full", full=True).path])
    assert not full.refused
    with t.db.session() as s:
        assert s.get(Visit, v.id).grid_code == "330521101-G02"
    # never a grid it did not have: G02's own resident, named as G02's by G01's device, is refused whole
    with b.session() as s:
        theirs = next(r for r in search_residents(s, "赵大山", today=TODAY))
    with a.session() as s:
        from storage.core.changes import writer

        w = writer(s)
        w.write("visit", "ffffffffffffffff", {"resident_id": theirs.id, "grid_code": "330521101-G02",
                                              "visit_date": TODAY, "method": "home", "visitor": "王芳"})
        s.commit()
    refused = merge_paths(t.db, [export_bundle(a, tmp_path / "foreign").path])
    assert [x.code for x in refused.refused] == ["not_allowed"], refused.bundles
    assert "record Visit ffffffffffffffff: the resident belongs to grid G02" in refused.refused[0].message  # not "visit"


def test_moved_into_a_grid_of_another_village_she_is_counted_in_that_village(tmp_path):
    """Walk G, 4: moved to 西村网格 (西湾村), she stayed in 柳溪村 in every village row of the reports."""
    from storage.register.villages import set_grid_village

    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    her = elder(a, "江爱珍")
    for n, db in enumerate((a, b)):
        assert not merge_paths(t.db, [export_bundle(db, tmp_path / f"up{n}").path]).refused
    old = set_grid_village(t.db, "330521101-G01", "柳溪村")
    update_resident(t.db, her.id, {"village_code": old}, today=TODAY)
    west = set_grid_village(t.db, "330521101-G02", "西湾村")
    moved = update_resident(t.db, her.id, {"grid_code": "330521101-G02"}, today=TODAY)
    assert (moved.grid_code, moved.village_code) == ("330521101-G02", west)
    stay = update_resident(t.db, her.id, {"grid_code": "330521101-G01", "village_code": west}, today=TODAY)
    assert stay.village_code == west  # a village given with the move is the clerk's word


def test_another_grids_return_bundle_says_whose_it_is(tmp_path):
    """Walk G, 10: G02's return bundle merged on G01's laptop said only "encrypted for another township or
    device"; its signed manifest says which grid it is for."""
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    elder(b, "赵大山")
    merge_paths(t.db, [export_bundle(b, tmp_path / "up").path])
    theirs = export_bundle(t.db, tmp_path / "back", grid_code="330521101-G02").path
    (refused,) = merge_paths(a, [theirs]).refused
    assert refused.code == "wrong_key" and "township's bundle for grid G02" in refused.message, refused.message

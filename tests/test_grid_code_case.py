"""A grid code typed 'g01' by the clerk and 'G01' by the worker is one grid (storage/sync/grid_codes.py grid_id_for,
storage/core/identity.py init_worker).

Walked in tmux: the clerk made an enrollment code for 'g01' on the Devices screen, the worker set up 'G01' as the
form's example shows, and the worker's first bundle waited at the township as "not enrolled". Grid codes are now
typed in capitals on both sides; a grid a township already knows in another case keeps its spelling.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.identity import init_worker
from storage.core.models import Enrollment, Identity
from storage.sync import devices
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tests.trust_helpers import TOWNSHIP, _forge


def _laptop(tmp_path, t, name: str, typed_grid: str, code: str):
    db = open_database(tmp_path / f"{name}.db")
    init_worker(db, TOWNSHIP, "新市镇", typed_grid, "柳溪村第一网格", name, t.key, enroll_code=code)
    elder(db, f"{name}的对象")
    return db


@pytest.mark.parametrize(("clerk_typed", "worker_typed"), [("g01", "G01"), ("G01", "g01"), ("ｇ０１", " g01 ")])
def test_the_code_made_for_g01_enrolls_the_worker_who_typed_G01(tmp_path, clerk_typed, worker_typed):
    t = make_township(tmp_path)
    code, view = devices.enroll(t.db, clerk_typed, "王芳")
    assert view.grid_code == "G01"
    worker = _laptop(tmp_path, t, "王芳", worker_typed, code)
    with worker.session() as s:
        assert s.get(Identity, 1).grid_code == f"{TOWNSHIP}-G01"
    report = merge_paths(t.db, [export_bundle(worker, tmp_path / "usb").path])
    assert [(b.status, b.code) for b in report.bundles] == [("new", "")]
    assert [(v.status, v.grid_code, v.enrolled_by) for v in devices.list_devices(t.db)] == [("approved", "G01", "code")]
    # and the clerk's return bundle finds the grid whichever way it is typed
    assert export_bundle(t.db, tmp_path / "back", grid_code="g01").path.exists()


def test_a_grid_the_township_knows_in_lower_case_keeps_its_spelling(tmp_path):
    """A worker set up by an older release as 'g01' (its bundles say so): approved, enrolled again and sent
    to as the grid it is, whatever case the clerk types."""
    t = make_township(tmp_path)
    _forge(t, tmp_path, "old.gcb", [], device_id="feedfacecafe0001", worker="王芳", grid="g01")
    assert merge_paths(t.db, [tmp_path / "old.gcb"]).bundles[0].status == "waiting"
    view, _files = devices.approve(t.db, "feedfacecafe0001", "G01")
    assert (view.status, view.grid_code) == ("approved", "g01")
    _code, again = devices.enroll(t.db, "G01", "王芳")  # her new laptop, for the grid she writes
    assert again.grid_code == "g01"
    with t.db.session() as s:
        assert {e.grid_code for e in s.exec(select(Enrollment)).all()} == {f"{TOWNSHIP}-g01"}
    with pytest.raises(UserError, match="set up for grid g01, not G02"):
        devices.approve(t.db, "feedfacecafe0001", "G02")


def test_a_code_made_for_g01_where_grid_G01_has_records_is_withdrawn_as_typed(tmp_path):
    """Walked in tmux (a township from before capitals): codes for 'g01' beside grid G01's records; the Devices
    screen's w gave 'g01' and was told there were none, G01 being found first."""
    from storage.sync.trust_rows import new_enrollment

    t = make_township(tmp_path)
    code, _view = devices.enroll(t.db, "G01", "王芳")
    worker = _laptop(tmp_path, t, "王芳", "G01", code)
    assert merge_paths(t.db, [export_bundle(worker, tmp_path / "usb").path]).refused == []  # grid G01 has records
    with t.db.write() as s:  # an older release's code, spelt as the clerk typed it
        new_enrollment(s, TOWNSHIP, f"{TOWNSHIP}-g01", "王芳")
    assert [v.grid_code for v in devices.enrollments(t.db)] == ["g01"]
    assert [v.grid_code for v in devices.withdraw_codes(t.db, "g01")] == ["g01"]
    assert devices.enrollments(t.db) == []

"""A demo township's practice bundles (storage/demo/practice.py): real worker bundles beside the demo, which merge
into it with new visits, one conflict and one emergency, and change nothing when merged again."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import func, select
from textual.widgets import Input, Static

from screens.home_progress import progress_renderable
from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.models import BundleReceived, Device, Resident, Visit
from storage.core.paths import practice_dir
from storage.core.private_keys import private_keys
from storage.demo.build import generate
from storage.demo.practice import Kept, practice_target, write_practice
from storage.register.emergencies import open_emergencies
from storage.register.home import home_data
from storage.sync.bundle_file import read_bundle
from storage.sync.conflicts import open_conflicts
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.folder import suggested_folder
from storage.sync.merge import merge_paths
from tests.foundation_helpers import copy_db
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import clerk_elder, elder, make_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)
ROOT = Path(__file__).parents[1]


def _digest(db) -> str:
    h = hashlib.sha256()
    for line in dump_lines(db):
        h.update(line.encode())
    return h.hexdigest()


def _count(db, model) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar() or 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A township's demo with its practice bundles, and a copy of the demo taken before they were made."""
    folder = tmp_path_factory.mktemp("practice")
    db = open_database(folder / "t.db")
    kept = Kept()
    generate(db, seed=1, scale="township", today=TODAY, built=kept)
    db.dispose()  # the whole file, its write-ahead log written back, to copy
    copy_db(folder / "t.db", folder / "pristine.db")
    practice = write_practice(db, kept, seed=1, today=TODAY, folder=practice_dir(db.local_path))
    db.dispose()
    return db, kept, practice, folder


def _merged_copy(demo, name):
    db, _kept, practice, folder = demo
    copy = open_database(copy_db(folder / "t.db", folder / name))
    return copy, practice


def test_the_demo_makes_its_bundles_beside_it_and_leaves_its_records_as_they_were(demo):
    db, _kept, practice, folder = demo
    assert practice.folder == folder / "t.db.practice"
    assert sorted(practice.folder.iterdir()) == sorted(practice.bundles) and len(practice.bundles) == 3
    pristine = open_database(folder / "pristine.db")
    assert _digest(pristine) == _digest(db)  # bench's reference set is the same demo, practice or not
    pristine.dispose()
    # before a merge, the clerk is pointed there: Home's alert and the Sync screen's folder
    assert home_data(db, TODAY).practice_bundles == 3
    assert suggested_folder(db, "merge") == practice.folder.resolve()


def test_the_practice_bundles_merge_with_new_visits_a_conflict_and_an_emergency(demo):
    db, practice = _merged_copy(demo, "merged.db")
    visits = _count(db, Visit)
    with db.session() as s:
        emergencies = {e.key for e in open_emergencies(s, TODAY)}
    report = merge_paths(db, [practice.folder])
    assert [b.status for b in report.bundles] == ["new"] * 3 and not report.refused and not report.waiting
    assert len(report.new_devices) == 3 and _count(db, Device) == 3 and _count(db, BundleReceived) == 3
    assert practice.visits == 10 and _count(db, Visit) == visits + practice.visits
    assert report.conflicts == 1
    (conflict,) = open_conflicts(db)
    c = conflict.conflict
    assert c.field == "phone" and c.winner_author == c.loser_author and c.winner_device != c.loser_device
    with db.session() as s:
        new = [e for e in open_emergencies(s, TODAY) if e.key not in emergencies]
    assert len(new) == 1 and new[0].grid_code.endswith("-G01")
    pristine = open_database(demo[3] / "pristine.db")
    changed = {grid for (rid, grid, phone) in _phones(db) - _phones(pristine)}
    pristine.dispose()
    assert sorted(changed) == ["330521101-G01", "330521101-G02"]  # the conflict's, and a phone changed alone
    assert home_data(db, TODAY).practice_bundles == 0  # merged: Home no longer points there
    db.dispose()


def _phones(db) -> set[tuple[str, str, str]]:
    with db.session() as s:
        return {tuple(r) for r in s.execute(select(Resident.id, Resident.grid_code, Resident.phone)).all()}


def test_merging_the_folder_again_changes_nothing(demo):
    db, practice = _merged_copy(demo, "again.db")
    merge_paths(db, [practice.folder])
    once = _digest(db)
    report = merge_paths(db, [practice.folder])
    assert [b.status for b in report.bundles] == ["already"] * 3
    assert (report.added, report.updated, report.conflicts) == (0, 0, 0)
    assert _digest(db) == once and len(open_conflicts(db)) == 1
    db.dispose()


def _contents(db, bundles):
    """What the bundles say, without what each laptop draws for itself (device, record ids, clocks)."""
    secrets = [private_keys(db.local_path).township_age_secret]
    said = []
    for path in bundles:
        _manifest, events = read_bundle(path, secrets, "330521101")
        said.append(sorted((e["record_type"], sorted((k, str(v)) for k, v in e["fields"].items()))
                           for e in events if e["record_type"] in ("resident", "visit")))
    return said


def test_the_same_seed_draws_the_same_practice(demo):
    db, kept, practice, folder = demo
    again = open_database(folder / "pristine.db")
    other = write_practice(again, kept, seed=1, today=TODAY, folder=folder / "again")
    assert _contents(db, practice.bundles) == _contents(again, other.bundles)
    again.dispose()


def test_where_the_practice_bundles_go(tmp_path):
    db = open_database(tmp_path / "new.db")
    assert practice_target(db, "township", None) == tmp_path / "new.db.practice"
    assert practice_target(db, "county", None) is None  # the county set (bench) only when asked
    assert practice_target(db, "county", tmp_path / "p") == tmp_path / "p"
    assert practice_target(db, "grid", None) is None
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.gcb").write_bytes(b"")
    with pytest.raises(UserError, match="not empty"):
        practice_target(db, "township", tmp_path / "full")
    t = make_township(tmp_path / "w")
    worker = t.worker("王芳", "G01")  # a worker's database: a grid's demo, no township to merge into
    assert practice_target(worker, "township", None) is None
    with pytest.raises(UserError):
        practice_target(worker, "township", tmp_path / "p2")


def _cli(db, *args):
    return subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db), "--lang", "en", "demo", *args],
                          cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(db.parent), "PYTHONPATH": str(ROOT)})


def _leftover(db):
    (db.parent / f"{db.name}.practice").mkdir()
    (db.parent / f"{db.name}.practice" / "old.gcb").write_bytes(b"")


def test_the_command_refuses_a_folder_before_generating_anything(tmp_path):
    out = _cli(tmp_path / "c.db", "--bundles", str(tmp_path / "p"))  # a grid's demo has no township to practise on
    assert out.returncode == 2 and "--scale township" in out.stderr
    _leftover(tmp_path / "c.db")
    out = _cli(tmp_path / "c.db", "--scale", "township")
    assert out.returncode == 1 and "c.db.practice" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert _count(open_database(tmp_path / "c.db"), Resident) == 0


def test_a_second_demo_on_a_township_is_refused_for_its_residents_not_for_their_folder(tmp_path):
    t = make_township(tmp_path)
    clerk_elder(t, "张三")
    t.db.dispose()
    _leftover(tmp_path / "township.db")
    out = _cli(tmp_path / "township.db", "--scale", "township")
    assert out.returncode == 1 and "already holds residents" in out.stderr, out.stderr


@run_async
async def test_home_and_the_sync_screen_point_the_clerk_at_the_practice_folder(tmp_path, monkeypatch):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    practice = tmp_path / "township.db.practice"
    practice.mkdir()
    export_bundle(a, practice)
    a.dispose()
    t.db.dispose()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    app = make_app(str(tmp_path / "township.db"), lang="en", today=TODAY)
    async with app.run_test(size=(100, 40)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: app.screen.data is not None)
        console = Console(width=100, record=True, color_system=None)
        console.print(progress_renderable(app.screen.data, compact=False))
        assert "Practice bundles to merge (press s, Sync)" in console.export_text()
        await pilot.press("s")
        await on_screen(pilot, "SyncScreen")
        box = app.screen.query_one("#folder", Input)
        await settle(pilot, lambda: box.value == str(practice))
        hint = str(app.screen.query_one("#folder-hint", Static).render())
        assert "To practise merging" in hint and str(practice) in "".join(hint.split())

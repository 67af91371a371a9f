"""A grid is kept by two people (DESIGN §1: its grid worker and its village children's director), each on a laptop
of their own, each enrolled for the grid with a code. Every laptop's set-up wrote its worker's name as the grid's
one `worker_name`: the township's merge asked the clerk which of the two was the grid's worker, and the later name
was shown for the grid. The grid's people are now the authors of its set-up events (storage/register/grid_people.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from storage.core.changes import writer
from storage.core.db import Database, open_database
from storage.core.i18n import join_list, set_language
from storage.core.models import Conflict
from storage.register.grid_choice import township_grids
from storage.register.grid_people import grid_people
from storage.register.home import home_data
from storage.register.profile import resident_profile
from storage.register.villages import grid_villages
from storage.register.visits import log_visit
from storage.reports.monthly import monthly_report
from storage.sync.conflicts import count_open, open_conflicts
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)
G01 = "330521101-G01"
BOTH = ["王芳", "李敏"]


def _two_laptops(tmp_path: Path, *, old_version: bool = False):
    """A township, and 王芳 then 李敏 enrolled for G01 with codes, each registering a resident and visiting them;
    `old_version`: each laptop's grid event also names its worker as the grid's, as set-up did before."""
    t = make_township(tmp_path)
    laptops = [t.worker(name, "G01", path=tmp_path / f"{i}.db") for i, name in enumerate(BOTH)]
    residents = []
    for db, name in zip(laptops, BOTH, strict=True):
        if old_version:
            with db.write() as s:
                writer(s).write("grid", G01, {"worker_name": name})
        person = elder(db, f"{name}的老人")
        log_visit(db, person.id, {"notes": f"{name}去看了"}, today=TODAY)
        residents.append(person.id)
    bundles = [export_bundle(db, tmp_path / f"{i}-1.gcb").path for i, db in enumerate(laptops)]
    return t, laptops, residents, bundles


def _copy(db: Database, folder: Path) -> Database:
    """The township's database as it is, in another folder (a second clerk's machine, merging in another order)."""
    db.dispose()
    folder.mkdir()
    for suffix in ("", "-wal", "-shm", ".keys"):
        source = db.path.with_name(db.path.name + suffix)
        if source.exists():
            shutil.copy(source, folder / source.name)
    return open_database(folder / db.path.name)


def test_two_people_enrolled_for_a_grid_merge_in_either_order_with_no_question_and_both_named(tmp_path):
    set_language("zh_CN")
    t, _laptops, residents, bundles = _two_laptops(tmp_path)
    first = t.db
    second = _copy(first, tmp_path / "second")
    first = open_database(first.path)
    for db, order in ((first, bundles), (second, bundles[::-1])):
        assert [b.status for b in merge_paths(db, order).bundles] == ["new", "new"]
        assert count_open(db) == 0 and open_conflicts(db) == []
        home = home_data(db, TODAY)
        assert home.open_conflicts == 0
        assert [(g.grid_code, g.people) for g in home.grids] == [(G01, "王芳、李敏")]
        with db.engine.connect() as conn:
            assert township_grids(conn) == [(G01, "G01网格", "王芳、李敏")]
        assert [g.worker for g in grid_villages(db)] == ["王芳、李敏"]
        assert [resident_profile(db, rid, TODAY).worker for rid in residents] == ["王芳、李敏"] * 2
        # the report's 网格员探访统计: a row for each person, each counting their own visit
        report = monthly_report(db, 2026, 11, today=TODAY)
        assert [(w.visitor, w.grid) for w in report.workers] == [("李敏", "G01网格"), ("王芳", "G01网格")]
        assert [w.visits for w in report.workers] == [1, 1]
    assert list(dump_lines(first)) == list(dump_lines(second))


def test_each_laptop_names_its_own_worker_for_the_grid(tmp_path):
    """Set-up no longer writes the grid's worker name; the laptop's own pages still name its worker."""
    t, laptops, residents, _bundles = _two_laptops(tmp_path)
    for db, rid, name in zip(laptops, residents, BOTH, strict=True):
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT worker_name FROM grid").scalar() == ""
            assert grid_people(conn) == {G01: [name]}
        assert resident_profile(db, rid, TODAY).worker == name
        assert [g.worker for g in grid_villages(db)] == [name]


def test_bundles_of_older_versions_naming_the_grids_worker_merge_with_no_question(tmp_path):
    """Bundles written before: each laptop's grid event named its worker as the grid's. They still merge, in either
    order, with no conflict about the grid's worker, and the grid names both people; a question an older merge
    stored about it is not asked."""
    t, _laptops, residents, bundles = _two_laptops(tmp_path, old_version=True)
    assert [b.status for b in merge_paths(t.db, bundles[::-1]).bundles] == ["new", "new"]
    assert count_open(t.db) == 0 and open_conflicts(t.db) == []
    assert resident_profile(t.db, residents[0], TODAY).worker == join_list(BOTH)
    with t.db.write() as s:  # as the older merge left it
        s.add(Conflict(id=f"grid:{G01}:worker_name:x-1", record_type="grid", record_id=G01, field="worker_name",
                       winner_event="y-2", winner_value="李敏", winner_author="李敏", winner_device="y", winner_hlc=2,
                       loser_event="x-1", loser_value="王芳", loser_author="王芳", loser_device="x", loser_hlc=1))
    assert count_open(t.db) == 0 and open_conflicts(t.db) == []
    assert home_data(t.db, TODAY).open_conflicts == 0


def test_home_says_whose_bundle_is_missing_when_a_grid_has_two_laptops(tmp_path):
    """Each laptop numbers its own bundles: "no. 2 missing" for G01 did not say whose."""
    from screens.home_lists import list_rows

    set_language("zh_CN")
    t, laptops, _residents, bundles = _two_laptops(tmp_path)
    elder(laptops[0], "第二包")
    export_bundle(laptops[0], tmp_path / "0-2.gcb")  # the bundle that never reaches the township
    elder(laptops[0], "第三包")
    third = export_bundle(laptops[0], tmp_path / "0-3.gcb").path
    merge_paths(t.db, [*bundles, third])  # 王芳's bundle 2 never came
    (row,) = home_data(t.db, TODAY).grids
    assert row.missing == (2,) and row.missing_by == (("王芳", (2,)),)
    (shown,) = list_rows("grids", home_data(t.db, TODAY))
    assert shown[2][1] == "王芳、李敏" and "王芳缺第 2 个" in str(shown[2][-1])


def test_the_county_names_both_people_of_the_grid(tmp_path, db_target):
    """The county holds no worker devices: the grid's people come with the township's events."""
    from storage.core.identity import init_worker
    from storage.sync.devices import enroll
    from tests.county_helpers import make_county
    from tests.county_helpers import make_township as county_township

    county = make_county(db_target, tmp_path / "county.pub")
    t = county_township(tmp_path, "330521101", tmp_path / "county.pub", county)
    residents, bundles = [], []
    for i, name in enumerate(BOTH):
        db = open_database(tmp_path / f"w{i}.db")
        init_worker(db, t.code, "镇101", "G01", "G01网格", name, t.key, enroll_code=enroll(t.db, "G01", name)[0])
        person = elder(db, f"{name}的老人")
        log_visit(db, person.id, {"notes": "看了"}, today=TODAY)
        residents.append(person.id)
        bundles.append(export_bundle(db, tmp_path / f"w{i}.gcb").path)
    assert merge_paths(t.db, bundles).refused == []
    assert [b.status for b in merge_paths(county, [t.to_county(tmp_path / "up")]).bundles] == ["new"]
    assert count_open(county) == 0
    assert [resident_profile(county, rid, TODAY).worker for rid in residents] == [join_list(BOTH)] * 2
    assert sorted(w.visitor for w in monthly_report(county, 2026, 11, today=TODAY).workers) == sorted(BOTH)

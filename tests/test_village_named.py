"""A worker's laptop set up with its village's name alone (`gridcare init --role worker ... --village-name 茅山村`)
for a grid the township has put in that village by its code: the township keeps the grid in 330521101201, makes no
village 330521101-茅山村 of the name, asks the clerk nothing about it, and the laptop learns the code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.core.db import open_database
from storage.core.models import Conflict, Grid, Resident, Village
from storage.register.residents import update_resident
from storage.register.villages import grid_villages, set_grid_village
from storage.sync.devices import enroll
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tui.cli import main

TODAY = dt.date(2026, 11, 24)


def _township_with_placed_grids(tmp_path, village=("茅山村", "330521101201")):
    """A township whose G01 (its first laptop's) is in `village` by the clerk, and G02 (another worker's) with a
    resident to move; the clerk's return bundle merged on G01's first laptop."""
    t = make_township(tmp_path)
    first, other = t.worker("吴艳", "G01"), t.worker("李强", "G02")
    elder(first, "张三")
    moving = elder(other, "李四")
    merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path for w in (first, other)])
    set_grid_village(t.db, "G01", *village)
    return t, moving.id


def _new_laptop(tmp_path, t, village_name: str) -> tuple[str, int]:
    """G01's new laptop, set up on the command line with the village's name alone; its first bundle merged.
    Returns (its database's path, the conflicts the merge counted)."""
    code = enroll(t.db, "G01", "王芳")[0]
    path = tmp_path / "new.db"
    assert main(["--db", str(path), "--lang", "en", "init", "--role", "worker", "--grid-code", "G01", "--grid-name",
                 "G01网格", "--worker", "王芳", "--village-name", village_name, "--township-key", str(t.key),
                 "--enroll-code", code]) == 0
    report = merge_paths(t.db, [export_bundle(open_database(path), tmp_path / "usb2").path])
    assert [b.status for b in report.bundles] == ["new"]
    return str(path), report.conflicts


def _village_questions(db) -> list[Conflict]:
    with db.session() as s:
        return list(s.execute(select(Conflict).where(Conflict.record_type == "grid")).scalars())


def test_a_village_named_as_the_township_knows_it_keeps_the_townships_code(tmp_path, capsys):
    t, moving = _township_with_placed_grids(tmp_path)
    path, conflicts = _new_laptop(tmp_path, t, "茅山村")
    assert conflicts == 0 and _village_questions(t.db) == []
    with t.db.session() as s:
        grid = s.get(Grid, "330521101-G01")
        assert (grid.village_code, grid.village_name) == ("330521101201", "茅山村")
        assert [v.id for v in s.execute(select(Village)).scalars()] == ["330521101201"]  # none made of the name
    assert main(["--db", str(t.db.path), "--lang", "en", "conflicts"]) == 0
    assert "No conflicts waiting for review." in capsys.readouterr().out
    update_resident(t.db, moving, {"grid_code": "330521101-G01"}, today=TODAY)  # the clerk moves one into G01
    with t.db.session() as s:
        assert s.get(Resident, moving).village_code == "330521101201"
    # the laptop learns the code from the clerk's return bundle
    laptop = open_database(path)
    assert [g.village_id for g in grid_villages(laptop)] == ["330521101-茅山村"]
    merge_paths(laptop, [export_bundle(t.db, tmp_path / "back", grid_code="G01").path])
    assert [(g.village_id, g.village) for g in grid_villages(laptop)] == [("330521101201", "茅山村")]


def test_a_village_the_township_knows_otherwise_stays_the_clerks_question(tmp_path):
    t, _moving = _township_with_placed_grids(tmp_path, ("沈家村", "330521101202"))
    _path, conflicts = _new_laptop(tmp_path, t, "茅山村")  # a village the township does not know
    asked = {(c.field, c.winner_value, c.loser_value) for c in _village_questions(t.db)}
    assert conflicts >= 1 and ("village_code", "330521101-茅山村", "330521101202") in asked, asked


def test_a_village_named_before_the_township_knew_its_code_joins_it_at_the_next_bundle(tmp_path):
    """A township that merged the code-less village before this version (or before it knew the code): the grid
    goes into the coded village at the worker's next bundle, no question left."""
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    set_grid_village(w, "330521101-G01", "茅山村")
    elder(w, "张三")
    merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path])
    with t.db.session() as s:
        assert s.get(Grid, "330521101-G01").village_code == "330521101-茅山村"  # nothing known of its code yet
    other = t.worker("李强", "G02")
    set_grid_village(other, "330521101-G02", "茅山村", "330521101201")
    merge_paths(t.db, [export_bundle(other, tmp_path / "usb").path])
    elder(w, "李四")
    merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path])
    with t.db.session() as s:
        assert s.get(Grid, "330521101-G01").village_code == "330521101201"
    assert _village_questions(t.db) == []

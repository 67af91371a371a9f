"""The township's bundles back to every grid at once (export --all-grids; the Sync screen's 所有网格): after a
month's merge, a clerk with 40 grids chose each in turn. Each grid gets what `export --grid` gives it, and each
worker's merge of the shared folder takes its own grid's alone."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select
from textual.widgets import Button, Input, Select, Static

from storage.core.errors import UserError
from storage.register.residents import register_resident, update_resident
from storage.sync.export import export_bundle
from storage.sync.export_grids import export_every_grid
from storage.sync.folder import for_this_database
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import make_township
from tests.test_cli import run
from tui.app import make_app

TODAY = dt.date(2026, 12, 2)


def _township(tmp_path, grids=("G01", "G02", "G03")):
    """A township whose workers each sent a bundle (their devices enrolled), and the clerk then corrected each
    grid's resident: what the return bundles carry back."""
    t = make_township(tmp_path)
    workers = {g: t.worker(f"网格员{g}", g) for g in grids}
    residents = {g: register_resident(w, {"name": f"对象{g}", "categories": ["solitary_elder"]}, today=TODAY)
                 for g, w in workers.items()}
    assert merge_paths(t.db, [export_bundle(w, tmp_path / "in").path for w in workers.values()]).refused == []
    for g, r in residents.items():
        update_resident(t.db, r.id, {"phone": f"1380000{int(g[1:]):04d}"})
    return t, workers, residents


def test_every_grid_gets_its_own_bundle_and_each_worker_merges_its_own_from_the_shared_folder(tmp_path):
    t, workers, residents = _township(tmp_path)
    shared = tmp_path / "shared"
    steps = []
    results = export_every_grid(t.db, shared, progress=lambda done, total: steps.append((done, total)))
    assert [r.manifest["grid_code"].split("-", 1)[-1] for r in results] == ["G01", "G02", "G03"]
    assert sorted(p.name for p in shared.iterdir()) == sorted(r.path.name for r in results)
    assert steps[0] == (0, 3) and steps[-1] == (3, 3)
    for g, w in workers.items():
        taken = for_this_database(w, [shared])
        assert taken.role == "worker" and len(taken.paths) == 1 and taken.left == 2  # its own grid's only
        report = merge_paths(w, taken.paths)
        assert report.refused == [] and [c.name for c in report.changed] == [f"对象{g}"]
        with w.session() as s:
            from storage.core.models import Resident

            assert s.get(Resident, residents[g].id).phone == f"1380000{int(g[1:]):04d}"
            # no other grid's resident reached this laptop
            assert set(s.exec(select(Resident.id)).all()) == {residents[g].id}


def test_every_grid_is_a_folder_and_a_township_s(tmp_path):
    t, workers, _residents = _township(tmp_path, grids=("G01",))
    with pytest.raises(UserError, match="give a folder"):
        export_every_grid(t.db, tmp_path / "one.gcb")
    with pytest.raises(UserError, match="Only a township"):
        export_every_grid(workers["G01"], tmp_path / "out")
    bare = make_township(tmp_path / "bare")
    with pytest.raises(UserError, match="No grid has an enrolled device"):
        export_every_grid(bare.db, tmp_path / "out")


def test_a_round_stopped_part_way_names_the_grids_written(tmp_path, monkeypatch):
    import storage.sync.export_grids as rounds

    t, _workers, _residents = _township(tmp_path)
    real = rounds.export_bundle

    def full_after_two(db, out, **kw):
        if kw["grid_code"] == "G03":
            raise UserError("The disk is full (/media/u): free some space and try again. Nothing was half-written.")
        return real(db, out, **kw)

    monkeypatch.setattr(rounds, "export_bundle", full_after_two)
    with pytest.raises(UserError) as info:
        export_every_grid(t.db, tmp_path / "shared")
    assert "The bundles for 2 grids were written (G01, G02); then, for grid G03: The disk is full" in str(info.value)
    assert len(list((tmp_path / "shared").iterdir())) == 2  # whole files, recorded: the next round numbers on


def test_export_all_grids_from_the_command_line(tmp_path):
    t, _workers, _residents = _township(tmp_path)
    t.db.dispose()
    out = run("--lang", "en", "--db", str(t.db.path), "export", "--all-grids", "--out", str(tmp_path / "shared"),
              tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [line.split(" written")[0] for line in out.stdout.splitlines() if "written" in line] == [
        "Bundle 1 for grid G01", "Bundle 2 for grid G02", "Bundle 3 for grid G03"]
    out = run("--lang", "en", "--db", str(t.db.path), "export", "--all-grids", "--grid", "G01", tmp_path=tmp_path)
    assert out.returncode == 1 and "Choose one: --county, --grid or --all-grids." in out.stderr


@run_async
async def test_the_sync_screen_exports_for_every_grid_at_80x24(tmp_path):
    t, _workers, _residents = _township(tmp_path)
    t.db.dispose()
    (tmp_path / "shared").mkdir()  # (a folder not there yet is asked about first: screens/dialogs.py when_folder_there)
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("s")
        await on_screen(pilot, "SyncScreen")
        screen = app.screen
        screen.query_one("#folder", Input).value = str(tmp_path / "shared")
        select = screen.query_one("#grid", Select)
        await settle(pilot, lambda: select._options and len(select._options) > 3)
        select.focus()
        await pilot.press("enter", "down", "enter")  # the list's first choice: every grid
        await settle(pilot)
        assert select.value == "*"
        button = screen.query_one("#export-grid", Button)
        assert str(button.label) == "导出给所有网格"
        button.press()
        result = screen.query_one("#result", Static)
        await settle(pilot, lambda: "已写出" in str(result.content))
        text = str(result.content)
        assert "已写出 3 个数据包，每个网格一个" in text and "G03：乡镇的第 3 个数据包" in text, text
        assert len(list((tmp_path / "shared").iterdir())) == 3
        await pilot.press("f2")  # English: the list's words and the button's follow, the choice kept
        await settle(pilot, lambda: str(screen.query_one("#export-grid", Button).label) == "Export for every grid")
        assert select.value == "*" and "Every grid (3)" in [str(label) for label, _value in select._options]


def test_the_round_reads_the_townships_moves_once_and_each_grid_gets_what_its_own_export_gives(tmp_path,
                                                                                               monkeypatch):
    """`export --all-grids` read the township's moves of residents again for each grid (40 identical reads for
    the demo township): read once, each grid's bundle still carries the events its own `export --grid` does."""
    from sqlalchemy import event

    import storage.sync.export as export

    t, _workers, residents = _township(tmp_path)
    update_resident(t.db, residents["G01"].id, {"grid_code": "330521101-G02"})  # moved, and moved on
    update_resident(t.db, residents["G01"].id, {"grid_code": "330521101-G03"})
    update_resident(t.db, residents["G02"].id, {"grid_code": "330521101-G01"})
    sent: dict[str, list[dict]] = {}
    real = export.write_bundle

    def kept(path, manifest, events, recipients, secret):
        sent[manifest["grid_code"]] = [{k: v for k, v in e.items()} for e in events]
        return real(path, manifest, iter(sent[manifest["grid_code"]]), recipients, secret)

    monkeypatch.setattr(export, "write_bundle", kept)
    statements: list[str] = []
    event.listen(t.db.engine, "before_cursor_execute", lambda _c, _cur, st, *_a: statements.append(st))
    export_every_grid(t.db, tmp_path / "round")
    assert sum("base_hlc >" in st for st in statements) == 1, "the township's moves read more than once"
    round_sent, sent = sent, {}
    for g in ("G01", "G02", "G03"):
        export_bundle(t.db, tmp_path / "alone", grid_code=g)
    assert round_sent == sent and len(sent) == 3
    moved = residents["G01"].id  # in G03 now, was in G01 and G02: each of the three learns of it
    assert all(moved in {e["record_id"] for e in events} for events in sent.values())

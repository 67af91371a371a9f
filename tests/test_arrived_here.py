"""Key persons the township registers straight into a grid, and closed cases it moves there (the walk of h-arrive).

Seen at 80×24 in Chinese: the clerk imported 周桂英 into G01 from her roster and moved 赵大山 from G02, and
孙敏, whose case she had closed (迁出), too; 王芳's merge of the G01 bundle said 赵大山 came, but 周桂英 was only one
of "新增记录：3", and Home's notice waited for 孙敏, whom nobody visits. Now the merge names the person registered,
Home keeps them as it keeps those moved (t opens them), a closed case is named apart and never waited for, and
the person's page says when and from where they came.
"""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, Static

from storage.core.db import open_database
from storage.core.i18n import set_language
from storage.core.restoring import backup_and_prune, restore_database
from storage.register.home import home_data
from storage.register.moved_here import Arrival, arrival, seen
from storage.register.profile import resident_profile
from storage.register.residents import close_case, update_resident
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import clerk_elder, elder, make_township
from tests.test_moved_here import G01, G02, TODAY, _plain, _round, clocks_on_today  # noqa: F401  (autouse here too)
from tui.app import make_app
from tui.cli import main
from tui.formatting import format_date
from tui.texts import describe_totals


def _arrivals(tmp_path, west_path=None):
    """Two grids loaded once; then the clerk registers 周桂英 in G01, moves 赵大山 there from G02, and 孙敏 too,
    whose case she closed first. `west_path`: where G01's database is (a file of tmp_path's, or a server's)."""
    t = make_township(tmp_path)
    west, east = t.worker("王芳", "G01", path=west_path), t.worker("李强", "G02")
    elder(west, "陈阿婆")
    zhao, sun = elder(east, "赵大山"), elder(east, "孙敏")
    merge_paths(t.db, [export_bundle(w, tmp_path / "up").path for w in (west, east)])
    _round(t, [(G01, west), (G02, east)], tmp_path / "first")
    zhou = clerk_elder(t, "周桂英", "G01")  # as the clerk's register form (or her roster's new row) saves it
    close_case(t.db, sun.id, "moved_away", TODAY, today=TODAY)
    for person in (zhao, sun):
        update_resident(t.db, person.id, {"grid_code": G01}, today=TODAY)
    return t, west, east, {"周桂英": zhou.id, "赵大山": zhao.id, "孙敏": sun.id}


def test_the_merge_names_who_the_township_registered_and_the_closed_case_apart(tmp_path):
    t, west, east, ids = _arrivals(tmp_path)
    (report,) = _round(t, [(G01, west)], tmp_path / "second")
    assert [(m.name, m.from_grid, m.closed) for m in report.registered_here] == [("周桂英", "", False)]
    assert [(m.name, m.from_grid, m.closed) for m in report.moved_here] == [("孙敏", "G02", True),
                                                                           ("赵大山", "G02", False)]
    set_language("zh_CN")
    try:
        lines = describe_totals(report)
    finally:
        set_language("en")
    assert "乡镇转入本网格的重点对象 1 名：赵大山（从网格 G02 转入）。今后由本网格探访；首页会列出，直到你打开或探访。" in lines
    assert "乡镇为本网格新增重点对象 1 名：周桂英。今后由本网格探访；首页会列出，直到你打开或探访。" in lines
    assert "乡镇转入或新增到本网格、已退出（销号）的对象 1 名：孙敏（从网格 G02 转入）。无需探访，首页不列出。" in lines
    data = home_data(west, TODAY)  # the closed case is not one to visit: not on the notice
    assert (data.moved_here, data.registered_here) == ([(ids["赵大山"], "赵大山")], [(ids["周桂英"], "周桂英")])
    assert data.arrivals == [ids["赵大山"], ids["周桂英"]]  # oldest arrival first; t opens them in that order
    assert seen(west, ids["周桂英"]) and home_data(west, TODAY).registered_here == []
    close_case(t.db, ids["赵大山"], "moved_away", TODAY, today=TODAY)  # closed after he came, before the worker opened him
    _round(t, [(G01, west)], tmp_path / "third")
    assert home_data(west, TODAY).arrivals == []
    again = _round(t, [(G01, west)], tmp_path / "fourth")
    assert [(r.moved_here, r.registered_here) for r in again] == [([], [])]  # said once


def test_the_page_says_when_and_from_where(tmp_path):
    t, west, east, ids = _arrivals(tmp_path)
    _round(t, [(G01, west)], tmp_path / "second")
    assert (arrival(west, ids["赵大山"]).from_grid, arrival(west, ids["周桂英"]).from_grid) == ("G02", "")
    assert arrival(west, ids["赵大山"]).on == TODAY
    assert resident_profile(west, ids["周桂英"], TODAY).arrived.on == TODAY
    assert arrival(t.db, ids["赵大山"]).from_grid == "G02"  # the clerk's page says the move too
    assert arrival(t.db, ids["周桂英"]) is None  # ... not that she registered the person herself
    chen = next(rid for rid, name in _names(west).items() if name == "陈阿婆")
    assert arrival(west, chen) is None  # registered on this laptop


def test_records_this_grids_own_devices_wrote_are_not_the_townships_news(tmp_path):
    """A record this laptop wrote after the backup it was restored from comes back with the township's bundle, as
    does one the grid's other laptop wrote: new here, neither was registered by the township."""
    t = make_township(tmp_path)
    west = t.worker("王芳", "G01")
    elder(west, "陈阿婆")
    merge_paths(t.db, [export_bundle(west, tmp_path / "up").path])
    _round(t, [(G01, west)], tmp_path / "first")
    office = t.worker("王芳", "G01", path=tmp_path / "G01-office.db")  # her second laptop
    merge_paths(t.db, [export_bundle(office, tmp_path / "up2").path])
    _round(t, [(G01, office)], tmp_path / "office-first")
    made, _removed = backup_and_prune(west.path, db=west)
    elder(west, "李桂花")  # after the backup, sent to the township, then the laptop is put back
    merge_paths(t.db, [export_bundle(west, tmp_path / "up3").path])
    west.dispose()
    restore_database(west.path, made.path)
    west = open_database(west.path)
    elder(office, "何玉兰")
    merge_paths(t.db, [export_bundle(office, tmp_path / "up4").path])
    to_west, to_office = _round(t, [(G01, west), (G01, office)], tmp_path / "second")
    assert sorted(_names(west).values()) == ["何玉兰", "李桂花", "陈阿婆"]  # both came back to her laptop
    assert [(r.registered_here, r.moved_here) for r in (to_west, to_office)] == [([], []), ([], [])]
    assert home_data(west, TODAY).arrivals == [] and arrival(west, _ids(west)["李桂花"]) is None


@pytest.mark.parametrize(("lang", "said"), [
    ("zh_CN", ["乡镇为本网格新增重点对象 1 名：周桂英。", "乡镇转入或新增到本网格、已退出（销号）的对象 1 名：孙敏（从网格 G02 转入）。"]),
    ("en", ["Registered by the township in this grid: 1 new key person, 周桂英.",
            "with the case closed: 1 person, 孙敏 (from grid G02). Not to be visited"]),
])
def test_gridcare_merge_says_so(tmp_path, db_target, capsys, lang, said):
    """`gridcare merge` of the township's bundle for G01, on a laptop's file or a server's database."""
    t, west, east, ids = _arrivals(tmp_path, west_path=db_target)
    bundle = export_bundle(t.db, tmp_path / "stick", grid_code=G01).path
    target = db_target if db_target.startswith("postgresql") else str(west.path)
    west.dispose()
    try:
        assert main(["--db", target, "--lang", lang, "merge", str(bundle)]) == 0
    finally:
        set_language("en")
    out = capsys.readouterr().out
    for words in said:
        assert words in out, out
    west = open_database(target)
    try:
        assert home_data(west, TODAY).registered_here == [(ids["周桂英"], "周桂英")]
        assert home_data(west, TODAY).moved_here == [(ids["赵大山"], "赵大山")]
        assert (arrival(west, ids["赵大山"]), arrival(west, ids["周桂英"])) == (Arrival(TODAY, "G02"), Arrival(TODAY, ""))
    finally:
        west.dispose()
        for db in (t.db, east):
            db.dispose()


@run_async
async def test_the_worker_merges_on_the_sync_screen_then_t_opens_each_and_the_page_says_how_they_came(tmp_path):
    t, west, east, ids = _arrivals(tmp_path)
    stick = tmp_path / "stick"
    export_bundle(t.db, stick, grid_code=G01)
    app = make_app(west.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("s")
        await on_screen(pilot, "SyncScreen")
        app.screen.query_one("#folder", Input).value = str(stick)
        assert app.screen.query_one("#merge-returned", Button).display
        await pilot.press("ctrl+r")
        result = app.screen.query_one("#result", Static)
        await settle(pilot, lambda: "新增记录" in str(result.content))
        text = str(result.content)
        assert "乡镇为本网格新增重点对象 1 名：周桂英。" in text, text
        assert "已退出（销号）的对象 1 名：孙敏（从网格 G02 转入）。无需探访，首页不列出。" in text, text
        await pilot.press("escape")
        await on_screen(pilot, "HomeScreen")
        progress = app.screen.query_one("#progress", Static)
        await settle(pilot, lambda: "乡镇新增到本网格：周桂英（按 t 打开）" in _plain(app, progress))
        shown = _plain(app, progress)
        assert "乡镇转入本网格：赵大山（按 t 打开）" in shown and "孙敏" not in shown, shown
        day = format_date(TODAY)
        for name, words in (("赵大山", f"{day}由乡镇从网格 G02 转入。"), ("周桂英", f"{day}由乡镇新增登记到本网格。")):
            await pilot.press("t")
            await on_screen(pilot, "ResidentScreen")
            assert app.screen.resident_id == ids[name]
            profile = app.screen.query_one("#profile", Static)
            await settle(pilot, lambda words=words, profile=profile: words in _plain(app, profile))
            await pilot.press("escape")
            await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: "乡镇新增" not in _plain(app, progress) and "乡镇转入" not in _plain(app, progress))


def _names(db) -> dict[str, str]:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return {str(rid): str(name) for rid, name in conn.execute(text("SELECT id, name FROM resident"))}


def _ids(db) -> dict[str, str]:
    return {name: rid for rid, name in _names(db).items()}


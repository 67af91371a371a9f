"""A key person the township moves from one grid to another, told to both workers (the walk of h-move).

Seen on the demo township: the clerk moved 覃春兰 and 孙强 from G01 to G02 and 孙敏 from G02 to G01; after each
worker merged the township's bundle for their grid, 吴艳 (G01) still had 覃春兰 (registered at the township, never
written by a G01 laptop) and 孙敏 was only one of "新增记录：14"; 刘娟 (G02) had 孙敏 still, and the two she gained
said nothing. Now the grid's bundle carries everyone who was ever in the grid, and the merge names who came and
who left; Home keeps a notice of those who came until the worker opens or visits them.
"""

from __future__ import annotations

import datetime as dt
import os
from unittest import mock

import pytest
from textual.widgets import Button, Input, Static

from storage.core.i18n import set_language
from storage.register.home import home_data
from storage.register.moved_here import seen
from storage.register.residents import update_resident
from storage.register.search import search_residents
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import clock_on
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import clerk_elder, elder, make_township
from tui.app import make_app
from tui.texts import describe_totals

TODAY = dt.date(2026, 12, 5)  # the day the clocks are pinned to (clocks_on_today)
G01, G02 = "330521101-G01", "330521101-G02"


@pytest.fixture(autouse=True)
def clocks_on_today():
    """The events' and the audit log's clocks at noon in China on TODAY. The day a person arrived is read off them in
    China; read off the real clock, TODAY was the day the module was imported, and a run crossing midnight in China
    (16:00 UTC) saw the arrival on the next day."""
    noon = dt.datetime.combine(TODAY, dt.time(4), dt.timezone.utc)
    with clock_on(TODAY), mock.patch("storage.core.audit.utc_now", return_value=noon):
        yield


def _round(t, workers, folder):
    """The clerk's bundle to each grid, merged by its worker: their reports, in the workers' order."""
    return [merge_paths(db, [export_bundle(t.db, folder, grid_code=grid).path]) for grid, db in workers]


def _moved(tmp_path):
    """Two grids loaded once; then the clerk moves 覃春兰 (registered by the clerk) and 江爱珍 (by G01's worker)
    to G02, and 赵大山 to G01."""
    t = make_township(tmp_path)
    west, east = t.worker("王芳", "G01"), t.worker("李强", "G02")
    jiang = elder(west, "江爱珍")
    elder(west, "陈阿婆")
    zhao = elder(east, "赵大山")
    merge_paths(t.db, [export_bundle(w, tmp_path / "up").path for w in (west, east)])
    qin = clerk_elder(t, "覃春兰", "G01")
    first = _round(t, [(G01, west), (G02, east)], tmp_path / "first")
    assert [r.moved_here for r in first] == [[], []]  # the whole grid arriving: no news of a move
    for person, grid in ((qin, G02), (jiang, G02), (zhao, G01)):
        update_resident(t.db, person.id, {"grid_code": grid}, today=TODAY)  # as the clerk's form saves it
    return t, west, east, {"覃春兰": qin.id, "江爱珍": jiang.id, "赵大山": zhao.id}


def test_each_workers_merge_names_who_came_and_who_left(tmp_path):
    t, west, east, ids = _moved(tmp_path)
    to_west, to_east = _round(t, [(G01, west), (G02, east)], tmp_path / "second")
    assert [(m.name, m.from_grid) for m in to_west.moved_here] == [("赵大山", "G02")]
    assert sorted(to_west.moved_away) == [("江爱珍", "G02"), ("覃春兰", "G02")]
    assert sorted((m.name, m.from_grid) for m in to_east.moved_here) == [("江爱珍", "G01"), ("覃春兰", "G01")]
    assert to_east.moved_away == [("赵大山", "G01")]
    with west.session() as s:  # 覃春兰, never written by a G01 laptop, leaves its list too
        assert sorted(r.name for r in search_residents(s, "", today=TODAY)) == ["赵大山", "陈阿婆"]
    set_language("zh_CN")
    try:
        lines = describe_totals(to_west)
        assert "乡镇转入本网格的重点对象 1 名：赵大山（从网格 G02 转入）。今后由本网格探访；首页会列出，直到你打开或探访。" in lines
        assert ("乡镇转到其他网格的重点对象 2 名：江爱珍（转到网格 G02）、覃春兰（转到网格 G02）。今后由转入的网格探访，"
                "本网格名单中不再列出。") in lines
    finally:
        set_language("en")
    again = _round(t, [(G01, west), (G02, east)], tmp_path / "third")
    assert [(r.moved_here, r.moved_away) for r in again] == [([], []), ([], [])]  # said once


def test_a_new_laptops_first_bundle_tells_of_no_move(tmp_path):
    """The grid's bundle carries those who left it long ago too: a laptop set up since has never listed them, and
    those who came before it was set up are simply the grid's."""
    t, west, east, _ids = _moved(tmp_path)
    _round(t, [(G01, west), (G02, east)], tmp_path / "second")
    again = t.worker("王芳", "G01", path=tmp_path / "G01-office.db")
    elder(again, "新登记")  # its first bundle, which the township takes with the enrollment code
    assert not merge_paths(t.db, [export_bundle(again, tmp_path / "up2").path]).refused
    (first,) = _round(t, [(G01, again)], tmp_path / "office")
    assert (first.moved_here, first.moved_away) == ([], [])
    with again.session() as s:
        assert sorted(r.name for r in search_residents(s, "", today=TODAY)) == ["新登记", "赵大山", "陈阿婆"]


def test_home_lists_those_moved_here_until_opened_or_visited(tmp_path):
    t, west, east, ids = _moved(tmp_path)
    _round(t, [(G01, west), (G02, east)], tmp_path / "second")
    assert [name for _rid, name in home_data(east, TODAY).moved_here] == ["江爱珍", "覃春兰"]
    assert seen(east, ids["江爱珍"]) and not seen(east, ids["江爱珍"])
    log_visit(east, ids["覃春兰"], {"visit_date": TODAY}, today=TODAY)
    assert home_data(east, TODAY).moved_here == []
    assert home_data(t.db, TODAY).moved_here == []  # the clerk made the moves: no notice at the township


@run_async
async def test_the_worker_merges_on_the_sync_screen_and_home_says_who_came(tmp_path):
    t, west, east, ids = _moved(tmp_path)
    stick = tmp_path / "stick"
    export_bundle(t.db, stick, grid_code=G02)
    app = make_app(east.path, lang="zh_CN", today=TODAY)
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
        assert "乡镇转入本网格的重点对象 2 名：江爱珍（从网格 G01 转入）、覃春兰（从网格 G01 转入）。" in text, text
        assert "乡镇转到其他网格的重点对象 1 名：赵大山（转到网格 G01）。" in text, text
        await pilot.press("escape")
        await on_screen(pilot, "HomeScreen")
        progress = app.screen.query_one("#progress", Static)
        # (a grid of three: the bars leave room for the notice's full words)
        await settle(pilot, lambda: "乡镇转入本网格的对象（按 t 打开第一位）" in _plain(app, progress))
        await pilot.press("t")  # the first of them: opening her page takes her off the notice
        await on_screen(pilot, "ResidentScreen")
        assert app.screen.resident_id == ids["江爱珍"]
        await pilot.press("escape")
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: "乡镇转入本网格：覃春兰（按 t 打开）" in _plain(app, progress))
        await pilot.press("t")
        await on_screen(pilot, "ResidentScreen")
        assert app.screen.resident_id == ids["覃春兰"]
        await pilot.press("escape")
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: "乡镇转入" not in _plain(app, progress) and "已探访" in _plain(app, progress))


def _plain(app, widget: Static) -> str:
    """What a Static shows, as text (a renderable of Rich's, rendered at the screen's width)."""
    from rich.console import Console

    console = Console(width=app.size.width, record=True, file=open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    console.print(widget.content)
    return console.export_text()


def test_on_a_server_too(tmp_path, db_target):
    """The township's scan of its resident events (JSON on PostgreSQL) and the worker's notice read through the
    server's driver, when both databases are PostgreSQL's."""
    import contextlib

    from storage.core.db import open_database
    from storage.core.identity import init_township
    from tests import pg
    from tests.sync_helpers import Township

    with contextlib.ExitStack() as stack:
        server = db_target.startswith("postgresql")
        town = open_database(db_target)
        init_township(town, "330521101", "新市镇", tmp_path / "township.pub")
        t = Township(town, tmp_path / "township.pub", tmp_path)
        west = t.worker("王芳", "G01")
        east = t.worker("李强", "G02", path=stack.enter_context(pg.fresh_database()) if server else None)
        elder(west, "陈阿婆")
        elder(east, "赵大山")
        merge_paths(t.db, [export_bundle(w, tmp_path / "up").path for w in (west, east)])
        qin = clerk_elder(t, "覃春兰", "G01")
        _round(t, [(G01, west), (G02, east)], tmp_path / "first")
        update_resident(t.db, qin.id, {"grid_code": G02}, today=TODAY)
        to_west, to_east = _round(t, [(G01, west), (G02, east)], tmp_path / "second")
        assert (to_west.moved_away, [m.name for m in to_east.moved_here]) == ([("覃春兰", "G02")], ["覃春兰"])
        assert home_data(east, TODAY).moved_here == [(qin.id, "覃春兰")]
        assert seen(east, qin.id) and home_data(east, TODAY).moved_here == []
        for db in (t.db, west, east):
            db.dispose()

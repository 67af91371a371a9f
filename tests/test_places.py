"""A grid's village (first run, init, later by the clerk) and the township key added later (issue #13)."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, Input, Static

from screens.home import HomeScreen
from screens.path_picker import PathPickerScreen
from screens.setup import SetupScreen
from screens.sync import SyncScreen
from screens.villages import VillageDialog, VillagesScreen
from storage.core import keys
from storage.core.db import open_database
from storage.core.errors import UserError, ValidationError
from storage.core.identity import get_identity, init_worker
from storage.core.places import village_label
from storage.core.township_key import has_township_key, set_township_key
from storage.register.villages import grid_villages, set_grid_village
from storage.reports.monthly import monthly_report
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import run_async, workers_done
from tests.sync_helpers import elder, make_township
from tests.test_cli import run
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


def _key(tmp_path, code="330521101"):
    path = tmp_path / f"township-{code}.pub"
    keys.write_public_key_file(path, code, "新市镇", keys.generate_keypair())
    return path


def test_a_worker_names_its_village_at_init_and_its_report_rows_say_it(tmp_path):
    db = open_database(tmp_path / "w.db")
    init_worker(db, "330521101", "新市镇", "G01", "一网格", "王芳", None, village_name="柳溪村")
    elder(db, "张三")
    [grid] = grid_villages(db)
    assert (grid.village_id, grid.village) == ("330521101-柳溪村", "柳溪村")
    report = monthly_report(db, 2026, 11, today=TODAY)
    assert [r.shown_label for r in report.rows["village"]] == ["柳溪村"]


def test_a_village_code_must_be_of_the_township(tmp_path):
    db = open_database(tmp_path / "w.db")
    with pytest.raises(ValidationError) as caught:
        init_worker(db, "330521101", "新市镇", "G01", "一网格", "王芳", None, village_name="柳溪村",
                    village_code="330521102201")
    assert caught.value.field == "village_code"
    assert get_identity(db) is None  # nothing written


def test_the_clerk_puts_grids_in_villages_later_and_the_report_follows(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    elder(a, "张三")
    elder(b, "李四")
    for w in (a, b):
        export_bundle(w, tmp_path / "usb")
    merge_paths(t.db, [tmp_path / "usb"])
    assert [r.shown_label for r in monthly_report(t.db, 2026, 11, today=TODAY).rows["village"]] == ["No village"]
    first = set_grid_village(t.db, "G01", "柳溪村", "330521101201")
    same = set_grid_village(t.db, "G02", "柳溪村")  # named as the township knows it: the same village
    assert first == same == "330521101201"
    rows = monthly_report(t.db, 2026, 11, today=TODAY).rows["village"]
    assert [(r.shown_label, r.key_persons) for r in rows] == [("柳溪村", 2)]
    # the return bundle carries the village's name to the grid
    export_bundle(t.db, tmp_path / "back", grid_code="G01")
    merge_paths(a, [tmp_path / "back"])
    assert [g.village for g in grid_villages(a)] == ["柳溪村"]


def test_a_village_known_by_its_name_only_travels_from_the_grid_to_the_township_and_back(tmp_path):
    """The first-run screen's village without a code: its id is "<township>-<name>" (Chinese). The township's
    merge refused the worker's first bundle for it ("village_code 值无效"), and a return bundle carrying a
    village named by the clerk would have been refused by the worker."""
    from storage.sync.devices import enroll

    t = make_township(tmp_path)
    a = open_database(tmp_path / "a.db")
    init_worker(a, "330521101", "新市镇", "G01", "柳溪一网格", "王芳", t.key, village_name="柳溪村",
                enroll_code=enroll(t.db, "G01", "王芳")[0])
    elder(a, "张三")
    [outcome] = merge_paths(t.db, [export_bundle(a, tmp_path / "usb").path]).bundles
    assert (outcome.status, outcome.message) == ("new", "")
    rows = monthly_report(t.db, 2026, 11, today=TODAY).rows["village"]
    assert [(r.key, r.shown_label, r.key_persons) for r in rows] == [("330521101-柳溪村", "柳溪村", 1)]
    set_grid_village(t.db, "G01", "桃源村")  # the clerk moves the grid to a village it names
    export_bundle(t.db, tmp_path / "back", grid_code="G01")
    [back] = merge_paths(a, [tmp_path / "back"]).bundles
    assert (back.status, back.message) == ("new", "")
    assert [(g.village_id, g.village) for g in grid_villages(a)] == [("330521101-桃源村", "桃源村")]


def test_a_village_name_that_could_not_travel_is_refused_where_it_is_typed(tmp_path):
    db = open_database(tmp_path / "w.db")
    with pytest.raises(ValidationError) as caught:
        init_worker(db, "330521101", "新市镇", "G01", "一网格", "王芳", None, village_name="柳溪/东村")
    assert caught.value.field == "village_name"


def test_a_worker_sets_only_its_own_grids_village(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    set_grid_village(a, "G01", "柳溪村")
    with pytest.raises(UserError):
        set_grid_village(a, "G02", "东村")


def test_a_village_known_only_by_its_id_still_reads_as_a_name():
    assert village_label("330521101-柳溪村", {}) == "柳溪村"
    assert village_label("330521101201", {}) == "330521101201"
    assert village_label("330521101201", {"330521101201": "柳溪村"}) == "柳溪村"


def test_the_township_key_is_added_later_once_and_never_swapped(tmp_path):
    db = open_database(tmp_path / "w.db")
    init_worker(db, "330521101", "新市镇", "G01", "一网格", "王芳", None)
    assert not has_township_key(get_identity(db))
    with pytest.raises(UserError, match="no township key yet"):
        export_bundle(db, tmp_path)
    key = _key(tmp_path)
    assert set_township_key(db, key)[1] is True
    assert has_township_key(get_identity(db))
    assert set_township_key(db, key)[1] is False  # the same file again: nothing changes
    other = tmp_path / "other" / "township-330521101.pub"
    other.parent.mkdir()
    keys.write_public_key_file(other, "330521101", "新市镇", keys.generate_keypair())
    with pytest.raises(UserError, match="does not change"):
        set_township_key(db, other)
    with pytest.raises(UserError, match="not 330521101"):
        set_township_key(db, _key(tmp_path, "330521102"))
    (tmp_path / "junk.pub").write_bytes(b"\x00\x01garbage")
    with pytest.raises(UserError):
        set_township_key(db, tmp_path / "junk.pub")


def test_the_cli_sets_the_village_and_the_key(tmp_path):
    key = _key(tmp_path)
    db = tmp_path / "w.db"
    out = run("--db", str(db), "--lang", "en", "init", "--role", "worker", "--township-code", "330521101",
              "--township-name", "新市镇", "--grid-code", "G01", "--grid-name", "一网格", "--worker", "王芳",
              "--village-name", "柳溪村", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "No township key yet" in out.stdout
    out = run("--db", str(db), "--lang", "zh_CN", "villages", tmp_path=tmp_path)
    assert out.returncode == 0 and "柳溪村" in out.stdout
    out = run("--db", str(db), "--lang", "en", "villages", "set", "G01", "--code", "12", tmp_path=tmp_path)
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1 and "12 digits" in out.stderr
    out = run("--db", str(db), "--lang", "en", "township-key", str(key), tmp_path=tmp_path)
    assert out.returncode == 0 and "fingerprint" in out.stdout
    assert has_township_key(get_identity(open_database(db)))
    out = run("--db", str(db), "--lang", "en", "township-key", str(tmp_path / "missing.pub"), tmp_path=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr


async def _settle(pilot, seconds: float = 0.2) -> None:
    await pilot.pause(seconds)
    await workers_done(pilot.app)
    await pilot.pause(0.1)


@run_async
async def test_first_run_asks_the_village_and_the_key_comes_later_on_the_sync_screen(tmp_path):
    key = _key(tmp_path)
    path = tmp_path / "new.db"
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        values = {"township_code": "330521101", "township_name": "新市镇", "grid_code": "G01", "grid_name": "一网格",
                  "worker": "王芳", "village_name": "柳溪村", "village_code": "330521101201"}
        for name, value in values.items():
            app.screen.query_one(f"#{name}", Input).value = value
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("s")
        await _settle(pilot)
        sync = app.screen
        assert isinstance(sync, SyncScreen)
        assert "no township key yet" in str(sync.query_one("#no-key").render())
        await pilot.press("k")
        await _settle(pilot)
        assert isinstance(app.screen, PathPickerScreen) and app.screen.choosing_file
        app.screen.query_one("#path", Input).value = str(key)
        await pilot.press("ctrl+l", "enter")
        await _settle(pilot)
        assert app.screen is sync and not sync.query_one("#no-key").display
        assert "fingerprint" in str(sync.query_one("#result", Static).content)
        assert "township_key" not in [b.binding.action for b in sync.active_bindings.values()]
    db = open_database(path)
    assert has_township_key(get_identity(db))
    assert [(g.village_id, g.village) for g in grid_villages(db)] == [("330521101201", "柳溪村")]


def _one_grid_merged(tmp_path):
    """A township that merged its grid G01's first bundle (王芳's 张三); no village yet."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    export_bundle(a, tmp_path / "usb")
    merge_paths(t.db, [tmp_path / "usb"])
    return t


@run_async
async def test_the_clerk_assigns_a_grid_to_a_village_on_the_villages_screen(tmp_path):
    t = _one_grid_merged(tmp_path)
    app = make_app(t.db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot, 0.5)
        await pilot.press("v")
        await _settle(pilot)
        assert isinstance(app.screen, VillagesScreen)
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, VillageDialog)
        app.screen.query_one("#village_name", Input).value = "柳溪村"
        app.screen.query_one("#village_code", Input).value = "33052110120"  # a digit short
        await pilot.press("ctrl+s")
        await _settle(pilot)
        # the dialog stays, as filled in, and says why beside the code (it closed, and all was typed again)
        assert isinstance(app.screen, VillageDialog)
        assert "12 digits" in str(app.screen.query_one("#village-error").render())
        assert app.screen.focused is app.screen.query_one("#village_code", Input)
        assert app.screen.query_one("#village_name", Input).value == "柳溪村"
        app.screen.query_one("#village_code", Input).value = "３３０５２１１０１２０１"  # an input method's digits
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, VillagesScreen)
        assert "柳溪村" in str(app.screen.query_one(DataTable).get_row_at(0)[3])
    assert [(g.village, g.village_id) for g in grid_villages(t.db)] == [("柳溪村", "330521101201")]


def test_villages_on_a_database_not_set_up_says_so(tmp_path, capsys):
    """An empty table and exit 0 (walk D 9): the database is not set up, which every other command says."""
    from storage.core.db import open_database
    from tui.cli import main

    open_database(tmp_path / "x.db").dispose()
    assert main(["--db", str(tmp_path / "x.db"), "--lang", "en", "villages"]) == 1
    assert "not set up yet" in capsys.readouterr().err


def test_a_visit_dated_more_than_a_year_ago_says_what_to_check(tmp_path):
    from storage.core.errors import ValidationErrors
    from storage.core.i18n import set_language
    from storage.register.visits import log_visit
    from tests.sync_helpers import elder, make_township

    set_language("en")
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    person = elder(w, "张三")
    today = dt.date(2026, 12, 2)
    with pytest.raises(ValidationErrors) as e:
        log_visit(w, person.id, {"visit_date": dt.date(2025, 11, 10)}, today=today)
    assert "check the year" in str(e.value)


@run_async
async def test_the_reports_no_village_row_says_why_and_who_places_the_grids(tmp_path):
    """A row named 无所属村 told the clerk nothing of why, nor how to put the grids in villages."""
    from screens.reports import ReportsScreen
    from tests.pilot_helpers import on_screen, settle

    t = _one_grid_merged(tmp_path)

    async def notes_shown(grouping_keys: tuple[str, ...] = ()) -> str:
        app = make_app(tmp_path / "township.db", lang="zh_CN", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, HomeScreen)
            await pilot.press("m")
            await on_screen(pilot, ReportsScreen)
            await settle(pilot, lambda: app.screen.report is not None)
            await pilot.press(*grouping_keys)
            await settle(pilot)
            return str(app.screen.query_one("#report-notes").render())

    hint = "无所属村：网格尚未归入村（在首页按 v 归入）。"
    assert hint in await notes_shown()
    assert hint not in await notes_shown(("g",))  # the grid table has no such row
    set_grid_village(t.db, "G01", "柳溪村", "330521101201")
    assert hint not in await notes_shown()

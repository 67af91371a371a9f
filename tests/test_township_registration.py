"""A resident the clerk registers at the township is in one of its grids, whose worker visits them.

The township's form had no grid: a resident registered there had none, was on no worker's list and went
out in no grid's bundle. Now the form asks for one of the township's grids (those merged, enrolled, or
given a code), storage refuses a registration without one, and the resident reaches the grid's worker.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select
from textual.widgets import Input, Label, Select

from storage.core.errors import ValidationError
from storage.core.models import Resident
from storage.register.residents import register_resident, update_resident
from storage.sync.devices import enroll
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import elder, make_township
from tui.app import make_app

TODAY = dt.date(2026, 12, 2)
ELDER = {"name": "孙大爷", "birth_date": dt.date(1940, 1, 1), "categories": ["solitary_elder"]}


def test_the_clerk_names_one_of_the_townships_grids(tmp_path):
    t = make_township(tmp_path)
    west = t.worker("王芳", "G01")  # merged below: a grid with its record
    t.worker("李明", "G02")  # a code given, nothing sent yet: a grid all the same
    merge_paths(t.db, [export_bundle(west, tmp_path / "up").path])
    with pytest.raises(ValidationError) as caught:
        register_resident(t.db, ELDER, today=TODAY)
    assert caught.value.field == "grid_code"
    for elsewhere in ("330521102-G01", "G01", "330521101-../x"):  # another township's grid, no township, no grid code
        with pytest.raises(ValidationError):
            register_resident(t.db, {**ELDER, "grid_code": elsewhere}, today=TODAY)
    r = register_resident(t.db, {**ELDER, "grid_code": "330521101-G02"}, today=TODAY)
    assert r.grid_code == "330521101-G02"
    moved = update_resident(t.db, r.id, {"grid_code": "330521101-G01"}, today=TODAY)
    assert moved.grid_code == "330521101-G01"
    with pytest.raises(ValidationError):
        update_resident(t.db, r.id, {"grid_code": "330521102-G01"}, today=TODAY)
    # a grid whose worker is not enrolled yet: the clerk may register its residents ahead of the worker
    assert register_resident(t.db, {**ELDER, "name": "孙二", "grid_code": "330521101-G09"}, today=TODAY).grid_code \
        == "330521101-G09"
    # a worker's registrations stay in the worker's own grid, as before
    assert elder(west, "张三").grid_code == "330521101-G01"


@run_async
async def test_registered_on_the_clerks_form_the_resident_reaches_the_grids_worker(tmp_path):
    t = make_township(tmp_path)
    west, _east = t.worker("王芳", "G01"), t.worker("李明", "G02")
    merge_paths(t.db, [export_bundle(west, tmp_path / "up").path])
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        from screens.resident_form import ResidentFormScreen

        await started(pilot, ResidentFormScreen)
        form = app.screen
        grid = form.query_one("#grid_code", Select)
        assert [str(prompt) for prompt, _value in grid._options[1:]] == ["G01网格（G01 · 王芳）", "G02（李明）"]
        form.query_one("#name", Input).value = "孙大爷"
        form.query_one("#birth_date", Input).value = "1940-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # not saved: the grid is asked for, beside its field
        assert "请选择对象所属的网格" in str(form.query_one("#err-grid_code", Label).render())
        grid.value = "330521101-G01"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "HomeScreen")  # saved and closed
    with t.db.session() as s:
        rid, grid_code = s.exec(select(Resident.id, Resident.grid_code).where(Resident.name == "孙大爷")).one()
    assert grid_code == "330521101-G01"
    merge_paths(west, [export_bundle(t.db, tmp_path / "back", grid_code="G01").path])
    with west.session() as s:
        assert s.get(Resident, rid).name == "孙大爷"  # on the worker's list


@run_async
async def test_the_clerk_edits_a_resident_of_a_grid_not_enrolled_yet_without_losing_the_grid(tmp_path):
    t = make_township(tmp_path)
    r = register_resident(t.db, {**ELDER, "grid_code": "330521101-G09"}, today=TODAY)  # ahead of its worker
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        from screens.resident_form import ResidentFormScreen

        await started(pilot, lambda: ResidentFormScreen(r.id))
        form = app.screen
        assert form.query_one("#grid_code", Select).value == "330521101-G09"
        form.query_one("#phone", Input).value = "13900001234"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "HomeScreen")
    with t.db.session() as s:
        saved = s.get(Resident, r.id)
    assert (saved.phone, saved.grid_code) == ("13900001234", "330521101-G09")


@run_async
async def test_a_township_without_grids_says_how_to_get_one(tmp_path):
    t = make_township(tmp_path)
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        from screens.resident_form import ResidentFormScreen

        await started(pilot, ResidentFormScreen)
        assert str(app.screen.query_one("#grid_code", Select).prompt) == "还没有网格：请先为网格员生成登记码（设备，按 n）"


@run_async
async def test_moving_a_resident_to_another_grid_on_the_form_is_asked_first(tmp_path):
    """Walk G, 1: the clerk moved 李小雨 to 西村网格 on the form with no question, and the old grid's worker went on
    visiting her. The form now says what the move does before it saves."""
    from screens.resident_form import ResidentFormScreen
    from storage.register.grid_choice import township_grids

    t = make_township(tmp_path)
    for grid, worker in (("G01", "王芳"), ("G02", "李强")):
        enroll(t.db, grid, worker)
    r = register_resident(t.db, {**ELDER, "grid_code": "330521101-G01"}, today=TODAY)
    with t.db.engine.connect() as conn:
        assert {g[0] for g in township_grids(conn)} >= {"330521101-G01", "330521101-G02"}
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: ResidentFormScreen(r.id))
        form = app.screen
        form.query_one("#grid_code", Select).value = "330521101-G02"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ConfirmScreen")
        question = str(app.screen.message)
        assert question.startswith("把孙大爷从G01转到G02？此人将移出G01的名单"), question
        await pilot.press("n")  # not moved: back on the form, on the grid
        await settle(pilot)
        assert app.screen is form and app.focused is form.query_one("#grid_code", Select)
        with t.db.session() as s:
            assert s.get(Resident, r.id).grid_code == "330521101-G01"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await on_screen(pilot, "HomeScreen")
    with t.db.session() as s:
        assert s.get(Resident, r.id).grid_code == "330521101-G02"

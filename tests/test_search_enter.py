"""Enter in the register's search box: the one resident found opens at once; with several, the list takes the
focus (Enter there opens the highlighted one). A name typed to open that person took two Enters."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable, Input

from storage.core.models import Resident
from tests.pilot_helpers import on_screen, run_async, settle
from tests.test_typing_order import at_home


def _one_name(worker) -> tuple[str, str]:
    """(id, name) of a resident whose name no other resident's contains."""
    with worker.session() as s:
        people = [(r.id, r.name) for r in s.exec(select(Resident)).all()]
    for rid, name in people:
        if sum(name in other for _i, other in people) == 1:
            return rid, name
    raise AssertionError(people)


async def _register(app, pilot):
    await pilot.press("r")
    await on_screen(pilot, "ResidentsScreen")
    table = app.screen.query_one(DataTable)
    search = app.screen.query_one("#search", Input)
    await settle(pilot, lambda: table.row_count > 1 and search.has_focus)
    return table, search


@run_async
async def test_enter_on_the_one_match_opens_it(tmp_path):
    async with at_home(tmp_path) as (app, pilot, worker):
        rid, name = _one_name(worker)
        table, search = await _register(app, pilot)
        search.value = name
        await settle(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await on_screen(pilot, "ResidentScreen")
        assert app.screen.resident_id == rid


@run_async
async def test_enter_typed_before_the_search_ran_opens_the_one_match(tmp_path):
    """Typed and Enter at once (before the pause after typing): the rows on screen were the earlier query's."""
    async with at_home(tmp_path) as (app, pilot, worker):
        rid, name = _one_name(worker)
        table, search = await _register(app, pilot)
        search.value = name
        await pilot.press("enter")
        await on_screen(pilot, "ResidentScreen")
        assert app.screen.resident_id == rid


@run_async
async def test_enter_with_several_matches_moves_to_the_list(tmp_path):
    async with at_home(tmp_path) as (app, pilot, worker):
        table, search = await _register(app, pilot)
        await pilot.press("enter")
        await settle(pilot, lambda: table.has_focus)
        assert type(app.screen).__name__ == "ResidentsScreen"
        first = table.coordinate_to_cell_key((0, 0)).row_key.value
        await pilot.press("enter")
        await on_screen(pilot, "ResidentScreen")
        assert app.screen.resident_id == first


@run_async
async def test_the_help_says_what_enter_in_the_search_box_does(tmp_path):
    async with at_home(tmp_path) as (app, pilot, worker):
        await _register(app, pilot)
        rows = dict(app.screen.help_rows())
        assert "Open the one resident found" in rows["Enter in the search box"]

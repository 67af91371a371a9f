"""A county's database (a file, or on a server) whose resident's categories were edited into a number: the county's
Home says its figures could not be read, naming the record, with what to do on that engine.

Before: the county's Home stayed on "Loading…" without a word (its worker's error reached no one), on both engines."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from textual.widgets import Static

from storage.core.db import open_database
from tests.pilot_helpers import on_screen, run_async, said, settle
from tests.test_county_screen import _county_with_a_township
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


@run_async
async def test_the_county_home_says_its_figures_could_not_be_read_in_place_of_loading(tmp_path, db_target):
    from screens.county_home import CountyHomeScreen

    _county_with_a_township(tmp_path, db_target)
    db = open_database(db_target)
    with db.engine.begin() as conn:
        person = conn.execute(text("SELECT id FROM resident ORDER BY id LIMIT 1")).scalar()
        cast = "CAST('5' AS json)" if db.engine.dialect.name == "postgresql" else "'5'"
        conn.execute(text(f"UPDATE resident SET categories = {cast} WHERE id = :id"), {"id": person})
    db.dispose()
    app = make_app(db_target, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, CountyHomeScreen)
        figures = lambda: str(app.screen.query_one("#progress", Static).content).replace("\n", "")  # noqa: E731
        await settle(pilot, lambda: figures() != "Loading…")
        where = "on the server" if db_target.startswith("postgresql") else "file"
        wanted = f"The database {where} is damaged: the Resident record {person} holds a value that cannot be read."
        assert figures().startswith(f"The figures could not be read. {wanted}"), figures()
        assert ("gridcare restore" in figures()) == (where == "file"), figures()
        assert not app.screen.query_one("#lists").display
        assert [note[:len(wanted)] for note in said(app)] == [wanted]

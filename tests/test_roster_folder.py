"""The roster screen starts in the folder of the last roster imported.

Seen in a walk: a clerk imports the villages' rosters one after another from the same USB stick; each time the
screen opened with an empty path and Ctrl+O browsed from the home folder, so the whole path was typed again.
The audit log kept only the file's bare name, so nothing could be offered.
"""

from __future__ import annotations

import os

from textual.widgets import DataTable, Input

from storage.core.audit import last_file
from storage.roster.importer import import_roster
from tests.pilot_helpers import run_async, settle
from tests.register_helpers import TODAY, make_register_db
from tests.roster_helpers import good_rows, write_xlsx
from tui.app import make_app


def test_the_screen_opens_in_the_last_rosters_folder_and_imports_the_next(tmp_path, monkeypatch):
    stick = tmp_path / "U盘" / "花名册"
    stick.mkdir(parents=True)
    db = make_register_db(tmp_path / "w.db", visits=False)
    import_roster(db, write_xlsx(stick / "东村.xlsx", good_rows()), today=TODAY)
    assert last_file(db, "roster_import") == str(stick / "东村.xlsx")  # the whole path, not the bare name
    next_one = [list(good_rows()[0])]
    next_one[0][1], next_one[0][2] = "赵小红", ""  # a child without an ID number: a new person
    write_xlsx(stick / "西村.xlsx", next_one)
    db.dispose()
    monkeypatch.chdir(tmp_path)

    async def flow() -> None:
        app = make_app("w.db", lang="zh_CN", today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.open_screen("roster_import")
            await settle(pilot)
            path = app.screen.query_one("#path", Input)
            assert path.value == str(stick) + os.sep and path.cursor_position == len(path.value)
            await pilot.press(*"西村.xlsx", "enter")  # only the file's name typed
            await settle(pilot)
            assert app.screen.query_one("#report", DataTable).row_count == 1

    run_async(flow)()


def test_an_entry_with_the_bare_name_offers_no_folder(tmp_path, monkeypatch):
    """Entries written before the path was kept whole say "东村.xlsx": no folder is guessed from the working one."""
    from storage.core.audit import last_folder, record

    db = make_register_db(tmp_path / "w.db", visits=False)
    record(db, "roster_import", "东村.xlsx", {"new": 3})
    monkeypatch.chdir(tmp_path)
    assert last_folder(db, "roster_import") is None

"""The state the 备份与恢复 screen and `gridcare backup --list` give each backup is the restore's own check
(storage/core/backup_check.py): a file the restore refuses is never listed as good.

Seen on screen: a backup holding a trigger, one lacking its visit table and one of a newer gridcare were listed
"完好" (SQLite's quick check finds them sound), and Enter on them only then said the restore would refuse them."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from screens.backups import BackupsScreen
from screens.dialogs import ConfirmScreen
from screens.home import HomeScreen
from storage.core import backup
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY
from tests.sync_helpers import elder, make_township
from tui.app import make_app
from tui.cli import main

NOON = dt.datetime(2026, 11, 24, 12, 0, 0)
CRAFTED = {  # a backup's name -> what was done to a copy of the worker's own backup
    "gridcare-backup-20261124-130000.db": "CREATE TRIGGER wipe AFTER INSERT ON audit_log BEGIN DELETE FROM audit_log; END;",
    "gridcare-backup-20261124-140000.db": "DROP TABLE visit;",
    "gridcare-backup-20261124-150000.db": "PRAGMA user_version = 99;",
}
STATES = ["cannot be restored", "damaged", "cannot be restored", "good"]  # newest first


@pytest.fixture(autouse=True)
def no_daily_backup(monkeypatch):
    """The app's own daily backup (five seconds after it opens) would add a row to the list."""
    import tui.app

    monkeypatch.setattr(tui.app, "BACKUP_DELAY", 3600.0)


def _worker_with_backups(tmp_path: Path) -> Path:
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G03")
    elder(worker, "甲")
    taken = backup.backup_now(worker.path, now=NOON).path
    worker.dispose()
    t.db.dispose()
    for name, sql in CRAFTED.items():
        crafted = taken.with_name(name)
        shutil.copyfile(taken, crafted)
        conn = sqlite3.connect(crafted)
        try:
            conn.executescript(sql)
        finally:
            conn.close()
        assert backup.integrity_ok(crafted)  # sound to SQLite: what the list asked before
    return worker.path


@run_async
async def test_the_screen_lists_a_backup_the_restore_refuses_as_not_good_and_enter_says_why(tmp_path):
    path = _worker_with_backups(tmp_path)
    app = make_app(path, lang="en", today=TODAY)
    async with app.run_test(size=(100, 24)) as pilot:
        await on_screen(pilot, HomeScreen)
        app.open_screen("backup")
        await on_screen(pilot, BackupsScreen)
        table = app.screen.query_one(DataTable)
        await settle(pilot, lambda: "checking…" not in str([table.get_row_at(i) for i in range(table.row_count)]))
        assert [str(table.get_row_at(i)[2]) for i in range(table.row_count)] == STATES
        # the column wide enough for the state known after it was drawn with "checking…" (it read "cannot be r")
        assert table.columns["state"].content_width >= len("cannot be restored")  # type: ignore[index]
        await pilot.press("enter")  # on the newer gridcare's: refused with the restore's words, nothing asked
        await settle(pilot)
        assert isinstance(app.screen, BackupsScreen) and not isinstance(app.screen, ConfirmScreen)
        assert "a backup made by a newer gridcare" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("down", "down", "enter")  # the one holding a trigger
        await settle(pilot)
        assert isinstance(app.screen, BackupsScreen)
        assert "holds SQL that gridcare never writes" in str(app.screen.query_one("#status", Static).render())


def test_backup_list_says_what_the_restore_would_refuse(tmp_path, capsys):
    path = _worker_with_backups(tmp_path)
    assert main(["--db", str(path), "--lang", "en", "backup", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.rsplit("  ", 1)[1] for line in lines] == [str(b.path) for b in backup.list_backups(path)]
    assert [next(s for s in ("cannot be restored", "damaged", "good") if f"  {s}  " in line) for line in lines] == STATES

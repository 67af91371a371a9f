"""A file offered as a backup may come from someone else: restore refuses, before anything is copied or renamed and
before the question, a file holding SQL gridcare never writes (a trigger, a view), one of a newer gridcare, one
lacking a table, and one made to slip past the check of the keys; a database file holding such SQL is not opened.

Seen by driving `gridcare restore --yes` on crafted copies of a worker's own backup: a trigger on the audit log
erased the whole log, the restore's own entry with it; a view in place of the event table made the count of what
the restore would leave behind run forever, and the restored database could not be opened; a file of schema 99
or one without its visit table was put in place of the database, which then could not be opened."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from storage.core import backup
from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.restoring import would_drop
from tests.sync_helpers import elder, make_township

NOON = dt.datetime(2026, 11, 24, 12, 0, 0)


def _worker_with_backup(tmp_path: Path) -> tuple[Path, Path]:
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G03")
    elder(worker, "甲")
    taken = backup.backup_now(worker.path, now=NOON)
    worker.dispose()
    t.db.dispose()
    return worker.path, taken.path


def _crafted(taken: Path, sql: str) -> Path:
    evil = taken.with_name("handed-over.db")
    shutil.copyfile(taken, evil)
    conn = sqlite3.connect(evil)
    try:
        conn.executescript(sql)
    finally:
        conn.close()
    return evil


def _refused_untouched(db_path: Path, evil: Path, said: str) -> None:
    before = db_path.read_bytes()
    with pytest.raises(UserError) as asked:  # before the question: `gridcare restore`, the 备份与恢复 screen
        would_drop(db_path, evil)
    assert said in str(asked.value)
    with pytest.raises(UserError) as caught:
        backup.restore(db_path, evil, now=NOON + dt.timedelta(hours=1))
    assert said in str(caught.value) and "\n" not in str(caught.value)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir() if "before-restore" in p.name or "restoring" in p.name) == []


SQL = {
    "a trigger erasing the audit log": "CREATE TRIGGER wipe AFTER INSERT ON audit_log BEGIN DELETE FROM audit_log; END;",
    "a trigger on the clock the restore carries": "CREATE TRIGGER t AFTER UPDATE ON identity BEGIN DELETE FROM event; END;",
    "a view in place of the event table": "ALTER TABLE event RENAME TO kept; CREATE VIEW event AS SELECT * FROM kept;",
    "a view beside the tables": "CREATE VIEW everyone AS SELECT * FROM resident;",
}


@pytest.mark.parametrize("sql", SQL.values(), ids=SQL.keys())
def test_a_backup_holding_a_trigger_or_a_view_is_refused_and_nothing_changes(tmp_path, sql):
    db_path, taken = _worker_with_backup(tmp_path)
    _refused_untouched(db_path, _crafted(taken, sql), "holds SQL that gridcare never writes")


SHAPES = {
    "of a newer gridcare": ("PRAGMA user_version = 99;", "a backup made by a newer gridcare (schema 99"),
    "without its visit table": ("DROP TABLE visit;", "is damaged or not a gridcare backup"),
    "set up but without its signing key": ("UPDATE identity SET device_sign_public = '', grid_code = '330521101-G99';",
                                           "is a backup of another database (grid G99"),
    # (quoted with its control characters replaced: the grid's code was printed as it was)
    "of another database, its grid code an escape sequence": (
        "UPDATE identity SET device_sign_public = 'x', grid_code = '330521101-' || char(27) || ']52;c;QQ==' || char(7);",
        "is a backup of another database (grid ?]52;c;QQ==?, 王芳)"),
    "not set up but holding changes": ("DELETE FROM identity;", "is damaged or not a gridcare backup"),
    # (every save after the restore failed: 2^63 - 1 overflowed SQLite's INTEGER, "an unexpected error")
    "with a clock no device reaches": ("UPDATE identity SET last_hlc = 9223372036854775807;",
                                       "is damaged or not a gridcare backup"),
    "with a change stamped so": ("UPDATE event SET hlc = 9223372036854775807 WHERE rowid = (SELECT max(rowid) FROM "
                                 "event);", "is damaged or not a gridcare backup"),
    "with a clock below zero": ("UPDATE identity SET last_hlc = -1;", "is damaged or not a gridcare backup"),
}


@pytest.mark.parametrize(("sql", "said"), SHAPES.values(), ids=SHAPES.keys())
def test_a_backup_the_database_could_not_be_opened_on_or_not_its_own_is_refused_untouched(tmp_path, sql, said):
    db_path, taken = _worker_with_backup(tmp_path)
    _refused_untouched(db_path, _crafted(taken, sql), said)


@pytest.mark.parametrize("sql", [SQL["a trigger erasing the audit log"], SQL["a view beside the tables"]])
def test_a_database_holding_a_trigger_or_a_view_is_not_opened_and_left_untouched(tmp_path, sql):
    """`--db` names whatever file the user was handed: SQLite would run its triggers on every save, and Home's first
    figures, read before the full open, would read a view in place of a table (made to run for ever, the app hung
    on its start)."""
    from storage.register.home import quick_reader

    db_path, _taken = _worker_with_backup(tmp_path)
    conn = sqlite3.connect(db_path)
    conn.executescript(sql)
    conn.close()
    before = db_path.read_bytes()
    assert quick_reader(db_path) is None  # the full open says why
    with pytest.raises(UserError, match=r"holds SQL that gridcare never writes \(the trigger or view (wipe|everyone)\)"):
        open_database(db_path)
    assert db_path.read_bytes() == before

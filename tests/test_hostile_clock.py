"""A database whose clock is one no device of gridcare's writes (at or past the horizon of storage/core/hlc.py, or
below zero) is refused when it is opened, as the restore refused it as a backup; and a restore no longer carries
such a clock over from the database it replaces.

Seen on a worker's copy edited so (UPDATE identity SET last_hlc = 2^63 - 1), opened directly with --db: Home came
up as usual, and every save then failed, on screen with "出错了：Python int too large to convert to SQLite INTEGER",
on the command line with "an unexpected error" and exit status 70. `gridcare restore`, the way out, carried the clock
over into the restored database (storage/core/restore_carry.py), which then failed the same way."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from storage.core import backup, hlc
from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.identity import get_identity
from storage.core.restoring import restore_database
from tests.sync_helpers import elder, make_township
from tests.test_cli import run

NOON = dt.datetime(2026, 11, 24, 12, 0, 0)
TOP = 2**63 - 1

CLOCKS = {
    "the device's clock at 2^63 - 1": f"UPDATE identity SET last_hlc = {TOP};",
    "the device's clock at the horizon": f"UPDATE identity SET last_hlc = {hlc.HORIZON};",
    "the device's clock below zero": "UPDATE identity SET last_hlc = -1;",
    "the device's clock a text": "UPDATE identity SET last_hlc = 'soon';",
}
# a change's clock: refused by a restore (every clock read once), not looked for at every open (a scan of the changes)
CHANGE_CLOCKS = {
    "a change stamped 2^63 - 1": f"UPDATE event SET hlc = {TOP} WHERE rowid = (SELECT max(rowid) FROM event);",
    "a change stamped below zero": f"UPDATE event SET hlc = {-TOP} WHERE rowid = (SELECT min(rowid) FROM event);",
}


def _worker(tmp_path: Path) -> Path:
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G03")
    elder(worker, "甲")
    worker.dispose()
    t.db.dispose()
    return worker.path


def _edit(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.executescript(sql)
    finally:
        conn.close()


@pytest.mark.parametrize("sql", CLOCKS.values(), ids=CLOCKS.keys())
def test_a_database_with_a_clock_gridcare_never_writes_is_not_opened_and_left_untouched(tmp_path, sql):
    path = _worker(tmp_path)
    _edit(path, sql)
    before = path.read_bytes()
    with pytest.raises(UserError) as refused:
        open_database(path)
    said = str(refused.value)
    assert "its clock is past any date gridcare writes" in said and "gridcare restore" in said and "\n" not in said
    assert path.read_bytes() == before


def test_the_command_line_says_so_in_one_line_with_exit_status_1(tmp_path):
    path = _worker(tmp_path)
    _edit(path, CLOCKS["the device's clock at 2^63 - 1"])
    out = run("--db", str(path), "--lang", "en", "pair", "甲", "--name", "李四", "--phone", "13800000000",
              tmp_path=tmp_path)
    assert out.returncode == 1, (out.returncode, out.stderr)
    assert out.stderr.strip().splitlines() == [
        f"gridcare: {path} is damaged: its clock is past any date gridcare writes, so nothing could be saved in it. "
        "Nothing was changed; restore a backup (gridcare restore)."]


def _saves(path: Path) -> int:
    """The device's clock after a save in the database at `path` (which must open, and save)."""
    db = open_database(path)
    try:
        elder(db, "乙")
        ident = get_identity(db)
        assert ident is not None
        return ident.last_hlc
    finally:
        db.dispose()


def test_a_restore_over_a_database_whose_clock_is_past_the_horizon_leaves_that_clock_behind(tmp_path):
    path = _worker(tmp_path)
    taken = backup.backup_now(path, now=NOON)
    _edit(path, CLOCKS["the device's clock at 2^63 - 1"])
    restore_database(path, taken.path)
    assert hlc.within_horizon(_saves(path))


def test_a_restore_moves_the_clock_no_further_than_a_merge_would_for_a_change_merged_near_the_horizon(tmp_path):
    """Another device's change stamped a moment below the horizon is merged and stored (the merge moves the clock
    only to OBSERVE_CEILING); carried over a restore as the clock, it left the device's next change at the horizon,
    refused by every township."""
    path = _worker(tmp_path)
    taken = backup.backup_now(path, now=NOON)
    _edit(path, "INSERT INTO event (id, device_id, author, record_type, record_id, hlc, base_hlc, fields) "
                "SELECT 'dddddddddddddddd-' || :near, 'dddddddddddddddd', author, record_type, record_id, :near, 0, "
                "fields FROM event LIMIT 1;".replace(":near", str(hlc.HORIZON - 1)))
    restore_database(path, taken.path)
    assert _saves(path) < hlc.HORIZON


@pytest.mark.parametrize("sql", CHANGE_CLOCKS.values(), ids=CHANGE_CLOCKS.keys())
def test_a_backup_holding_a_change_stamped_past_the_horizon_is_not_restored(tmp_path, sql):
    """Every clock of a backup is read before it is restored; the open reads only the device's (storage/core/
    clock_range.py: the changes' clocks are a scan of the event table, 0.6-2.2 s at every start of a county file)."""
    path = _worker(tmp_path)
    taken = backup.backup_now(path, now=NOON)
    _edit(taken.path, sql)
    open_database(path).dispose()  # the database itself is sound
    before = path.read_bytes()
    with pytest.raises(UserError) as refused:
        restore_database(path, taken.path)
    assert "is damaged or not a gridcare backup" in str(refused.value)
    assert path.read_bytes() == before


OWN_CHANGE = "UPDATE event SET hlc = {stamp} WHERE rowid = (SELECT max(rowid) FROM event WHERE device_id = " \
             "(SELECT device_id FROM identity));"


@pytest.mark.parametrize("stamp", [TOP, hlc.HORIZON, "'soon'"], ids=["2^63 - 1", "the horizon", "a text"])
def test_a_change_of_this_device_stamped_past_the_horizon_is_said_as_the_files_damage_not_the_computers_clock(
        tmp_path, stamp):
    """The start compared the computer's clock with this device's newest change, and said of a right clock "This
    computer's clock says 2026-12-05, which looks too early" (a text there ended the start in an unexpected error)."""
    from storage.core.clock_check import clock_warning

    path = _worker(tmp_path)
    now = dt.datetime.now()  # (the changes are stamped with the real clock)
    db = open_database(path)
    try:
        assert clock_warning(db, now=now) is None
    finally:
        db.dispose()
    _edit(path, OWN_CHANGE.format(stamp=stamp))
    db = open_database(path)
    try:
        said = clock_warning(db, now=now)
    finally:
        db.dispose()
    assert said == ("The database holds a change dated past any date gridcare writes: the file is damaged. Put back a "
                    "backup (b on Home opens Backup and restore; or gridcare restore).")

"""Backups (daily, rotated), restore (asks, keeps the current file aside), the app lock, the clock check."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from storage.core import backup, hlc
from storage.core.changes import new_id, writer
from storage.core.clock_check import clock_warning
from storage.core.errors import UserError
from storage.core.lock import AppLock, DatabaseInUse
from storage.sync.dump import dump_lines
from tests.foundation_helpers import make_db

ROOT = Path(__file__).parents[1]
NOON = dt.datetime(2026, 11, 24, 12, 0, 0)


def _add_resident(db, name):
    with db.write() as s:
        writer(s).write("resident", new_id(), {"name": name})


def test_auto_backup_at_most_daily_rotated_and_owner_only(tmp_path):
    db = make_db(tmp_path / "w.db")
    _add_resident(db, "甲")
    first = backup.auto_backup(db.path, now=NOON, days=3)
    assert first is not None and backup.integrity_ok(first.path)
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o600
    assert backup.auto_backup(db.path, now=NOON + dt.timedelta(hours=20), days=3) is None  # not yet a day
    for day in range(1, 6):
        backup.auto_backup(db.path, now=NOON + dt.timedelta(days=day), days=3)
    kept = backup.list_backups(db.path)
    assert [b.taken_at.day for b in kept] == [29, 28, 27, 26]  # older than 3 days removed


def test_a_backup_holds_committed_data_and_restore_keeps_the_current_file_aside(tmp_path):
    db = make_db(tmp_path / "w.db")
    _add_resident(db, "甲")
    taken = backup.backup_now(db.path, now=NOON)
    before = list(dump_lines(db))
    _add_resident(db, "乙")
    db.dispose()
    aside = backup.restore(db.path, taken.path, now=NOON + dt.timedelta(hours=1))
    assert aside.exists()
    from storage.core.db import open_database

    assert list(dump_lines(open_database(db.path))) == before
    assert "乙" in "".join(dump_lines(open_database(aside)))


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path):
    db = make_db(tmp_path / "w.db")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    before = db.path.read_bytes()
    with pytest.raises(UserError, match="damaged"):
        backup.restore(db.path, bad)
    assert db.path.read_bytes() == before


def test_latest_good_backup_skips_damaged_ones(tmp_path):
    db = make_db(tmp_path / "w.db")
    good = backup.backup_now(db.path, now=NOON)
    newer = backup.backup_now(db.path, now=NOON + dt.timedelta(days=1))
    newer.path.write_bytes(b"garbage" * 1000)
    assert backup.latest_good_backup(db.path).path == good.path


def test_a_second_app_window_is_told_the_database_is_in_use(tmp_path):
    db_path = tmp_path / "w.db"
    with AppLock(db_path):
        code = ("import sys; from pathlib import Path; from storage.core.lock import AppLock, DatabaseInUse\n"
                "try:\n    AppLock(Path(sys.argv[1])).acquire()\nexcept DatabaseInUse as e:\n    print('IN USE', e)\n")
        out = subprocess.run([sys.executable, "-c", code, str(db_path)], cwd=ROOT, capture_output=True, text=True)
        assert out.stdout.startswith("IN USE"), out.stderr
    AppLock(db_path).acquire()  # free again once released


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="links a user can make: POSIX")
def test_a_lock_file_that_is_a_link_is_refused_and_the_file_it_points_at_kept(tmp_path):
    """Before: a link named w.db.lock (a copied or shared folder) had the file it pointed at emptied and the app's
    process id written into it, the user's own file in another folder."""
    mine = tmp_path / "elsewhere" / "notes.txt"
    mine.parent.mkdir()
    mine.write_text("留守儿童名单", encoding="utf-8")
    (tmp_path / "w.db.lock").symlink_to(mine)
    with pytest.raises(UserError, match=r"w.db.lock is a link to another file, not gridcare's lock file"):
        AppLock(tmp_path / "w.db").acquire()
    assert mine.read_text(encoding="utf-8") == "留守儿童名单"


def test_the_same_process_cannot_take_the_lock_twice(tmp_path):
    first = AppLock(tmp_path / "w.db")
    first.acquire()
    try:
        with pytest.raises(DatabaseInUse):
            AppLock(tmp_path / "w.db").acquire()
    finally:
        first.release()


def test_clock_warnings_for_2001_and_2035_but_not_for_today(tmp_path):
    db = make_db(tmp_path / "w.db")  # its events are stamped with the real clock
    assert clock_warning(db, now=dt.datetime.now()) is None
    assert "too early" in clock_warning(db, now=dt.datetime(2001, 1, 1))
    assert "Check the date" in clock_warning(db, now=dt.datetime(2035, 6, 1))
    assert clock_warning(None, now=dt.datetime(2001, 1, 1)) is not None


def test_edits_made_under_a_2001_clock_still_order_after_what_the_device_saw(tmp_path):
    db = make_db(tmp_path / "w.db")
    with db.write() as s:
        w = writer(s)
        seen = w.identity.last_hlc
        w.identity.last_hlc = hlc.observe(seen, hlc.pack(hlc.now_ms() + 10_000, 0))
        ev = w.write("resident", new_id(), {"name": "甲"})
    assert ev.hlc > hlc.pack(hlc.now_ms(), 0)  # after the newest stamp it had seen


def test_a_damaged_database_is_detected_and_the_latest_good_backup_named(tmp_path):
    db = make_db(tmp_path / "w.db")
    _add_resident(db, "甲")
    made, problem = backup.check_and_backup(db.path, now=NOON)
    assert made is not None and problem is None
    db.dispose()
    # damage the pages after the header, as a power cut mid-write on a bad disk might
    data = bytearray(db.path.read_bytes())
    for i in range(4096, len(data), 97):
        data[i] = 0xA5
    db.path.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(str(db.path) + side).unlink(missing_ok=True)
    made, problem = backup.check_and_backup(db.path, now=NOON + dt.timedelta(days=2))
    assert made is None
    assert "damaged" in problem and "2026-11-24 12:00" in problem and "gridcare restore" in problem
    assert len(backup.list_backups(db.path)) == 1  # the damaged file was not backed up


def _damage(path: Path) -> None:
    """Damage the pages after the header, as a power cut mid-write on a bad disk might."""
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data), 97):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)


def test_gridcare_backup_refuses_a_damaged_database_and_keeps_the_good_backup(tmp_path):
    """Issue #19 item 8: `backup --keep-days` once backed up the damaged file and deleted the last good backup."""
    from tests.test_cli import run

    db = make_db(tmp_path / "w.db")
    for i in range(30):
        _add_resident(db, f"甲{i}")
    good = backup.backup_now(db.path, now=NOON - dt.timedelta(days=30))  # a month old: past any --keep-days
    db.dispose()
    _damage(db.path)
    out = run("--lang", "en", "--db", str(db.path), "backup", "--keep-days", "1", tmp_path=tmp_path)
    assert out.returncode == 1 and "No backup was made" in out.stderr and "damaged" in out.stderr, out.stderr
    assert [b.path for b in backup.list_backups(db.path)] == [good.path]
    assert backup.latest_good_backup(db.path).path == good.path  # restore still finds it


def test_pruning_never_removes_the_newest_good_backup(tmp_path):
    db = make_db(tmp_path / "w.db")
    for i in range(30):
        _add_resident(db, f"甲{i}")
    good = backup.backup_now(db.path, now=NOON)
    older = backup.backup_now(db.path, now=NOON - dt.timedelta(days=1))
    # a damaged copy slipped in as the newest (a disk that failed while copying)
    bad = backup.backup_now(db.path, now=NOON + dt.timedelta(days=1))
    _damage(bad.path)
    removed = backup.prune(db.path, 3, now=NOON + dt.timedelta(days=20))
    assert removed == [older.path]  # the newest (damaged) stays as the newest, and the newest good one too
    assert {b.path for b in backup.list_backups(db.path)} == {bad.path, good.path}


def test_restore_refuses_another_databases_backup_and_a_file_of_another_program(tmp_path):
    """Seen in a walk: `gridcare --db w.db restore town.db` put the township's database in place of a worker's
    (its identity, every grid's records; the keys beside w.db did not fit it) and said it had restored."""
    import sqlite3

    from tests.sync_helpers import make_township

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G03")
    _add_resident(worker, "甲")
    own = backup.backup_now(worker.path, now=NOON)
    worker.dispose()
    t.db.dispose()
    before = worker.path.read_bytes()
    with pytest.raises(UserError) as caught:
        backup.restore(worker.path, t.db.path)
    assert str(caught.value) == (f"{t.db.path} is a backup of another database (township 330521101): the keys beside "
                                 "this database do not fit it; nothing was changed.")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(UserError, match="not a gridcare backup"):
        backup.restore(worker.path, other)
    assert worker.path.read_bytes() == before
    backup.restore(worker.path, own.path, now=NOON + dt.timedelta(hours=1))  # its own backup: restored


def test_a_damaged_database_takes_its_backup_though_it_cannot_say_whose_it_is(tmp_path):
    db = make_db(tmp_path / "w.db")
    _add_resident(db, "甲")
    taken = backup.backup_now(db.path, now=NOON)
    before = list(dump_lines(db))
    db.dispose()
    db.path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)  # its identity unreadable now
    backup.restore(db.path, taken.path, now=NOON + dt.timedelta(hours=1))
    from storage.core.db import open_database

    assert list(dump_lines(open_database(db.path))) == before


def test_a_restore_keeps_the_audit_log_of_what_was_done_since_the_backup(tmp_path):
    """The records go back to the backup; the log of what was exported, merged and reported does not (it lives in
    the database, so a restore used to erase the entries made since the backup)."""
    from storage.core.audit import entries, record
    from storage.core.db import open_database

    db = make_db(tmp_path / "w.db")
    record(db, "report", str(tmp_path / "十月.xlsx"), {"month": "2026-10"})
    taken = backup.backup_now(db.path, now=NOON)
    record(db, "export", str(tmp_path / "U盘" / "bundle-3.gcb"), {"events": 12})
    record(db, "report", str(tmp_path / "十一月.xlsx"), {"month": "2026-11"})
    db.dispose()
    backup.restore(db.path, taken.path, now=NOON + dt.timedelta(hours=1))
    after = open_database(db.path)
    assert [(e.action, Path(e.file).name, e.counts) for e in reversed(entries(after))] == [
        ("report", "十月.xlsx", {"month": "2026-10"}), ("export", "bundle-3.gcb", {"events": 12}),
        ("report", "十一月.xlsx", {"month": "2026-11"})]
    after.dispose()


def test_a_keep_days_beyond_any_date_keeps_the_backups_and_the_command_says_a_bad_number(tmp_path, monkeypatch):
    """Before: GRIDCARE_BACKUP_KEEP_DAYS=99999999999999999999 ended `gridcare backup` (and the app's daily backup)
    in "an unexpected error" (OverflowError) after writing the backup; --keep-days -5 pruned every backup but the
    newest and the newest good one."""
    from tests.test_cli import run

    db = make_db(tmp_path / "w.db")
    old = backup.backup_now(db.path, now=NOON - dt.timedelta(days=40))
    db.dispose()
    monkeypatch.setenv("GRIDCARE_BACKUP_KEEP_DAYS", "99999999999999999999")
    assert backup.auto_backup(db.path, now=NOON) is not None
    assert old.path.exists()
    for days in ("-5", "0", "99999999999999999999"):
        out = run("--db", str(db.path), "--lang", "en", "backup", "--keep-days", days, tmp_path=tmp_path)
        assert out.returncode == 2 and "a number of days from 1 to 36,500" in out.stderr, out.stderr
    assert old.path.exists() and len(backup.list_backups(db.path)) == 2
    out = run("--db", str(db.path), "backup", tmp_path=tmp_path, env={"GRIDCARE_BACKUP_KEEP_DAYS": "99999999999999999999"})
    assert out.returncode == 0, out.stderr


def test_pruning_keeps_the_newest_backup_the_restore_would_take_not_one_that_only_looks_sound(tmp_path):
    """A backup holding a trigger passes SQLite's quick check: the rotation called it the newest good one and deleted
    the older backup, the last one a restore would take (the restore refuses the trigger's)."""
    import sqlite3

    db = make_db(tmp_path / "w.db")
    _add_resident(db, "甲")
    older = backup.backup_now(db.path, now=NOON - dt.timedelta(days=10))
    crafted = backup.backup_now(db.path, now=NOON)
    conn = sqlite3.connect(crafted.path)
    try:
        conn.execute("CREATE TRIGGER wipe AFTER INSERT ON audit_log BEGIN DELETE FROM audit_log; END")
        conn.commit()
    finally:
        conn.close()
    newest = backup.backup_now(db.path, now=NOON + dt.timedelta(days=1))
    _damage(newest.path)
    assert backup.latest_good_backup(db.path).path == older.path
    assert backup.prune(db.path, 3, now=NOON + dt.timedelta(days=20)) == [crafted.path]
    assert {b.path for b in backup.list_backups(db.path)} == {newest.path, older.path}

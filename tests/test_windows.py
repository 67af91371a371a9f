"""Windows' behaviour reproduced at the boundary storage/core/platform.py wraps (tests/windows_fakes.py):
backups and restore with Windows' fsync, the app lock with msvcrt's mandatory locks, paths that
SQLite URIs would cut, the UI language, redirected output in the console's code page."""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from storage.core import backup, platform
from storage.core.changes import new_id, writer
from storage.core.db import open_database
from storage.core.lock import AppLock, DatabaseInUse
from storage.sync.dump import dump_lines
from tests.foundation_helpers import make_db
from tests.windows_fakes import as_windows, windows_fsync

NOON = dt.datetime(2026, 11, 24, 12, 0, 0)


def _add(db, name):
    with db.write() as s:
        writer(s).write("resident", new_id(), {"name": name})


def test_the_fake_fsync_refuses_a_read_only_handle_as_windows_does(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"x")
    with open(f, "rb") as fh, pytest.raises(OSError) as err:
        windows_fsync(fh.fileno())
    assert err.value.errno == errno.EBADF
    with open(f, "r+b") as fh:
        windows_fsync(fh.fileno())


# --- 1. backups and restore ---------------------------------------------------------------------


def test_a_backup_is_taken_under_windows_fsync(tmp_path, monkeypatch):
    db = make_db(tmp_path / "w.db")
    _add(db, "甲")
    as_windows(monkeypatch)
    made = backup.backup_now(db.path, now=NOON)
    assert backup.integrity_ok(made.path)
    assert backup.auto_backup(db.path, now=NOON + dt.timedelta(days=1)) is not None
    assert not list(made.path.parent.glob("*.part"))


def test_restore_under_windows_fsync_puts_the_backup_in_place(tmp_path, monkeypatch):
    db = make_db(tmp_path / "w.db")
    _add(db, "甲")
    taken = backup.backup_now(db.path, now=NOON)
    before = list(dump_lines(db))
    _add(db, "乙")
    db.dispose()
    as_windows(monkeypatch)
    aside = backup.restore(db.path, taken.path, now=NOON + dt.timedelta(hours=1))
    assert list(dump_lines(open_database(db.path))) == before
    assert "乙" in "".join(dump_lines(open_database(aside)))


def _db_with_unsaved_wal(path: Path) -> str:
    """A database whose last transaction is only in its -wal (as after a crash or a power cut)."""
    db = make_db(path)
    _add(db, "甲")
    db.dispose()
    name = "王在WAL里"
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM resident").fetchall()  # a reader: the writer's close cannot checkpoint
    writer_conn = sqlite3.connect(str(path))
    writer_conn.execute("PRAGMA wal_autocheckpoint = 0")
    writer_conn.execute("UPDATE resident SET name = ?", (name,))
    writer_conn.commit()
    writer_conn.close()
    # the files as a crash leaves them: copy them while a connection still holds the WAL open
    crashed = path.with_name("crashed.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(crashed) + suffix).write_bytes(Path(str(path) + suffix).read_bytes())
    holder.close()  # the last connection: it checkpoints and removes the -wal of the original
    for suffix in ("", "-wal", "-shm"):
        Path(str(crashed) + suffix).replace(Path(str(path) + suffix))
    assert Path(str(path) + "-wal").stat().st_size > 0
    return name


def _names(path: Path) -> list[str]:
    conn = sqlite3.connect(str(path))
    try:
        return [r[0] for r in conn.execute("SELECT name FROM resident")]
    finally:
        conn.close()


@pytest.mark.parametrize("failing", ["fsync", "replace", "disk full"])
def test_a_restore_that_fails_leaves_the_database_as_it_found_it(tmp_path, monkeypatch, failing):
    db_path = tmp_path / "w.db"
    db = make_db(tmp_path / "old.db")
    taken = backup.backup_now(db.path, now=NOON)
    db.dispose()
    name = _db_with_unsaved_wal(db_path)
    files = {s: Path(str(db_path) + s).read_bytes() for s in ("", "-wal", "-shm")}
    real_replace = os.replace
    if failing == "fsync":  # as Windows' fsync of a read-only handle, where today's restore died
        def fsync(fd):
            raise OSError(errno.EBADF, "Bad file descriptor")
        monkeypatch.setattr(os, "fsync", fsync)
    elif failing == "replace":  # Windows: the database is open in another process
        def replace(src, dst):
            if Path(dst) == db_path:
                raise PermissionError(errno.EACCES, "The process cannot access the file")
            real_replace(src, dst)
        monkeypatch.setattr(os, "replace", replace)
    else:
        real_copy = backup.shutil.copyfileobj

        def copy(fin, fout, *a):
            if Path(fout.name).name.startswith("w.db.before-restore"):
                raise OSError(errno.ENOSPC, "No space left on device")
            real_copy(fin, fout, *a)
        monkeypatch.setattr(backup.shutil, "copyfileobj", copy)
    with pytest.raises(OSError):
        backup.restore(db_path, taken.path, now=NOON)
    assert {s: Path(str(db_path) + s).read_bytes() for s in ("", "-wal", "-shm")} == files
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("w.db")) == ["w.db", "w.db-shm", "w.db-wal"]
    assert _names(db_path) == [name]  # the transaction in the -wal is still there


def test_the_copy_a_restore_keeps_aside_is_one_whole_file_with_what_the_wal_held(tmp_path):
    db_path = tmp_path / "w.db"
    db = make_db(tmp_path / "old.db")
    taken = backup.backup_now(db.path, now=NOON)
    db.dispose()
    name = _db_with_unsaved_wal(db_path)
    aside = backup.restore(db_path, taken.path, now=NOON)
    # no -wal or -shm beside it: the copy alone is what the database was, and can be moved or mailed as one file
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("w.db")) == ["w.db", aside.name]
    assert _names(aside) == [name]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(aside.name)) == [aside.name]  # read, not WAL
    assert _names(db_path) == []
    assert not Path(str(db_path) + "-wal").exists()


def test_a_database_too_damaged_to_read_is_kept_aside_with_its_wal(tmp_path):
    db_path = tmp_path / "w.db"
    db = make_db(tmp_path / "old.db")
    taken = backup.backup_now(db.path, now=NOON)
    db.dispose()
    _db_with_unsaved_wal(db_path)
    files = {s: Path(str(db_path) + s).read_bytes() for s in ("", "-wal")}
    data = bytearray(files[""])
    data[:16] = b"not a database!!"  # SQLite reads no page of it; its bytes are all the user has
    db_path.write_bytes(bytes(data))
    aside = backup.restore(db_path, taken.path, now=NOON)
    assert Path(str(aside)).read_bytes() == bytes(data) and Path(str(aside) + "-wal").read_bytes() == files["-wal"]
    assert _names(db_path) == []


# --- 4. the integrity check opens exactly the file it was given ----------------------------------


@pytest.mark.parametrize("folder", ["dir#1", "a?b", "100%", "50%20off", "with space", "乡镇 备份#2?x=1"])
def test_the_integrity_check_reads_the_named_file_whatever_its_folder_is_called(tmp_path, folder):
    where = tmp_path / folder
    where.mkdir()
    good = make_db(where / "gridcare.db")
    _add(good, "甲")
    good.dispose()
    assert backup.integrity_ok(where / "gridcare.db")
    damaged = where / "damaged.db"
    data = bytearray((where / "gridcare.db").read_bytes())
    for i in range(4096, len(data), 97):
        data[i] = 0xA5
    damaged.write_bytes(bytes(data))
    before = sorted(p.name for p in tmp_path.iterdir())
    assert not backup.integrity_ok(damaged)
    assert not backup.integrity_ok(where / "missing.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no stray file made at "dir" or "a"


@pytest.mark.parametrize("folder", ["dir#1", "a?b", "100%", "乡镇 数据"])
def test_a_database_opens_where_it_was_asked_for(tmp_path, folder):
    path = tmp_path / folder / "gridcare.db"
    db = make_db(path)
    _add(db, "甲")
    db.dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]
    assert _names(path) == ["甲"]


# --- 2. the app lock -------------------------------------------------------------------------------


def test_the_fake_msvcrt_stops_another_handle_reading_a_locked_byte(tmp_path, monkeypatch):
    msvcrt = as_windows(monkeypatch)
    f = tmp_path / "f.lock"
    f.write_bytes(b"4242")
    a, b = os.open(f, os.O_RDWR), os.open(f, os.O_RDWR)
    try:
        msvcrt.locking(a, msvcrt.LK_NBLCK, 1)  # byte 0, as today's lock did
        with pytest.raises(PermissionError):
            os.read(b, 16)
        with pytest.raises(PermissionError):
            msvcrt.locking(b, msvcrt.LK_NBLCK, 1)
        assert os.read(a, 16) == b"4242"
    finally:
        os.close(a)
        os.close(b)


def test_a_second_window_on_windows_is_told_which_process_holds_the_database(tmp_path, monkeypatch):
    msvcrt = as_windows(monkeypatch)
    first = AppLock(tmp_path / "w.db")
    first.acquire()
    try:
        with pytest.raises(DatabaseInUse, match=str(os.getpid())):
            AppLock(tmp_path / "w.db").acquire()
        assert msvcrt.calls and all(offset == platform.LOCK_OFFSET for _mode, offset in msvcrt.calls)
    finally:
        first.release()
    again = AppLock(tmp_path / "w.db")
    again.acquire()  # free once released
    again.release()
    assert not any(msvcrt.locks.values())


# --- 5. the language on Windows comes from the system ---------------------------------------------


def _no_language_variables(monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "GRIDCARE_LANG"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize("ui, user, expected", [
    (0x0409, 0x0804, "en"),  # English Windows, Chinese regional settings: the UI language wins
    (0x0809, None, "en"),  # en-GB
    (0x0804, 0x0409, "zh_CN"),
    (0x0404, None, "zh_CN"),  # zh-TW: the Chinese we have
    (0x040C, 0x0409, "en"),  # French UI (not ours), English locale
    (0x040C, 0x040C, "zh_CN"),  # neither ours: Chinese
])
def test_on_windows_the_language_is_the_users_ui_language(monkeypatch, ui, user, expected):
    from storage.core.i18n import choose_language

    _no_language_variables(monkeypatch)
    as_windows(monkeypatch, ui_langid=ui, user_langid=user)
    assert choose_language() == expected
    assert choose_language("zh_CN") == "zh_CN"  # --lang still decides
    monkeypatch.setenv("GRIDCARE_LANG", "zh_CN")
    assert choose_language() == "zh_CN"


def test_without_the_windows_call_the_language_is_chinese(monkeypatch):
    import ctypes

    from storage.core.i18n import choose_language

    _no_language_variables(monkeypatch)
    as_windows(monkeypatch)
    monkeypatch.delattr(ctypes, "windll")
    assert choose_language() == "zh_CN"


# --- 3. redirected output is UTF-8; a console gets what it can show -------------------------------

RARE = "王𠮷"  # 𠮷 (U+20BB7) is outside GBK: cp936 cannot write it


def _township_with_rare_name(path: Path) -> None:
    from storage.register.residents import register_resident

    db = make_db(path)
    register_resident(db, {"name": RARE, "grid_code": "330521101-G01", "categories": ["solitary_elder"],
                           "registered_on": dt.date(2026, 1, 10)}, today=dt.date(2026, 1, 10))
    db.dispose()


def _run_cp936(tmp_path, *args):
    """gridcare with stdout and stderr in the ANSI code page, as Windows gives a redirected stream."""
    import subprocess
    import sys

    root = Path(__file__).parents[1]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root), "PYTHONIOENCODING": "cp936",
           "GRIDCARE_LOG_DIR": str(tmp_path / "log"), "GRIDCARE_LANG": "zh_CN"}
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, env=env, cwd=tmp_path)


@pytest.mark.parametrize("command", [["dump"], ["report", "--month", "2026-09"]])
def test_redirected_output_is_utf8_even_in_a_gbk_code_page(tmp_path, command):
    db = tmp_path / "w.db"
    _township_with_rare_name(db)
    out = _run_cp936(tmp_path, "--db", str(db), *command)
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    assert RARE in out.stdout.decode("utf-8")


def test_a_user_error_redirected_in_a_gbk_code_page_is_utf8(tmp_path):
    out = _run_cp936(tmp_path, "--db", str(tmp_path / "missing.db"), "dump")
    assert out.returncode == 1
    assert "数据库" in out.stderr.decode("utf-8")


class _GbkConsole(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def test_a_gbk_console_gets_what_it_can_show(tmp_path, monkeypatch):
    from tui.cli import main

    db = tmp_path / "w.db"
    _township_with_rare_name(db)
    raw = io.BytesIO()
    console = _GbkConsole(raw, encoding="cp936")
    monkeypatch.setattr(sys, "stdout", console)
    assert main(["--db", str(db), "dump"]) == 0
    console.flush()
    assert "王?" in raw.getvalue().decode("cp936")

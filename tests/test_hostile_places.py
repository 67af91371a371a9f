"""Issue #19, items 7, 9 and 10: text from files printed safely, places gridcare cannot write,
files that are not ours (who may read what gridcare writes: tests/test_owner_only_files.py).

Each test failed on the code before: control characters printed raw, a read-only folder called
a damaged database, a full disk and a busy database gave "an unexpected error" (exit 70), a 0400
database made 0600, tables created inside a foreign file, full ID numbers from `conflicts`,
files created world-readable and narrowed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from storage.core.db import open_database
from storage.core.errors import UserError, as_user_error
from storage.core.text import printable
from tests.test_cli import run

CONTROL = ("\x1b", "\x07", "\x9b", "\r")
OSC52 = "\x1b]52;c;ZXZpbCBjbGlwYm9hcmQ=\x07"
ERASE = "\x1b[1A\x1b[2K"


def _clean(text: str) -> bool:
    return not any(ch in text for ch in CONTROL)


# ---------------------------------------------------------------- item 7: control characters


def test_printable_replaces_every_control_character_and_keeps_chinese():
    assert printable(f"王{ERASE}芳{OSC52}") == "王?[1A?[2K芳?]52;c;ZXZpbCBjbGlwYm9hcmQ=?"
    assert printable("a\rb\nc\td\x00e\x7f\x9b\u2028") == "a?b?c?d?e???"
    assert printable("\u202eevil\u2066") == "?evil?"  # text shown backwards
    assert printable("张三 Zhang 3") == "张三 Zhang 3"
    assert printable("x" * 50, limit=10) == "x" * 9 + "…"


def test_a_manifest_with_terminal_escapes_is_printed_harmlessly_by_merge(tmp_path):
    from storage.core.keys import generate_keypair, read_public_key_file
    from storage.sync.bundle_file import write_bundle
    from tests.sync_helpers import make_township

    t = make_township(tmp_path)
    keys = generate_keypair()
    manifest = {"kind": "worker", "township_code": "330521101", "grid_code": f"330521101-G0{ERASE}1",
                "device_id": f"dev{OSC52}", "worker": f"王{ERASE}{OSC52}芳", "seq": 1,
                "age_recipient": keys.age_recipient, "sign_public": keys.sign_public}
    usb = tmp_path / "usb"
    usb.mkdir()
    write_bundle(usb / f"evil{ERASE}.gcb", manifest, [], read_public_key_file(t.key).age_recipient, keys.sign_secret)
    other = {**manifest, "township_code": f"1101{OSC52}05001"}  # from "another township": refused, naming it
    write_bundle(usb / "other.gcb", other, [], read_public_key_file(t.key).age_recipient, keys.sign_secret)
    t.db.dispose()
    for lang in ("en", "zh_CN"):
        out = run("--lang", lang, "--db", str(t.db.path), "merge", str(usb), tmp_path=tmp_path)
        assert out.returncode == 1
        assert _clean(out.stdout) and _clean(out.stderr), (out.stdout, out.stderr)
        assert "王?[1A?[2K?]52;c;" in out.stdout  # shown, harmlessly
        listing = run("--lang", lang, "--db", str(t.db.path), "devices", tmp_path=tmp_path)
        assert listing.returncode == 0 and _clean(listing.stdout)


def test_roster_cells_with_escapes_are_reported_harmlessly(tmp_path):
    from tests.foundation_helpers import make_db

    db = make_db(tmp_path / "w.db")
    db.dispose()
    roster = tmp_path / "roster.csv"
    roster.write_text(f"姓名,身份证号,重点对象类别{OSC52}\n张{ERASE}三,11010519491231002X,独居老年人\n", encoding="utf-8")
    out = run("--db", str(tmp_path / "w.db"), "roster", "import", str(roster), "--dry-run", tmp_path=tmp_path)
    assert "\x1b" not in out.stdout + out.stderr and "\x07" not in out.stdout + out.stderr, out.stdout


def test_the_sheet_names_of_a_workbook_are_listed_harmlessly(tmp_path):
    """Before: `--sheet` naming none of them printed the workbook's own names as they were: XML cannot hold ESC, but
    it holds the one-character CSI (U+009B), which clears the screen as ESC [ does on a terminal that takes it."""
    import re
    import zipfile

    from bench.roster_files import valid_roster
    from tests.foundation_helpers import make_db

    make_db(tmp_path / "w.db").dispose()
    plain = valid_roster(tmp_path / "plain.xlsx", 2)
    roster = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(roster, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb'name="[^"]*"', 'name="名单\u009b2J"'.encode(), data, count=1)
            dst.writestr(item.filename, data)
    out = run("--lang", "en", "--db", str(tmp_path / "w.db"), "roster", "import", str(roster), "--dry-run",
              "--sheet", "其他", tmp_path=tmp_path)
    assert out.returncode == 1 and "the file has: 名单?2J." in out.stderr, out.stderr
    assert "\x9b" not in out.stdout + out.stderr


# ---------------------------------------------------------------- item 9: places and foreign files


def _worker_db(path: Path) -> Path:
    from tests.foundation_helpers import make_db

    db = make_db(path)
    db.dispose()
    return path


def test_a_read_only_folder_gets_its_own_message(tmp_path):
    folder = tmp_path / "cd"
    folder.mkdir()
    path = _worker_db(folder / "w.db")
    (folder / "w.db-wal").unlink(missing_ok=True)
    (folder / "w.db-shm").unlink(missing_ok=True)
    folder.chmod(0o555)
    try:
        with pytest.raises(UserError, match="read-only") as info:
            open_database(path)
        assert "not a gridcare database" not in str(info.value)
        out = run("--lang", "en", "--db", str(path), "dump", tmp_path=tmp_path)
        assert out.returncode == 1 and "read-only" in out.stderr and "Traceback" not in out.stderr
    finally:
        folder.chmod(0o755)


def test_a_data_folder_that_is_a_file_gets_one_line(tmp_path):
    """Before: GRIDCARE_DATA_DIR (or --db) naming a place under a file ended `init` in "an unexpected error"
    (FileExistsError from mkdir), exit 70."""
    (tmp_path / "stick").write_text("a file", encoding="utf-8")
    for where in (["--db", str(tmp_path / "stick" / "sub" / "w.db")], []):
        out = run("--lang", "en", *where, "init", "--role", "township", "--township-code", "330521101",
                  "--township-name", "新市镇", tmp_path=tmp_path, env={"GRIDCARE_DATA_DIR": str(tmp_path / "stick")})
        assert out.returncode == 1, out.stderr
        assert out.stderr.strip() == f"gridcare: {tmp_path / 'stick'} is a file, not a folder: the database cannot be put under it."
    assert (tmp_path / "stick").read_text(encoding="utf-8") == "a file"


def test_a_read_only_database_is_refused_and_its_permissions_kept(tmp_path):
    path = _worker_db(tmp_path / "w.db")
    before = path.read_bytes()
    path.chmod(0o400)
    out = run("--lang", "en", "--db", str(path), "dump", tmp_path=tmp_path)
    assert out.returncode == 1 and "read-only" in out.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o400  # never made 0600 behind the user's back
    assert path.read_bytes() == before
    assert not (tmp_path / "w.db-wal").exists()


def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('别人的数据')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    for args in (("dump",), ("init", "--role", "township", "--township-code", "330521101", "--township-name", "镇")):
        out = run("--lang", "en", "--db", str(path), *args, tmp_path=tmp_path)
        assert out.returncode == 1 and "another program" in out.stderr, out.stderr
    assert path.read_bytes() == before
    assert not (tmp_path / "notes.db-wal").exists()


def test_a_database_missing_its_event_table_is_refused_not_recreated(tmp_path):
    path = _worker_db(tmp_path / "w.db")
    conn = sqlite3.connect(str(path))
    conn.execute("DROP TABLE event")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="event"):
        open_database(path)
    conn = sqlite3.connect(str(path))
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'event'").fetchone()[0] == 0
    conn.close()


def test_a_database_busy_in_another_process_gives_a_message_and_no_half_written_export(tmp_path):
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    elder(w, "张三")
    w.dispose()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(w.path)!r}, isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep(60)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        usb = tmp_path / "usb"
        usb.mkdir()
        out = run("--lang", "en", "--db", str(w.path), "export", "--out", str(usb), tmp_path=tmp_path)
        assert out.returncode == 1 and "busy in another program" in out.stderr, out.stderr
        assert list(usb.iterdir()) == []  # nothing written, nothing half-written
    finally:
        holder.kill()
        holder.wait()
    out = run("--lang", "en", "--db", str(w.path), "export", "--out", str(tmp_path / "usb"), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr


@contextlib.contextmanager
def _small_disk(tmp_path: Path, size: str, *, read_only: bool = False):
    """A tmpfs of `size` mounted in tmp_path (root on Linux only: skipped elsewhere)."""
    point = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    point.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root on Linux")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr!r}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_a_full_disk_gives_a_message_and_leaves_no_half_written_bundle(tmp_path):
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    for i in range(40):
        elder(w, f"对象{i}", notes=os.urandom(1000).hex())  # does not compress: the bundle outgrows the stick
    w.dispose()
    with _small_disk(tmp_path, "16k") as stick:
        out = run("--lang", "en", "--db", str(w.path), "export", "--out", str(stick), tmp_path=tmp_path)
        assert out.returncode == 1 and "disk is full" in out.stderr, out.stderr
        assert list(stick.iterdir()) == []
    out = run("--lang", "en", "--db", str(w.path), "export", "--out", str(tmp_path), tmp_path=tmp_path)
    assert out.returncode == 0 and "Bundle 1 written" in out.stdout  # the events were not marked as sent


def test_a_database_on_a_full_disk_gives_a_message(tmp_path):
    with _small_disk(tmp_path, "600k") as disk:
        out = run("--lang", "en", "--db", str(disk / "demo.db"), "demo", tmp_path=tmp_path)
        assert out.returncode == 1 and "disk is full" in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_a_read_only_filesystem_gets_its_own_message(tmp_path):
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    elder(w, "张三")
    w.dispose()
    with _small_disk(tmp_path, "1m", read_only=True) as disk:
        out = run("--lang", "en", "--db", str(w.path), "export", "--out", str(disk), tmp_path=tmp_path)
        assert out.returncode == 1 and "read-only" in out.stderr and "Traceback" not in out.stderr, out.stderr
        out = run("--lang", "en", "--db", str(disk / "new.db"), "init", "--role", "township", "--township-code",
                  "330521101", "--township-name", "镇", tmp_path=tmp_path)
        assert out.returncode == 1 and "read-only" in out.stderr, out.stderr


def test_operating_system_errors_become_one_line_messages():
    import errno

    assert "disk is full" in str(as_user_error(OSError(errno.ENOSPC, "No space left on device", "/media/u/x.gcb")))
    assert "read-only" in str(as_user_error(OSError(errno.EROFS, "Read-only file system", "/media/cd")))
    assert "busy" in str(as_user_error(sqlite3.OperationalError("database is locked")))
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = sqlite3.OperationalError("database or disk is full")
    assert "disk is full" in str(as_user_error(wrapped))
    assert "USB stick" in str(as_user_error(OSError(errno.EIO, "Input/output error", "/media/u/x.gcb")))
    assert as_user_error(ValueError("a bug")) is None


@pytest.mark.parametrize("command", [["dump", "--out"], ["export", "--out"], ["report", "--out"]])
def test_a_place_that_cannot_hold_the_file_gets_one_line_not_a_bug(tmp_path, command):
    """A name under a file, or a folder the system will not make (a drive letter with no stick in it on
    Windows): dump and export said "an unexpected error" (exit 70) with a traceback in the log."""
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    elder(w, "张三")
    w.dispose()
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    target = tmp_path / "notes.txt" / "sub" / ("x.xlsx" if command[0] == "report" else "x.gcb")
    out = run("--lang", "en", "--db", str(w.path), *command, str(target), tmp_path=tmp_path)
    assert out.returncode == 1, out.stderr
    assert out.stderr.strip().endswith(f"{tmp_path / 'notes.txt'} is a file, not a folder."), out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "unexpected" not in out.stderr
    out = run("--db", str(w.path), *command, str(target), tmp_path=tmp_path)  # the default: Chinese
    assert "是文件，不是文件夹" in out.stderr, out.stderr


# ---------------------------------------------------------------- item 10: privacy


def test_conflicts_masks_id_numbers_unless_asked(tmp_path):
    from storage.register.residents import update_resident
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张三")
    merge_paths(t.db, [export_bundle(w, tmp_path / "1.gcb").path])
    update_resident(w, r.id, {"id_number": "11010519491231002X"})
    update_resident(t.db, r.id, {"id_number": "440524188001010014"})
    merge_paths(t.db, [export_bundle(w, tmp_path / "2.gcb").path])
    t.db.dispose()
    masked = run("--lang", "en", "--db", str(t.db.path), "conflicts", tmp_path=tmp_path)
    assert masked.returncode == 0 and "1101**********002X" in masked.stdout and "4405**********0014" in masked.stdout
    assert "11010519491231002X" not in masked.stdout and "440524188001010014" not in masked.stdout
    full = run("--lang", "en", "--db", str(t.db.path), "conflicts", "--full-ids", tmp_path=tmp_path)
    assert "11010519491231002X" in full.stdout and "440524188001010014" in full.stdout


def test_a_read_only_folder_attribute_on_windows_is_not_taken_for_a_read_only_folder(tmp_path, monkeypatch):
    """Windows sets the read-only attribute on Documents and customised folders, which stay writable."""
    from storage.core import platform

    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "w.db").write_bytes(b"")
    folder.chmod(0o555)  # what os.stat shows for a folder with the attribute
    (folder / "w.db").chmod(0o444)  # a read-only file is read-only on Windows too
    try:
        monkeypatch.setattr(platform, "WINDOWS", True)
        assert platform.writable(folder) is True
        assert platform.writable(folder / "w.db") is False
        monkeypatch.setattr(platform, "WINDOWS", False)
        assert platform.writable(folder) is False
    finally:
        folder.chmod(0o755)


def test_text_the_app_shows_from_data_has_no_control_characters():
    """as_text() is how every screen shows text it did not write (issue #12): it also replaces escapes."""
    from tui.as_text import as_text

    shown = as_text(f"王{ERASE}芳{OSC52}\n第二行")
    assert _clean(shown.plain) and shown.plain.endswith("\n第二行")


def _key_file(path: Path) -> None:
    from storage.core.keys import read_public_key_file

    with pytest.raises(UserError, match="is not a gridcare township public key file"):
        read_public_key_file(path)


def _bundle(path: Path) -> None:
    from storage.sync.bundle_file import BundleError, read_manifest

    with pytest.raises(BundleError, match="this is not a gridcare bundle"):
        read_manifest(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes: POSIX")
@pytest.mark.parametrize(("name", "refused"), [("township.pub", _key_file), ("a.gcb", _bundle)])
def test_a_named_pipe_given_as_a_key_file_or_a_bundle_is_refused_not_waited_on(tmp_path, name, refused):
    """Before: `township-key PIPE` and `merge PIPE.gcb` waited for ever on opening it (a pipe opens once a writer
    comes). The reader runs in a thread here, so that the old code failed the test rather than hung it."""
    import threading

    pipe = tmp_path / name
    os.mkfifo(pipe)
    failed: list[BaseException] = []

    def read() -> None:
        try:
            refused(pipe)
        except BaseException as exc:  # (pytest's failure, raised in this thread: handed to the test)
            failed.append(exc)

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(5)
    if t.is_alive():  # the old code: the opening waiting in the thread is let go on, and the test fails
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"{name}: still waiting after 5 s")
    if failed:
        raise failed[0]

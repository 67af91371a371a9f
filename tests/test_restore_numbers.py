"""A restore never makes the next bundle replace one already sent (walk E, C1), and says what it leaves behind.

After `restore BACKUP --yes` the bundle numbers restarted from the backup's: the next export wrote a bundle of
the same number and name over the one on the stick, and a resident entered after the backup was then only in
the copy kept aside. Now the numbers sent and the clock go on from the replaced database, restore says how many
changes it leaves aside, and export never writes over a bundle file, whatever the database believes.
"""

from __future__ import annotations

import re
import sqlite3

from storage.core.db import open_database
from storage.core.identity import get_identity
from tests.test_cli_sync import _en, _register, _setup


def _export(w, usb, tmp_path) -> tuple[int, str]:
    out = _en("--db", str(w), "export", "--out", str(usb), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    return int(re.search(r"[Bb]undle (\d+)", out.stdout).group(1)), out.stdout.strip().splitlines()[-1]


def _clock(path) -> int:
    db = open_database(path)
    try:
        ident = get_identity(db)
        assert ident is not None
        return ident.last_hlc
    finally:
        db.dispose()


def test_after_a_restore_the_next_bundle_takes_a_new_number_and_replaces_none(tmp_path):
    t, workers = _setup(tmp_path, grids=("G01",))
    w = workers["G01"]
    usb = tmp_path / "usb"
    usb.mkdir()
    _register(w, "张三")
    assert _export(w, usb, tmp_path)[0] == 1
    out = _en("--db", str(w), "backup", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    backup_file = out.stdout.strip().split(": ", 1)[1]
    _register(w, "吴阿婆")  # entered after the backup, and sent
    assert _export(w, usb, tmp_path)[0] == 2
    sent = {p.name: p.read_bytes() for p in usb.iterdir()}
    clock_before = _clock(w)

    out = _en("--db", str(w), "backup", "--list", tmp_path=tmp_path)  # as the 备份与恢复 screen lists them
    assert out.returncode == 0 and "good" in out.stdout and " kB" in out.stdout and backup_file in out.stdout
    out = _en("--db", str(w), "restore", backup_file, tmp_path=tmp_path)  # no --yes, no terminal to ask on
    assert out.returncode == 1 and "--yes" in out.stderr
    assert re.search(r"Backup taken \w+ \d+, 20\d\d.*, \d+ kB\.", out.stdout), out.stdout  # which one, before asking
    assert "1 change made after the backup will not be in the restored database (1 of them already sent in " \
        "bundle 2)" in out.stdout
    out = _en("--db", str(w), "restore", backup_file, "--yes", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "1 change made after the backup is not in the restored database (1 of them already sent in bundle 2)" \
        in out.stdout
    assert _clock(w) >= clock_before  # the device clock does not go back with the records

    _register(w, "冯小妹")
    number, _name = _export(w, usb, tmp_path)
    assert number == 3  # after the highest ever sent, not the backup's
    for name, content in sent.items():
        assert (usb / name).read_bytes() == content  # nothing on the stick replaced
    assert len(list(usb.iterdir())) == 3

    out = _en("--db", str(t), "merge", str(usb), tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    out = _en("--db", str(t), "dump", tmp_path=tmp_path)
    assert all(name in out.stdout for name in ("张三", "吴阿婆", "冯小妹"))  # the township has everyone


def test_export_never_writes_over_a_bundle_file_the_database_does_not_know(tmp_path):
    """The replaced database could not be read (a damaged one is what a restore is for), or an export crashed
    after writing its file: the database believes bundle 1 is still to be written."""
    _t, workers = _setup(tmp_path, grids=("G01",))
    w = workers["G01"]
    usb = tmp_path / "usb"
    usb.mkdir()
    _register(w, "张三")
    _export(w, usb, tmp_path)
    [first] = usb.iterdir()
    content = first.read_bytes()
    with sqlite3.connect(w) as conn:  # as if bundle 1 had never been recorded
        conn.execute("DELETE FROM bundle_received")
        conn.execute("UPDATE event SET exported_seq = NULL")
    conn.close()
    number, _name = _export(w, usb, tmp_path)
    assert number == 2 and first.read_bytes() == content and len(list(usb.iterdir())) == 2

    _register(w, "李四")
    out = _en("--db", str(w), "export", "--out", str(first), tmp_path=tmp_path)  # a file named outright
    assert out.returncode == 1 and first.read_bytes() == content
    assert out.stderr.strip().count("\n") == 0 and "already exists" in out.stderr and "Traceback" not in out.stderr


def test_what_a_restore_leaves_behind_is_counted_as_the_tables_count_and_said_alike_before_and_after():
    """Walk G, 11: the question said 备份之后的5498项修改, the notice after it 备份之后的 2 项修改."""
    from storage.core.i18n import set_language
    from storage.core.restore_carry import Dropped
    from storage.core.restoring import left_behind_text, will_leave_text

    left = Dropped(changes=5498, sent=5495, bundles=(1, 2))
    set_language("zh_CN")
    try:
        before, after = will_leave_text(left), left_behind_text(left)
    finally:
        set_language("en")
    assert before.startswith("备份之后的 5,498 项修改不会在") and after.startswith("备份之后的 5,498 项修改不在"), (before, after)
    assert "其中 5,495 项" in before

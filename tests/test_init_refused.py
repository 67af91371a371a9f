"""`gridcare init` refused (a mistyped enrollment code) left an empty database file behind (walk D 9): the next
command took it for a database, and a second `init` had to be run on it. Nothing it created is left now; a
database that was there before is never touched."""

from __future__ import annotations

from tui.cli import main

WORKER = ["init", "--role", "worker", "--township-code", "330521101", "--township-name", "新市镇", "--grid-code", "G01",
          "--grid-name", "一网格", "--worker", "王芳"]


def test_a_refused_init_leaves_no_file_it_created(tmp_path, capsys):
    db = tmp_path / "w.db"
    assert main(["--db", str(db), "--lang", "en", *WORKER, "--enroll-code", "ABCD-EFGH"]) == 1
    assert "enrollment code" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def _files(folder) -> list[str]:
    """The files of a folder, but SQLite's -wal and -shm beside a database: its own, made by a read-only look at the
    file (init's checks of a database there) and removed by the last connection that writes. (Each command now
    closes its connections when it ends: the first init's were removed, a read-only look made them again.)"""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))


def test_a_refused_init_on_a_database_set_up_before_leaves_it_as_it_was(tmp_path, capsys):
    db = tmp_path / "w.db"
    assert main(["--db", str(db), "--lang", "en", *WORKER]) == 0  # set up, without a code
    before = _files(tmp_path)
    assert "w.db" in before and "w.db.keys" in before
    assert main(["--db", str(db), "--lang", "en", *WORKER, "--enroll-code", "ABCD-EFGH"]) == 1
    assert _files(tmp_path) == before
    capsys.readouterr()
    assert main(["--db", str(db), "--lang", "en", "villages"]) == 0  # still the database it was

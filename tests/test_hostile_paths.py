"""A file's name is chosen by whoever made the file: one on a USB stick may hold an escape sequence, which the
shell's completion puts in the path typed. Every command's one line about such a file says its name harmlessly.

Before: the key files (`township-key`, `county-key`, `init --township-key`), a roster not there, a backup not
there or not a backup (`restore`), a database not there (--db) and a report's file of the wrong kind were named
with their control characters as they were: ESC ] 52 wrote the clerk's clipboard, ESC [ 2 J cleared the screen.
(A bundle's and a workbook's names were printed harmlessly already: tests/test_hostile_places.py.) And a named
pipe where the log file is kept no longer holds up every command at its start.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.sync_helpers import make_township

OSC52 = "\x1b]52;c;ZXZpbA==\x07"
CLEAR = "\x1b[2J"
CONTROL = ("\x1b", "\x07", "\x9b")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-paths")
    t = make_township(folder)
    worker = t.worker("王芳", "G01")
    for db in (t.db, worker):
        db.dispose()
    usb = folder / f"usb{CLEAR}"
    usb.mkdir()
    for name in ("k.pub", "b.db", "r.csv"):
        (usb / name.replace(".", f"{OSC52}.")).write_text("x", encoding="utf-8")
    return t, worker, usb


def _commands(t, worker, usb):
    town, grid = str(t.db.path), str(worker.path)

    def there(name: str) -> str:
        return str(usb / name.replace(".", f"{OSC52}."))

    def missing(name: str) -> str:
        return str(usb / f"gone{OSC52}{name}")

    copy = usb.parent / "fresh.db"
    return {
        "township-key, not a key file": ["--db", grid, "township-key", there("k.pub")],
        "township-key, no file": ["--db", grid, "township-key", missing(".pub")],
        "county-key, not a key file": ["--db", town, "county-key", there("k.pub")],
        "county-key, no file": ["--db", town, "county-key", missing(".pub")],
        "init --township-key, no file": ["--db", str(copy), "init", "--role", "worker", "--grid-code", "G02",
                                         "--grid-name", "二网格", "--worker", "李明", "--village-name", "东村",
                                         "--township-key", missing(".pub")],
        "roster import, no file": ["--db", grid, "roster", "import", missing(".csv"), "--dry-run"],
        "restore, not a backup": ["--db", grid, "restore", "--yes", there("b.db")],
        "restore, no file": ["--db", grid, "restore", "--yes", missing(".db")],
        "--db, no database": ["--db", missing(".db"), "policy"],
        "report --out of another kind": ["--db", town, "report", "--month", "2026-11", "--out", missing(".txt")],
    }


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_commands_line_about_a_file_names_it_without_its_control_characters(world, lang, monkeypatch, capsys):
    from tui.cli import main

    t, worker, usb = world
    monkeypatch.setenv("GRIDCARE_LANG", lang)
    before = {p: p.read_bytes() for p in (t.db.path, worker.path)}
    leaked, said = {}, {}
    for what, args in _commands(t, worker, usb).items():
        rc = main(args)
        out = capsys.readouterr()
        said[what] = (rc, out.err.strip())
        if any(c in out.out + out.err for c in CONTROL):
            leaked[what] = out.err
    assert leaked == {}
    assert {what: rc for what, (rc, _err) in said.items() if rc != 1} == {}
    assert {what: err for what, (_rc, err) in said.items() if len(err.splitlines()) != 1} == {}
    # the name is there, its escapes as '?': the clerk can still tell which file
    assert all("]52;c;ZXZpbA==" in err for _rc, err in said.values()), said
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes: POSIX")
def test_a_named_pipe_in_place_of_the_log_file_does_not_hold_up_a_command(world, tmp_path):
    """Before: every command (and the app) waited for ever at its start, opening the log file to append to it."""
    _t, worker, _usb = world
    logs = tmp_path / "log"
    logs.mkdir()
    os.mkfifo(logs / "gridcare.log")
    try:
        done = subprocess.run([sys.executable, "-m", "tui.cli", "--lang", "en", "--db", str(worker.path), "policy"],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "GRIDCARE_LOG_DIR": str(logs)})
    except subprocess.TimeoutExpired:
        pytest.fail("still waiting on the log file after 60 s")
    assert done.returncode == 0 and "visit policy" in done.stdout, done.stderr

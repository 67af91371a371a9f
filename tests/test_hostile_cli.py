"""Text a hostile bundle brings never reaches the terminal as an escape sequence through the command line either.

tests/test_hostile_screens.py holds the screens to it. The commands print the same names, addresses and
reasons (a report's tables, a resident's benefits, the duplicates, the conflicts, the log), to a terminal or a
script; ESC, C1 and BEL must come out as text, not as OSC 52 (write the clipboard) or CSI 2J (clear the screen).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.test_hostile_screens import ID, _township

HOSTILE = ("\x1b", "\x9b", "\x07")


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    t, _rid = _township(tmp_path_factory.mktemp("hostile-cli"))
    t.db.dispose()
    return t


COMMANDS = [
    ["report", "--month", "2026-12"], ["report", "--month", "2026-12", "--full-ids"], ["duplicates"], ["conflicts"],
    ["emergencies"], ["benefit", "list", ID], ["pair", ID, "--name", "张三"], ["pair", ID, "--end"],
    ["close", ID, "--reason", "moved_away"], ["close", ID, "--reason", "moved_away"], ["reopen", ID], ["audit"],
    ["devices"], ["villages"], ["policy"],
]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_no_command_prints_a_hostile_escape_sequence(town, lang, monkeypatch, capsys):
    """In this process (a process per command took 26 s a language); the report, last, once in its own process
    too: what reaches a real stdout."""
    from tui.cli import main

    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("GRIDCARE_LANG", lang)
    leaked, printed = {}, {}
    for args in COMMANDS:
        rc = main(["--db", str(town.db.path), *args])
        out = capsys.readouterr()
        assert rc in (0, 1), (args, out.err)
        printed[" ".join(args)] = out.out + out.err
        found = [c for c in HOSTILE if c in out.out + out.err]
        if found:
            leaked[" ".join(args)] = found
    assert leaked == {}
    assert [args for args, text in printed.items() if not text.strip()] == []  # every command was heard
    done = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(town.db.path), *COMMANDS[0]],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "100",
                                                                              "GRIDCARE_LANG": lang})
    assert done.returncode == 0 and done.stdout.strip(), done.stderr
    assert [c for c in HOSTILE if c in done.stdout + done.stderr] == []


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_hostile_roster_file_prints_no_escape_sequence(tmp_path, lang):
    """A roster (.csv) is a file from anywhere: its names, headers and cells are echoed by the import's report."""
    from tests.sync_helpers import make_township

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    w.dispose()
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,身份证号,人员类别,备注\x1b[2J\n"
                      f"王\x1b]52;c;ZXZpbA==\x07芳,{ID},独居老人,\x9b2J\n"
                      "李\x1b[2J四,123,留守\x1b[2J儿童,\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "100", "GRIDCARE_LANG": lang}
    for args in (["roster", "import", "--dry-run", str(roster)], ["roster", "import", "--skip-invalid", str(roster)]):
        done = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(w.path), *args], capture_output=True,
                              text=True, timeout=120, env=env)
        assert done.returncode in (0, 1), done.stderr
        assert [c for c in HOSTILE if c in done.stdout + done.stderr] == [], args

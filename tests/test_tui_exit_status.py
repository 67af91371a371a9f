"""The TUI's exit status and log, as a script or gridcare.bat sees them.

Seen (walk of the county): a TUI that could not open its database (a wrong password, a server not reachable,
the file open in another window) said why and exited 0 — `self.exit(1, …)` gave Textual 1 as the app's
*result*, not its return code — so a script could not tell a failed start from a normal quit. And a crash in
the TUI left its traceback only on the terminal, gone with the window: the log file had no line of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from storage.core.lock import AppLock
from tests.foundation_helpers import make_db

ROOT = Path(__file__).resolve().parent.parent


def _gridcare(args: list[str], home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GRIDCARE_DATA_DIR": str(home / "data"), "GRIDCARE_LOG_DIR": str(home / "log"),
           "GRIDCARE_LANG": "en", "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", errors="replace", timeout=120)


def test_a_database_open_in_another_window_is_exit_status_1_with_its_line(tmp_path):
    db = make_db(tmp_path / "w.db")
    db.dispose()
    with AppLock(tmp_path / "w.db"):
        done = _gridcare(["--db", str(tmp_path / "w.db")], tmp_path)
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])
    shown = done.stdout + done.stderr
    assert "gridcare: " in shown and "open in another gridcare window" in shown, shown[-800:]


def test_a_crash_in_the_tui_goes_to_the_log_file(tmp_path):
    db = make_db(tmp_path / "w.db")
    db.dispose()
    # a bug nothing catches, raised on the first screen's mount (as a module changed under a running app did)
    crash = ("import sys, runpy\n"
             "from screens import home\n"
             "def broken(self, *a, **k):\n    raise RuntimeError('a bug on Home')\n"
             "home.HomeScreen.on_mount = broken\n"
             "sys.argv = ['gridcare', *sys.argv[1:]]\n"
             "from tui.cli import main\nsys.exit(main())\n")
    env = {**os.environ, "GRIDCARE_DATA_DIR": str(tmp_path / "data"), "GRIDCARE_LOG_DIR": str(tmp_path / "log"),
           "GRIDCARE_LANG": "en", "TERM": "xterm-256color"}
    done = subprocess.run([sys.executable, "-c", crash, "--db", str(tmp_path / "w.db")], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120)
    assert done.returncode == 70, (done.returncode, done.stderr[-500:])
    logged = (tmp_path / "log" / "gridcare.log").read_text(encoding="utf-8")
    assert "unexpected error in the tui" in logged and "RuntimeError: a bug on Home" in logged, logged[-800:]
    assert "the details are in" in done.stderr


def test_a_report_read_by_head_is_not_a_failure(tmp_path):
    """`gridcare report | head`: the reader goes away. Before: exit status 1 without a word (Rich's console
    exits 1 itself on a broken pipe, before our handler could say it is not an error), while `dump | head` was 0."""
    db = make_db(tmp_path / "w.db")
    db.dispose()
    env = {**os.environ, "GRIDCARE_DATA_DIR": str(tmp_path / "data"), "GRIDCARE_LOG_DIR": str(tmp_path / "log"),
           "GRIDCARE_LANG": "en"}
    for command in (["report", "--month", "2026-11"], ["dump"], ["audit"]):
        p = subprocess.Popen([sys.executable, "-m", "tui.cli", "--db", str(tmp_path / "w.db"), *command], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.close()  # gone before the first line is written, as `head -0` would be
        err = p.stderr.read().decode("utf-8", "replace")
        assert p.wait(timeout=120) == 0 and err == "", (command, p.returncode, err[-500:])

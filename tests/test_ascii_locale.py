"""Chinese file names under a locale whose file-name encoding is ASCII (LANG=C with Python's UTF-8 mode and
locale coercion turned off): each name reaches Python as lone surrogates, one per byte. The work was done
and then the command crashed printing the name, or storing it in the audit log (exit 70)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _gridcare(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHON"))}
    env.update(LANG="C", LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0", PYTHONPATH=str(ROOT),
               GRIDCARE_LOG_DIR=str(tmp_path / "log"))
    # bytes on the command line, as a shell in a UTF-8 terminal passes them
    argv = [os.fsencode(sys.executable), b"-m", b"tui.cli", b"--lang", b"zh_CN",
            *(a.encode("utf-8") for a in args)]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, env=env, timeout=120)


def test_chinese_file_names_under_an_ascii_locale(tmp_path: Path):
    probe = subprocess.run([sys.executable, "-c", "import sys; print(sys.getfilesystemencoding())"],
                           capture_output=True, text=True, env={"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0",
                                                                "PYTHONCOERCECLOCALE": "0"})
    assert probe.stdout.strip() == "ascii"  # the situation this test is about

    db = f"{tmp_path}/数据.db"
    made = _gridcare(tmp_path, "--db", db, "demo")
    assert made.returncode == 0, made.stderr.decode("utf-8", "replace")
    assert "数据.db".encode() in made.stdout

    out = f"{tmp_path}/报表.xlsx"
    report = _gridcare(tmp_path, "--db", db, "report", "--month", "2026-11", "--out", out)
    assert report.returncode == 0, report.stderr.decode("utf-8", "replace")
    assert "报表.xlsx".encode() in report.stdout
    assert (tmp_path / "报表.xlsx").stat().st_size > 0

    key = f"{tmp_path}/公钥.txt"
    town = _gridcare(tmp_path, "--db", f"{tmp_path}/t.db", "init", "--role", "township", "--township-code",
                     "330521101", "--township-name", "新市镇", "--worker", "张丽", "--key-out", key)
    assert town.returncode == 0, town.stderr.decode("utf-8", "replace")
    assert "公钥.txt".encode() in town.stdout

    with sqlite3.connect(tmp_path / "数据.db") as conn:  # the audit log names the file as the clerk typed it
        files = [row[0] for row in conn.execute("SELECT file FROM audit_log WHERE action = 'report'")]
    assert files == [out]

"""`gridcare …` as a process of its own, without paying for Python and SQLAlchemy's start each time.

The tests run the command line a few hundred times, each a new interpreter importing SQLModel, SQLAlchemy and
pydantic again (about 0.7 s of a command's 1 s). Here one server process per test process imports them once and
forks a child for each command: the child is still a process of its own (its own environment, working folder,
standard streams on files, exit status, atexit), as `subprocess.run([python, "-m", "tui.cli", …])` gives, and
the tests compare the same CompletedProcess. Our own modules are imported by each child, after its environment
is set, as a fresh process would; only the table classes (storage/core/models, which read nothing at import) are
imported once, in the server, with the third-party libraries.

Where a fork is not what a fresh process would be, the command runs as a real subprocess: no os.fork (Windows),
a non-UTF-8 locale or PYTHONIOENCODING asked for (the interpreter fixes its streams' encoding at start),
or GRIDCARE_TEST_FORKS=0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_server: subprocess.Popen | None = None
_owner = 0  # the pid that started the server (a forked test process must start its own)

_SERVE = r"""
import json, os, sys, traceback
import sqlalchemy, sqlmodel, pydantic, rich.console, rich.table, babel.dates  # the slow part of a start, once
# and what reads no environment and no file of ours: the dialects, the tables (SQLModel classes: ~0.2 s a command),
# the libraries the commands load when they first need them, with pypinyin's table (~40 ms where a name is saved)
import sqlalchemy.dialects.sqlite, sqlalchemy.dialects.postgresql, sqlalchemy.orm, storage.core.models
import storage.register.names
storage.register.names.pypinyin_singles()  # as a command loads pypinyin: its phrases left unread
import openpyxl, pyrage, cryptography.hazmat.primitives.asymmetric.ed25519, pypinyin
sqlalchemy.orm.configure_mappers()
pypinyin.pinyin("单曾解", style=pypinyin.Style.FIRST_LETTER, heteronym=True)
for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.chdir(req["cwd"])
            os.environ.clear()
            os.environ.update(req["env"])
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            for fd, path in ((1, req["out"]), (2, req["err"])):
                os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
            sys.stdin = open(0, encoding="utf-8", closefd=False)
            sys.stdout = open(1, "w", encoding="utf-8", errors="strict", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
            sys.__stdout__, sys.__stderr__, sys.__stdin__ = sys.stdout, sys.stderr, sys.stdin
            sys.path[:0] = req["path"]
            sys.argv = ["gridcare", *req["argv"]]
            import runpy
            try:
                runpy.run_module("tui.cli", run_name="__main__", alter_sys=True)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if exc.code is not None and not isinstance(exc.code, int):
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
                code = 1
            import atexit, threading
            threading._shutdown()
            atexit._run_exitfuncs()
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # a stream the command closed: nothing left to write
                    code = code or 1
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(json.dumps({"status": os.waitstatus_to_exitcode(status)}) + "\n")
    sys.stdout.flush()
"""

UTF8 = ("", "C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8", "zh_CN.UTF-8", "zh_CN.utf8")


def _forkable(env: dict[str, str]) -> bool:
    if not hasattr(os, "fork") or os.environ.get("GRIDCARE_TEST_FORKS") == "0":
        return False
    if env.get("PYTHONIOENCODING") or env.get("PYTHONUTF8"):
        return False
    return all(env.get(name, "") in UTF8 for name in ("LANG", "LC_ALL", "LC_CTYPE"))


def _start() -> subprocess.Popen:
    global _server, _owner
    if _server is None or _owner != os.getpid() or _server.poll() is not None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        _server = subprocess.Popen([sys.executable, "-c", _SERVE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True, encoding="utf-8", env=env, cwd=ROOT)
        _owner = os.getpid()
    return _server


def run_cli(argv: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """`python -m tui.cli *argv` with exactly `env` in `cwd`: stdout and stderr as text, and the exit status."""
    if not _forkable(env):
        return subprocess.run([sys.executable, "-m", "tui.cli", *argv], capture_output=True, text=True, env=env,
                              cwd=cwd)
    server = _start()
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        request = {"argv": list(argv), "env": env, "cwd": str(cwd), "out": str(out), "err": str(err),
                   "path": [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]}
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        reply = server.stdout.readline()
        if not reply:
            raise RuntimeError("the CLI fork server stopped")
        status = json.loads(reply)["status"]
        return subprocess.CompletedProcess([sys.executable, "-m", "tui.cli", *argv], status,
                                           out.read_text(encoding="utf-8", errors="replace"),
                                           err.read_text(encoding="utf-8", errors="replace"))

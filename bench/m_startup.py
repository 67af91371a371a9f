"""Start-up to the first usable screen and memory, vs empty Textual apps (separate processes)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.core import Figure, Result

ROOT = Path(__file__).resolve().parents[1]
APPS = Path(__file__).parent / "apps"


def _launch(cmd: list[str], env: dict[str, str], timeout: float = 120,
            until: tuple[str, ...] = ("data",)) -> dict[str, tuple[float, int]]:
    """Run a TUI headless-ish in a pseudo terminal until the markers `until`; return {marker: (seconds since spawn, rss)}."""
    import pty

    with tempfile.TemporaryDirectory() as tmp:
        markers = Path(tmp) / "markers"
        markers.touch()
        # Textual draws on stderr: a file, never a pipe nobody reads (a full pipe blocked the app's
        # exit, and the read below waited for output that never came)
        errors = (Path(tmp) / "stderr").open("w+b")
        full_env = {**os.environ, **env, "GRIDCARE_BENCH_MARKERS": str(markers), "TERM": "xterm-256color",
                    "COLUMNS": "100", "LINES": "30"}
        master, slave = pty.openpty()
        start = time.time()
        proc = subprocess.Popen([*cmd, str(markers)] if "empty_app" in cmd[-1] else cmd, stdin=slave, stdout=slave,
                                stderr=errors, env=full_env, cwd=ROOT)
        os.close(slave)
        try:
            deadline = start + timeout
            while time.time() < deadline:
                try:
                    if select.select([master], [], [], 0.005)[0]:
                        os.read(master, 65536)  # keep the terminal drained
                except OSError:
                    pass
                text = markers.read_text(encoding="utf-8")
                if all(f"{name} " in text for name in until):
                    break
                if proc.poll() is not None:
                    if all(f"{name} " in markers.read_text(encoding="utf-8") for name in until):
                        break  # the last marker came just before the exit
                    errors.seek(0)
                    raise RuntimeError(f"{cmd} exited early: {errors.read().decode(errors='replace')[-2000:]}")
            else:
                raise RuntimeError(f"{cmd}: no {until} markers within {timeout}s")
        finally:
            proc.kill()
            proc.wait()
            os.close(master)
            errors.close()
        out = {}
        for line in markers.read_text(encoding="utf-8").splitlines():
            name, stamp, rss = line.split()
            out.setdefault(name, (float(stamp) - start, int(rss)))
        return out


def _series(cmd, env, reps, until=("data",)):
    return [_launch(cmd, env, until=until) for _ in range(reps)]


def _compiled() -> None:
    """Our modules' bytecode written before the timing, as an installed gridcare has it (pip compiles it on install).

    The floor's libraries load theirs from site-packages; a shell with PYTHONDONTWRITEBYTECODE set (the one these
    measurements were run from) had every start compile ~80 of our modules from source again: ~50 ms of CPU put
    on our side of the ratio that no one using the app pays."""
    import compileall

    for package in ("tui", "screens", "storage"):
        compileall.compile_dir(ROOT / package, quiet=1)


def measure(township_db: Path, reps: int, label: str = "township") -> list[Result]:
    py = sys.executable
    _compiled()
    bare = _series([py, str(APPS / "empty_app.py")], {}, reps)
    stack = _series([py, str(APPS / "empty_app.py")], {"BENCH_STACK": "1"}, reps)
    table = _series([py, str(APPS / "empty_app.py")], {"BENCH_STACK": "1", "BENCH_TABLE": "1"}, reps)
    # "open": the database fully open (ORM loaded), which comes after Home's first figures
    ours = _series([py, str(APPS / "gridcare_app.py"), "--db", str(township_db)], {"GRIDCARE_BENCH_EXIT": "1"}, reps,
                   until=("data", "open"))

    def fig(name, runs, marker, idx=0, unit="s"):
        return Figure(name, [r[marker][idx] for r in runs], unit)

    stack_paint = fig("empty app importing textual+sqlmodel+babel", stack, "paint")
    return [
        Result(f"start-up: first paint ({label} set)", fig("gridcare", ours, "paint"), stack_paint,
               note="floor: empty Textual app importing the same libraries"),
        Result(f"start-up: data shown ({label} set)", fig("gridcare", ours, "data"), stack_paint, target_ratio=1.3,
               note="target ≤ 1.3× the same floor"),
        Result("start-up: libraries' own cost", stack_paint, fig("bare empty Textual app", bare, "paint"),
               note="what importing sqlmodel and babel costs before our code"),
        Result(f"memory: app with {label} set open", fig("gridcare RSS", ours, "open", 1, "B"),
               fig("empty app + 1,000-row DataTable", table, "data", 1, "B"), target_abs=120 * 2**20,
               note="target < 120 MiB"),
    ]

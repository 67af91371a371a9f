"""Reference data sets of docs/design.md §4, built with `gridcare demo` and cached by scale and seed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from storage.core.paths import keys_file

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).parent / "cache"


def demo_db(scale: str, seed: int = 1) -> Path:
    """A demo database of that scale (built once, then reused)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{scale}-seed{seed}.db"
    if not path.exists():
        tmp = Path(tempfile.mkdtemp(dir=CACHE)) / path.name
        subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(tmp), "demo", "--scale", scale, "--seed", str(seed)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        shutil.move(str(tmp), path)
        if keys_file(tmp).exists():
            shutil.move(str(keys_file(tmp)), keys_file(path))
        shutil.rmtree(tmp.parent, ignore_errors=True)
    return path


def working_copy(path: Path, folder: Path) -> Path:
    """A private copy to measure writes on, leaving the cache untouched."""
    import sqlite3

    target = folder / path.name
    src, dst = sqlite3.connect(str(path)), sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    if keys_file(path).exists():  # the private keys live beside the database, never in it
        shutil.copy(keys_file(path), keys_file(target))
    return target

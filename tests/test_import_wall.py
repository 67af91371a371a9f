"""storage/ is the data layer: it never imports Textual or the UI packages."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
FORBIDDEN = ("textual", "screens", "tui")


def test_no_storage_module_imports_the_ui_in_its_source():
    offenders = []
    for path in sorted((ROOT / "storage").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_every_storage_module_loads_no_ui_at_run_time():
    modules = sorted(p.stem for p in (ROOT / "storage").glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module('storage.' + m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'screens', 'tui')]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"

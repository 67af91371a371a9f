"""storage/ is the data layer: it never imports Textual or the UI packages, and its packages
depend on each other in one direction: core <- register <- sync / reports / roster <- demo."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
FORBIDDEN = ("textual", "screens", "tui")
# what each storage package may import besides itself
ALLOWED = {
    "core": set(),
    "register": {"core"},
    "sync": {"core", "register"},
    "reports": {"core", "register"},
    "roster": {"core", "register"},
    "demo": {"core", "register", "sync", "reports", "roster"},
}


def _imports(path: Path) -> list[str]:
    """Every module a file imports, wherever the import statement sits (top level or in a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            if node.module == "storage":  # from storage import core  -> storage.core
                names += [f"storage.{a.name}" for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; storage uses absolute imports")
    return names


def storage_files() -> list[Path]:
    return sorted((ROOT / "storage").rglob("*.py"))


def test_no_storage_module_imports_the_ui_in_its_source():
    offenders = []
    for path in storage_files():
        offenders += [f"{path.relative_to(ROOT)}: {n}" for n in _imports(path) if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_every_storage_module_sits_in_a_package():
    loose = [p.name for p in (ROOT / "storage").glob("*.py") if p.name != "__init__.py"]
    assert loose == []
    assert {p.name for p in (ROOT / "storage").iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(ALLOWED)


def test_storage_packages_import_in_one_direction():
    offenders = []
    for path in storage_files():
        rel = path.relative_to(ROOT / "storage")
        if len(rel.parts) < 2:
            continue
        package = rel.parts[0]
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "storage" and len(parts) > 1 and parts[1] != package and parts[1] not in ALLOWED[package]:
                offenders.append(f"storage/{rel}: {name}")
    assert offenders == []


def test_the_direction_check_sees_a_wrong_way_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from storage.sync import merge\n", encoding="utf-8")
    assert "storage.sync" in _imports(bad)


def test_importing_every_storage_module_loads_no_ui_at_run_time():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in storage_files()
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'screens', 'tui')]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# screens/ may use the app's shared widgets and texts (tui.footer, tui.formatting, tui.texts, ...), but not the
# CLI commands or the app itself: the app imports the screens, and a screen importing back made a circle
SCREENS_MAY_NOT_IMPORT = ("tui.app", "tui.cli", "tui.cmd_", "tui.startup")


def test_screens_do_not_import_the_cli_or_the_app():
    offenders = []
    for path in sorted((ROOT / "screens").glob("*.py")):
        offenders += [f"{path.relative_to(ROOT)}: {n}" for n in _imports(path) if n.startswith(SCREENS_MAY_NOT_IMPORT)]
    assert offenders == []

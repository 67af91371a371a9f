"""Every screen whose list acts on Enter says so in its help (F1).

Seen in a walk: F1 on the register listed / n f Esc …, and not the one key a person needs there, Enter on a
row to open the resident: a table's own Enter is no binding of ours, so the generated help left it out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _screens_acting_on_enter() -> list[tuple[str, str]]:
    """(module, class) of the screens with a handler of DataTable.RowSelected or CellSelected and no Enter binding."""
    found = []
    for path in sorted((ROOT / "screens").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            source = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
            if ("RowSelected" in source or "CellSelected" in source) and 'Binding("enter"' not in source:
                found.append((path.stem, node.name))
    return found


def test_the_screens_are_found():
    assert {("residents", "ResidentsScreen"), ("reports", "ReportsScreen"), ("home", "HomeScreen")} <= set(
        _screens_acting_on_enter())


@pytest.mark.parametrize(("module", "name"), _screens_acting_on_enter())
def test_the_help_names_enter(module, name):
    import importlib

    from storage.core.i18n import _

    screen_class = getattr(importlib.import_module(f"screens.{module}"), name)
    help_rows = getattr(screen_class, "help_rows", None)
    assert callable(help_rows), f"{name} acts on Enter in a table but its help (F1) does not say so: add help_rows"
    screen = screen_class.__new__(screen_class)  # help_rows reads no state of the screen but its role
    screen._role = "township"
    assert any(keys == _("Enter") for keys, _description in help_rows(screen))

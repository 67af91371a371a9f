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


def test_a_long_description_folds_inside_the_help_box_at_80_columns(tmp_path):
    """"Enter  Text box: next field; a choice: open its lis" — the help's words ran past its box and were cut."""
    import asyncio

    from screens.help import HelpScreen
    from screens.visit_form import VisitFormScreen
    from tests.pilot_helpers import on_screen, started
    from tests.sync_helpers import elder, make_township
    from tests.test_walkthrough import screen_text
    from tui.app import make_app

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    rid = elder(w, "张三").id

    async def run() -> None:
        app = make_app(w.path, lang="en")
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot, lambda: VisitFormScreen(rid))
            await pilot.press("f1")
            await on_screen(pilot, HelpScreen)
            import re

            rows = screen_text(app, " ").splitlines()
            at = next(i for i, row in enumerate(rows) if "Text box: next field" in row)
            # the row's last word on a line of its own inside the box, under the words before it
            assert re.search(r"│\s+list\s+│", rows[at + 1]), rows[at:at + 2]

    asyncio.run(run())

"""Every notification of the app goes through tui.as_text.notify_text (issue #12: a message quoting
"[SQL: ...]" was parsed as markup and closed the app)."""

from __future__ import annotations

import ast
from pathlib import Path

from rich.text import Text

from tui.as_text import as_text

ROOT = Path(__file__).resolve().parents[1]


def test_no_screen_calls_notify_directly():
    direct = []
    for path in sorted([*ROOT.glob("screens/*.py"), *ROOT.glob("tui/*.py")]):
        if path.name == "as_text.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            passed = isinstance(node, ast.Attribute) and node.attr == "notify"  # call_from_thread(self.notify, ...)
            if (is_call and node.func.attr == "notify") or passed:
                direct.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert direct == [], "use tui.as_text.notify_text: " + ", ".join(direct)


def test_as_text_keeps_brackets_as_they_are():
    shown = as_text("[/b]张[i]三 [SQL: UPDATE resident SET phone=?]")
    assert isinstance(shown, Text) and shown.plain == "[/b]张[i]三 [SQL: UPDATE resident SET phone=?]"
    assert shown.spans == [] and as_text(None).plain == ""

"""Every user-visible string is in both catalogs, translated, and compiled."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import i18n as catalogs  # noqa: E402  (tools/i18n.py)

PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sdr]|%[sdr]")


@pytest.fixture(scope="module")
def template():
    return catalogs.extract()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_catalog_is_complete_and_compiled(lang, template):
    catalog = catalogs.load(lang, template)
    assert catalogs.untranslated(catalog) == []
    assert catalogs.stale(lang, catalog) == [], "run: python tools/i18n.py"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_translations_keep_every_placeholder(lang, template):
    catalog = catalogs.load(lang, template)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for i, s in enumerate(strings):
            # English keeps singular and plural; Chinese has one form, which must hold the plural's placeholders
            source = ids[i] if len(strings) == len(ids) else ids[-1]
            if s and sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(source)):
                wrong.append((ids[0], s))
    assert wrong == []


def test_the_chinese_catalog_writes_its_own_word_for_an_english_placeholder(template):
    """`--out 文件` in the help, then "写入 FILE.xlsx" beside it: the metavar FILE is 文件 in Chinese, everywhere."""
    catalog = catalogs.load("zh_CN", template)
    english = [m.id for m in catalog if m.id and any(re.search(r"\b(FILE|PATH|DIR)\b", s or "")
                                                     for s in (m.string if isinstance(m.string, tuple) else (m.string,)))]
    assert english == []


def test_the_chinese_catalog_is_the_default_and_reaches_argparse(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    out = subprocess.run([sys.executable, "-m", "tui.cli", "--help"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert out.returncode == 0
    assert "用法" in out.stdout  # argparse's "usage:" from our catalog
    out_en = subprocess.run([sys.executable, "-m", "tui.cli", "--lang", "en", "--help"], cwd=ROOT,
                            capture_output=True, text=True, env=env)
    assert out_en.stdout.startswith("usage: gridcare")


def test_every_screen_draws_its_footer_in_the_interface_language():
    """Textual's own Footer shows the app's N_() binding labels untranslated ('Quit', 'Help' on a Chinese screen)."""
    plain = [p.name for p in sorted((ROOT / "screens").glob("*.py"))
             if re.search(r"(?<!Translated)Footer\(\)", p.read_text(encoding="utf-8"))]
    assert plain == []


def _translated_at_import(path: Path) -> list[str]:
    """Calls of _() or ngettext() outside any function: run once, in the language of the moment of import."""
    import ast

    found: list[str] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if (not in_function and isinstance(child, ast.Call) and isinstance(child.func, ast.Name)
                    and child.func.id in ("_", "ngettext")):
                found.append(f"{path}:{child.lineno}: {ast.unparse(child)}")
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_nothing_in_the_app_is_translated_when_imported():
    """A language switch re-translates nothing that was translated at import (binding labels are N_(), drawn translated)."""
    paths = sorted([*(ROOT / "screens").glob("*.py"), *(ROOT / "tui").glob("*.py"), *(ROOT / "storage").rglob("*.py")])
    found = [hit for p in paths for hit in _translated_at_import(p)]
    assert found == []


def test_the_import_time_check_sees_a_translated_binding(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('from x import _\nBINDINGS = [Binding("q", "quit", _("Quit"))]\n\ndef f():\n    return _("Fine")\n',
                   encoding="utf-8")
    assert [h.split(": ", 1)[1] for h in _translated_at_import(bad)] == ["_('Quit')"]

"""Packaging: `python -m gridcare`, a LICENSE in the repository, every argument of every command explained."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from storage.core.i18n import set_language

ROOT = Path(__file__).parents[1]


def _subparsers(parser: argparse.ArgumentParser):
    yield parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _subparsers(sub)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_argument_of_every_command_has_help(lang):
    from tui.cli import build_parser

    set_language(lang)
    missing = [f"{prog} {a.option_strings or a.dest}" for prog, p in _subparsers(build_parser()) for a in p._actions
               if not isinstance(a, argparse._SubParsersAction) and a.help in (None, "")]
    assert missing == []
    assert len(list(_subparsers(build_parser()))) > 10


def test_python_dash_m_gridcare_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "gridcare", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.startswith("gridcare "), out.stderr


def test_the_license_is_the_declared_one_and_goes_into_the_wheel():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
    assert "gridcare" in meta["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert not any(d.startswith("cryptography") and "<" in d for d in meta["project"]["dependencies"])


def test_no_file_cites_a_design_document_the_repository_lacks():
    cited = []
    for p in ROOT.rglob("*"):
        if p.suffix in (".py", ".md", ".tcss", ".toml") and ".venv" not in p.parts and "cache" not in p.parts:
            if "DESIGN" + ".md" in p.read_text(encoding="utf-8", errors="replace"):
                cited.append(str(p.relative_to(ROOT)))
    assert cited == []
    assert (ROOT / "docs" / "design.md").is_file()

"""`gridcare COMMAND --help` in terminal cells: Chinese metavars (路径, 代码) and help are two cells a character.

argparse counts characters: the help of --db 路径 began two cells right of the others, and Chinese help and
usage lines ran past 80 columns.
"""

from __future__ import annotations

import argparse
import re

import pytest
from rich.cells import cell_len

from storage.core.i18n import set_language

OPTION = re.compile(r"^(  \S.*?\S)  +(\S)")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_commands_help_fits_80_columns_with_its_help_in_one_column(lang, monkeypatch):
    from tui.cli import build_parser

    monkeypatch.setenv("COLUMNS", "80")
    set_language(lang)
    try:
        parser = build_parser()
        subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        helps = {name: sub.format_help() for name, sub in subs.choices.items()}
    finally:
        set_language("en")
    assert len(helps) > 20
    for name, text in helps.items():
        wide = [line for line in text.splitlines() if cell_len(line) > 80]
        assert not wide, (name, wide)
        columns = {cell_len(line[:m.start(2)]) for line in text.splitlines() if (m := OPTION.match(line))}
        assert len(columns) == 1, (name, text)

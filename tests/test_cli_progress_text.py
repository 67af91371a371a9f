"""The terminal's progress bar says its description as text (tui/progress.py).

`gridcare report --out FILE` names the file on its bar, as typed. Rich reads a description as markup: a
folder called "[/archive]" raised MarkupError once the report had been computed, and "[red]" coloured it.
"""

from __future__ import annotations

import sys

from tui.progress import cli_progress


def test_a_description_with_brackets_is_shown_as_typed(monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with cli_progress("正在写入 /data/[/archive]/[red]报表.xlsx ...") as progress:
        progress(1, 3)
        progress(3, 3)
    err = capsys.readouterr().err
    assert "[/archive]/[red]报表.xlsx" in err

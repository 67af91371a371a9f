"""Home's visit bars in plain glyphs (the old Windows console): the share visited is drawn, not only coloured.

Seen in tmux with --plain: "2026年12月已探访 ---------- 36/296 12%" — the stand-in for "━" is "-" for the part done
and the part to do alike, so the bar said nothing without colour."""

from __future__ import annotations

import io
from types import SimpleNamespace

from rich.console import Console

from screens.home_progress import _bar
from storage.core import glyphs


def _drawn(visited: int, total: int, width: int = 40) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(_bar(SimpleNamespace(visited=visited, total=total)))
    return out.getvalue().strip()


def test_a_plain_bar_draws_the_share_visited():
    glyphs.set_plain(True)
    try:
        assert _drawn(36, 296) == "#" * 5 + "-" * 35
        assert _drawn(0, 8) == "-" * 40 and _drawn(8, 8) == "#" * 40 and _drawn(0, 0) == "-" * 40
    finally:
        glyphs.set_plain(False)
    assert "#" not in _drawn(36, 296)  # the usual bar otherwise

"""Plain glyphs on screen: the app's output passes through storage.core.glyphs.cell_safe.

Textual draws borders (tcss `round`, `thick`, `solid`), scrollbars, toggles and select arrows with
box-drawing and block characters that the old Windows console draws two cells wide. Rather than
restyle every widget, the driver that writes the finished frame to the terminal replaces each such
character by one narrow one: the layout Textual computed stays true. Textual's public hook for
this is the driver class (App.get_driver_class).
"""

from __future__ import annotations

import sys
from typing import IO

from textual.driver import Driver

from storage.core.glyphs import cell_safe


def plain_driver(base: type[Driver]) -> type[Driver]:
    """`base` whose every write to the terminal is made cell-safe."""

    class PlainDriver(base):  # type: ignore[misc, valid-type]
        def write(self, data: str) -> None:
            super().write(cell_safe(data))

    PlainDriver.__name__ = PlainDriver.__qualname__ = f"Plain{base.__name__}"
    return PlainDriver


class CellSafeStream:
    """A console stream (CLI tables, messages) with the same narrow stand-ins as the app."""

    def __init__(self, stream: IO[str]):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(cell_safe(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def plain_console_streams() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            tty = stream.isatty()
        except (AttributeError, OSError, ValueError):
            continue
        if tty and not isinstance(stream, CellSafeStream):
            setattr(sys, name, CellSafeStream(stream))

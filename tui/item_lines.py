"""A list in running text that wraps between its items, never inside one.

"待导出：300 人、3,734 次探访、690 次六维度评估" wrapped by Rich at a space put "690" at the end of
one line and "次六维度评估" at the start of the next. Here each item ("690 次六维度评估", a
name) stays whole on a line; an item wider than the line is the only thing folded.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from storage.core.i18n import _


class ItemLines:
    """`prefix` + the items joined as the language joins a list (、 or ", ") + `suffix`, wrapped between items."""

    def __init__(self, prefix: str, items: list[str], suffix: str = "", style: str = "") -> None:
        self.prefix, self.items, self.suffix, self.style = prefix, [str(i) for i in items if i], suffix, style

    @classmethod
    def from_template(cls, template: str, items: list[str], style: str = "") -> ItemLines:
        """From a translated "Ready to go: {items}." (the words around the list are the translator's)."""
        prefix, _sep, suffix = template.partition("{items}")
        return cls(prefix, items, suffix, style)

    def pieces(self) -> list[str]:
        """The unbreakable pieces: the prefix with the first item, each next item after its separator."""
        sep = _(", ")
        if not self.items:
            return [self.prefix + self.suffix]
        last = len(self.items) - 1
        return [("" if i else self.prefix) + item + (self.suffix if i == last else sep)
                for i, item in enumerate(self.items)]

    def lines(self, width: int) -> list[str]:
        lines: list[str] = []
        current = ""
        for piece in self.pieces():
            if current and cell_len(current + piece) > width:
                lines.append(current.rstrip())
                current = piece
            else:
                current += piece
        lines.append(current.rstrip())
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            yield Text(line, style=self.style)  # a piece wider than the line is folded by Rich as usual

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        """At least the widest item (a table column never squeezes one apart), at most the whole line."""
        pieces = self.pieces()
        return Measurement(max(cell_len(p.rstrip()) for p in pieces), cell_len("".join(pieces)))

    def __str__(self) -> str:
        return "".join(self.pieces())

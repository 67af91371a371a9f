"""Tick boxes that read "[x]" ticked and "[ ]" not, in any terminal.

Textual draws both states as ▐X▌ and tells them apart only by the X's colour: on a dark
terminal an unticked box showed a nearly invisible black X, and a plain capture (or a
colour-blind reader, or a washed-out laptop screen) saw no difference at all. Here the
shape differs (an x or nothing), and the colour adds to it: ticked in the success colour,
bold. ASCII brackets only: conhost draws no ambiguous-width glyph double.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

TICKED, UNTICKED = "x", " "

class TickBox(Checkbox):
    DEFAULT_CSS = """
    TickBox > .toggle--button { color: $text-success; background: transparent; text-style: bold; }
    TickBox.-on > .toggle--button { color: $text-success; background: transparent; text-style: bold; }
    """
    BUTTON_LEFT, BUTTON_RIGHT = "[", "]"

    @property
    def _button(self) -> Content:
        mark = self.get_visual_style("toggle--button")
        frame = self.get_visual_style("toggle--label")
        return Content.assemble(("[", frame), (TICKED if self.value else UNTICKED, mark), ("]", frame))


class TickList(SelectionList):
    """A SelectionList whose boxes read [x] / [ ] (same width as Textual's ▐X▌, so layout is unchanged)."""

    DEFAULT_CSS = """
    TickList > .selection-list--button,
    TickList > .selection-list--button-highlighted,
    TickList > .selection-list--button-selected,
    TickList > .selection-list--button-selected-highlighted { color: $text-success; background: transparent; text-style: bold; }
    """

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)  # Textual's box, then the prompt: the box's 3 cells are replaced
        _, scroll_y = self.scroll_offset
        try:
            option = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return line
        segments = list(line)
        if len(segments) < 4:
            return line
        underlying = segments[3].style or Style()
        mark_style = self.get_component_rich_style("selection-list--button-selected")
        meta = Style(meta={"option": scroll_y + y})
        ticked = option.value in self.selected
        return Strip([
            Segment("[", underlying + meta),
            Segment(TICKED if ticked else UNTICKED, underlying + mark_style + meta),
            Segment("]", underlying + meta),
            *segments[3:],
        ])

"""A resident's categories where the room is short: the register's column, Home's lists and progress panel.

Whole where the label fits, else its shorter words (storage/register/categories.py, SHORT_CATEGORIES), and only
failing both cut, between words: never "Elder livin…", never an initialism.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.measure import Measurement
from rich.text import Text

from storage.register.categories import SHORT_CATEGORIES, SHOWN_CATEGORIES, label


def categories_cell(codes: list[str], width: int) -> str:
    """A resident's categories in a column `width` cells wide: one category whole and how many more.

    "独居老年人+1"; where the label and the count do not fit, its shorter words (storage/register/categories.py,
    SHORT_CATEGORIES: "留守老年人+1", "Lives alone+1", not "农村留守老…+1", "Elder livin…+1"); failing that, the first
    of the others that fits. The count of the others is never cut off (a joined list cut at the column's edge hid
    the second category). Only a category alone and wider than the column is cut, between its words.
    """
    if not codes:
        return ""
    more = "" if len(codes) == 1 else f"+{len(codes) - 1}"
    room = width - cell_len(more)
    for code in codes:
        word = category_word(code, room)
        if word is not None:
            return word + more
    return cut_between_words(category_word(codes[0]) or "", room) + more


def category_word(code: str, cells: int | None = None) -> str | None:
    """A category's label in `cells` cells: whole, else its shorter words; None when neither fits.
    Without `cells`, the label whole."""
    return fitting_word(SHOWN_CATEGORIES, SHORT_CATEGORIES, code, cells)


def fitting_word(labels: dict[str, str], shorts: dict[str, str], code: str, cells: int | None) -> str | None:
    """`code`'s label in `labels` where it fits in `cells` cells, else its shorter words in `shorts` where they fit;
    None when neither does (a category, an agency, a benefit). Without `cells`, the label whole."""
    whole = label(labels, code)
    if cells is None or cell_len(whole) <= cells:
        return whole
    short = label(shorts, code) if code in shorts else ""
    return short if short and cell_len(short) <= cells else None


class CategoryLabel:
    """A category's label as wide as the room Rich gives it: whole, else its shorter words, else cut between
    words (Home's categories two to a line at 80 columns cut "Widowed or childless el…")."""

    def __init__(self, code: str, indent: str = "  "):
        self.code, self.indent = code, indent

    def __rich_console__(self, console, options):
        room = options.max_width - cell_len(self.indent)
        word = category_word(self.code, room)
        yield Text(self.indent + (word if word is not None else cut_between_words(category_word(self.code) or "",
                                                                                   room)), no_wrap=True)

    def __rich_measure__(self, console, options):
        whole = cell_len(self.indent + (category_word(self.code) or ""))
        short = cell_len(self.indent + label(SHORT_CATEGORIES, self.code)) if self.code in SHORT_CATEGORIES else whole
        return Measurement(min(short, whole), whole)


_WORD_ENDS = " /、，,"  # where a label may be cut: "三、四级智力…", "Grade 3-4…"


def cut_between_words(text: str, cells: int) -> str:
    """`text` cut to `cells` cells with "…", before a space, a slash or a list's comma where one leaves at least half
    the room (a word of the plan stays whole), else at the edge."""
    if cell_len(text) <= cells:
        return text
    ends = [i for i, ch in enumerate(text) if ch in _WORD_ENDS and i and cells // 2 <= cell_len(text[:i]) <= cells - 1]
    if ends:
        return text[:ends[-1]].rstrip() + "…"
    return set_cell_size(text, cells - 1).rstrip() + "…"

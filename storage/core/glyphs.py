"""Plain glyphs for the old Windows console: one switch for every character it draws too wide.

conhost under a Chinese code page draws every character that is double-byte in that code page two
cells wide, while Textual and Rich lay out East-Asian-*ambiguous* characters as one cell: "…", "—",
"·", “quotes”, the box drawing of borders (tcss `round`, `thick`, `solid`, Textual's own widgets),
the ▏▎ blocks of bars and scrollbars, arrows. Each then pushes the rest of its line one cell right.

Where they come from, and how the switch reaches each:
- our strings (translations: "正在打开…", “新设备”): `narrow()` on every translated string
  (storage/core/i18n.py), with readable multi-character stand-ins ("..." for "…", 「」 for “”);
- our code's own separators and bars (screens/): `narrow()` / `plain()` where they are built;
- borders and Textual's widgets, and anything left (a resident's name with "·"): the app's output
  goes through `cell_safe()` (tui/plain.py), one narrow character for one, so layout is unchanged.

The switch is on for a legacy console (storage/core/platform.py: Windows without Windows
Terminal), `--plain`, or GRIDCARE_PLAIN=1 (GRIDCARE_PLAIN=0 turns it off).
"""

from __future__ import annotations

import os
import unicodedata
from functools import lru_cache

_plain = False

# Before layout: stand-ins that read well, whatever their length.
NARROW = str.maketrans({
    "…": "...", "⋯": "...", "—": "-", "–": "-", "―": "-", "·": "-", "•": "*",
    "“": "「", "”": "」", "‘": "『", "’": "』",
    "→": "->", "←": "<-", "↑": "^", "↓": "v", "×": "x", "±": "+/-", "≤": "<=", "≥": ">=",
    "✓": "v", "✗": "x", "▶": ">", "▼": "v", "▲": "^", "◀": "<",
})

_ONE = {
    "…": ".", "·": ".", "—": "-", "–": "-", "―": "-", "‖": "|", "•": "*", "°": "o", "×": "x", "÷": "/",
    "“": '"', "”": '"', "‘": "'", "’": "'", "′": "'", "″": '"', "±": "+", "§": "S", "※": "*",
    "←": "<", "→": ">", "↑": "^", "↓": "v", "↔": "-", "↕": "|",
    "▲": "^", "△": "^", "▼": "v", "▽": "v", "▶": ">", "▷": ">", "◀": "<", "◁": "<",
    "●": "*", "○": "o", "◎": "o", "◆": "*", "◇": "o", "■": "#", "□": "o", "★": "*", "☆": "*", "⭘": "o",
    "▏": "|", "▕": "|", "▁": "_", "▔": "-", "░": ":", "▒": "%", "▓": "#", "█": "#",
}


def _box(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if "DIAGONAL" in name:
        return "X" if "CROSS" in name else ("/" if "UPPER RIGHT" in name else "\\")
    horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
    if horizontal and not vertical:
        return "-"
    if vertical and not horizontal:
        return "|"
    if name.endswith(("LEFT", "RIGHT")) and " AND " not in name:  # ╴ ╶ ╸ ╺: half lines
        return "-"
    if name.endswith(("UP", "DOWN")) and " AND " not in name:
        return "|"
    return "+"


def _wide_in_conhost(ch: str) -> bool:
    """Drawn two cells wide by conhost under a CJK code page, but laid out as one by Rich."""
    if unicodedata.east_asian_width(ch) != "A":
        return False
    try:
        return len(ch.encode("cp936")) == 2
    except UnicodeEncodeError:
        return False


@lru_cache(maxsize=1)
def _cell_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        if 0x2500 <= cp <= 0x257F:
            table[cp] = _box(ch)
        elif 0x2580 <= cp <= 0x259F:
            table[cp] = _ONE.get(ch, "|" if "LEFT" in unicodedata.name(ch, "") or "RIGHT" in unicodedata.name(ch, "") else "#")
        elif ch in _ONE:
            table[cp] = _ONE[ch]
        elif _wide_in_conhost(ch):
            folded = unicodedata.normalize("NFKD", ch)
            table[cp] = folded if len(folded) == 1 and folded.isascii() and folded.isprintable() else "?"
    return table


def cell_safe(text: str) -> str:
    """One narrow character for each character conhost would draw too wide: the layout is kept."""
    return text.translate(_cell_table())


def narrow(text: str) -> str:
    """`text` with readable narrow stand-ins when plain glyphs are on, else unchanged."""
    return text.translate(NARROW) if _plain else text


def plain() -> bool:
    return _plain


def set_plain(on: bool) -> None:
    global _plain
    _plain = bool(on)


def wanted(flag: bool = False) -> bool:
    """--plain, else GRIDCARE_PLAIN (1/0), else whether this is a legacy console."""
    if flag:
        return True
    env = os.environ.get("GRIDCARE_PLAIN", "").strip().lower()
    if env in ("1", "yes", "true", "on"):
        return True
    if env in ("0", "no", "false", "off"):
        return False
    from storage.core.platform import legacy_console

    return legacy_console()

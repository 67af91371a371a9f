"""Text that came from a file, made safe to print on a terminal or draw on a screen.

A bundle's manifest, a roster's cells, a key file or a database from elsewhere can hold
control characters: ESC sequences that move the cursor and erase earlier lines ("已拒收"
lines gone), OSC 52 that writes the clerk's clipboard, a carriage return that hides what
precedes it, bidirectional overrides that show a name backwards. Everything printed from a
file goes through `printable()` first, on the CLI and in the app: one function, so that a
place which forgets it is easy to find.

Apart from what is safe to print, what a database can store: `unstorable()` / `storable()`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any

REPLACEMENT = "?"
# Unicode format characters that reorder or hide text (Trojan Source, CVE-2021-42574) or
# are invisible: shown as the replacement too. Zero-width joiners inside emoji stay.
_FORMAT_HIDING = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
    "\ufeff\ufff9\ufffa\ufffb"
)


def _unsafe(ch: str) -> bool:
    if ch in _FORMAT_HIDING:
        return True
    category = unicodedata.category(ch)
    # Cc: C0 and C1 controls (ESC, CSI, OSC, BEL, CR, LF, TAB...); Cs: lone surrogates;
    # Zl/Zp: line and paragraph separators, which break a one-line message like LF does
    return category in ("Cc", "Cs", "Zl", "Zp")


def printable(value: Any, *, limit: int | None = None, multiline: bool = False) -> str:
    """`value` as text with every control character replaced by '?' (one line, nothing the
    terminal would execute). `multiline`: line feeds are kept (a note, a list of problems shown
    in a text area); everything else is still replaced. `limit`: at most that many characters,
    an ellipsis marking a cut."""
    text = value if isinstance(value, str) else str(value)
    keep = "\n" if multiline else ""
    if text.isascii():
        # the common case, without a loop per character in Python
        if text.isprintable():
            out = text
        else:
            out = "".join(REPLACEMENT if (ord(ch) < 0x20 or ord(ch) == 0x7F) and ch not in keep else ch for ch in text)
    else:
        out = "".join(REPLACEMENT if _unsafe(ch) and ch not in keep else ch for ch in text)
    if limit is not None and len(out) > limit:
        out = out[: max(limit - 1, 0)] + "…"
    return out


# What no database can store as text, whichever engine: NUL (PostgreSQL refuses it in text and JSON
# strings, so a county refused a whole township bundle for one pasted NUL) and half a character (a
# lone UTF-16 surrogate: what a Windows console key event or an undecodable byte kept by
# surrogateescape leaves in a str, which UTF-8 cannot encode, so SQLite's driver raised).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # (raw: its pattern is ASCII, part of a digest)
UNSTORABLE_RULE = _UNSTORABLE.pattern  # part of the value checks' fingerprint (storage/register/field_rules.py)


def unstorable(text: str) -> bool:
    """Whether `text` holds a character no database can store: NUL or a lone surrogate."""
    # neither is printable (Cc, Cs): most text is, told by one C loop (a fifth of the search's time on Chinese
    # text; a merge judges every text of every event), and only the rest is searched
    return not text.isprintable() and _UNSTORABLE.search(text) is not None


def storable(text: str) -> str:
    """`text` as a database can store it, for what this device writes (a form, a roster cell, a name at set-up):
    NUL removed (invisible, and never typed: it comes along with pasted text), a surrogate pair joined into
    its character, a lone surrogate replaced by U+FFFD (the mark for a character lost in decoding, as a
    terminal shows it). A merge never cleans: it refuses (storage/core/schema.py field_problem)."""
    if not unstorable(text):
        return text
    text = text.replace("\x00", "")
    if text.isascii():
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def path_text(path: Any) -> str:
    """A file's path as text a database stores and a person reads. Under a locale whose file-name encoding
    is ASCII (C/POSIX with Python's UTF-8 mode turned off) a Chinese name arrives as lone surrogates, one per
    byte (surrogateescape): its bytes are read again as UTF-8, what almost every disk here holds."""
    text = os.fspath(path)
    if isinstance(text, bytes) or not unstorable(text):
        return text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return storable(os.fsencode(text).decode("utf-8", "replace"))


def storable_value(value: Any) -> Any:
    """`storable()` applied to every text of a JSON-like value: itself, a list's items, an object's keys and values."""
    if type(value) is str:
        return storable(value)
    if isinstance(value, list):
        return [storable_value(item) for item in value]
    if isinstance(value, dict):
        return {storable_value(k): storable_value(v) for k, v in value.items()}
    return value


# what comes along with text pasted from a spreadsheet or a web page and nobody types: invisible, yet a value
# holding one differs from the same value typed (a search, a roster's comparison with the register)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def typed_text(text: Any) -> str:
    """A short text as the register stores it, from a form or a roster cell alike: invisible characters gone, runs
    of spaces one space, none around it. Nothing else changes: an address's full-width brackets "城东路8号（东）"
    stay as typed; full-width digits and letters become ASCII only in codes (`typed_code`)."""
    return " ".join(("" if text is None else str(text)).translate(_INVISIBLE).split())


def text_key(text: Any) -> str:
    """What two spellings of one place's name share when a person would say they are the same: "城东（一）网格"
    and "城东(一)网格", "Ｇ０１" and "g01" (full-width as half-width, no spaces, case ignored)."""
    return typed_code(typed_text(text)).casefold()


def typed_code(text: str | None) -> str:
    """A code as typed: full-width digits and letters (what a Chinese input method gives) made plain, spaces gone.
    ID numbers and phones were read that way; the codes of set-up were not, and "３３０５２４１０１" failed against
    the key file's 330524101 with the message below the screen's fold."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())

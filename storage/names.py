"""Pinyin of names, for search by initials (`zs` finds 张三).

pypinyin has no surname mode, so the surname is read with the table in
data/surnames.tsv (单 is shan, not dan), and the other readings of the
surname are indexed too: people type what they hear. pypinyin is imported
only when a name is saved, never at start-up.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from pathlib import Path

MAX_VARIANTS = 8
SURNAMES_FILE = Path(__file__).parent / "data" / "surnames.tsv"


@lru_cache(maxsize=1)
def _surnames() -> dict[str, tuple[list[str], int | None]]:
    """surname -> (readings, surname reading first; population rank or None)."""
    table: dict[str, tuple[list[str], int | None]] = {}
    with SURNAMES_FILE.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2 or not cols[0]:
                continue
            others = [r for r in (cols[2] if len(cols) > 2 else "").split("/") if r]
            rank = int(cols[3]) if len(cols) > 3 and cols[3].isdigit() else None
            table[cols[0]] = ([cols[1], *others], rank)
    return table


def _split_surname(name: str) -> tuple[str, list[str] | None, str]:
    table = _surnames()
    for size in (2, 1):
        head = name[:size]
        if len(name) > size and head in table:
            return head, table[head][0], name[size:]
    return "", None, name


def _char_readings(text: str) -> list[list[str]]:
    from pypinyin import Style, pinyin

    out: list[list[str]] = []
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            readings = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
            options = list(dict.fromkeys(readings[0])) if readings and readings[0] else [ch]
            out.append(options)
        elif ch.isalnum():
            out.append([ch.lower()])
        # '·', spaces and punctuation carry no sound
    return out


def _clean(name: str) -> str:
    return "".join(str(name).split()).replace("·", "").replace("•", "")


def _syllables(name: str) -> list[list[str]]:
    """Per syllable, its readings (surname reading first)."""
    name = _clean(name)
    surname, readings, rest = _split_surname(name)
    parts: list[list[str]] = []
    if readings:
        # a compound surname's readings are whole words ("yuchi"); split per character
        if len(surname) == 2:
            parts.append(readings)  # kept as one unit; initials handled below
        else:
            parts.append(readings)
    parts += _char_readings(rest if readings else name)
    return parts


def _initials_of(reading: str, compound: bool) -> str:
    if not compound:
        return reading[:1]
    return _COMPOUND_INITIALS.get(reading, reading[:1])


_COMPOUND_INITIALS = {
    "yuchi": "yc", "weichi": "wc", "moqi": "mq", "wansi": "ws", "zhangsun": "zs", "changsun": "cs",
    "chanyu": "cy", "danyu": "dy",
}


def name_initials(name: str) -> list[str]:
    """Every plausible initials string, the surname reading first: 单小明 -> ['sxm', 'dxm']."""
    name = _clean(name)
    if not name:
        return []
    surname, readings, rest = _split_surname(name)
    head_options: list[str] = []
    if readings:
        head_options = list(dict.fromkeys(_initials_of(r, len(surname) == 2) for r in readings))
    rest_parts = [list(dict.fromkeys(r[:1] for r in options)) for options in _char_readings(rest if readings else name)]
    parts = ([head_options] if head_options else []) + rest_parts
    combos = []
    for combo in itertools.product(*parts):
        combos.append("".join(combo))
        if len(combos) >= MAX_VARIANTS:
            break
    return list(dict.fromkeys(combos))


def name_search_key(name: str) -> str:
    return " ".join(name_initials(name))


def name_pinyin(name: str) -> str:
    """Full pinyin with the surname reading, for sorting: 单小明 -> 'shan xiao ming'."""
    name = _clean(name)
    surname, readings, rest = _split_surname(name)
    words = [readings[0]] if readings else []
    words += [options[0] for options in _char_readings(rest if readings else name)]
    return " ".join(words)


def surname_weights() -> list[tuple[str, float]]:
    """Surnames weighted by population rank; unranked polyphonic ones get a small weight."""
    out = []
    for surname, (_readings, rank) in _surnames().items():
        out.append((surname, 1.0 / (rank ** 0.8) if rank else 0.004))
    return out

"""A name searched by its full pinyin (`xie`, `xiexiulan` find 解秀兰), as well as by its initials.

The register stores only the initials of every reading (storage/register/names.py). Full pinyin is matched at
search time instead of stored: the typed letters are cut into syllables, and each syllable becomes the set of
characters that can be read so (every reading pypinyin knows, and every reading of a surname in
data/surnames.tsv: 单 is found by `shan` and by `dan`, 解 by `xie` and `jie`, 曾 by `zeng` and `ceng`). The
name must begin with one character of each set in turn: a GLOB (SQLite) or a regular expression (PostgreSQL)
over the rows whose initials begin with the first letter, which their index finds. Nothing stored changes, so
the events, the merge and the records of every release already on the register are searched alike.
"""

from __future__ import annotations

import os
import unicodedata
from functools import lru_cache

MAX_CUTS = 6  # ways to cut the letters into syllables ("xian": xian, xi+an, ...)
MAX_SYLLABLES = 6  # longer than any name's characters: not a name's spelling
MAX_PARTIAL = 400  # characters a half-typed last syllable may stand for before it stands for any character


def _plain(reading: str) -> str:
    """lǜ -> lv (as typed on a keyboard), xiè -> xie."""
    text = unicodedata.normalize("NFD", reading.strip().lower()).replace("u\u0308", "v")
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _characters() -> dict[str, str]:
    """Syllable -> every character read so, as one string. Built on the first full-pinyin search (~0.2 s)."""
    from storage.register.names import _surnames, pypinyin_singles

    pypinyin_singles()
    from pypinyin.pinyin_dict import pinyin_dict  # deferred: its table is read when first needed

    found: dict[str, dict[str, None]] = {}
    for code, readings in pinyin_dict.items():
        for reading in readings.split(","):
            syllable = _plain(reading)
            # (a syllable without a vowel, 嗯 n, 呣 m, is nobody's name: "xiulan" is not xiu-la-n)
            if syllable.isascii() and syllable.isalpha() and any(v in syllable for v in "aeiouv"):
                found.setdefault(syllable, {})[chr(code)] = None
    for surname, (surname_readings, _rank) in _surnames().items():  # 单 shan, as the initials read it too
        if len(surname) == 1:
            for reading in surname_readings:
                found.setdefault(reading, {})[surname] = None
    return {syllable: "".join(chars) for syllable, chars in found.items()}


def _cuts(letters: str) -> list[list[str]]:
    """The ways to read `letters` as syllables, the last one maybe half typed (its letters a syllable's start)."""
    table = _characters()
    out: list[list[str]] = []

    def walk(rest: str, cut: list[str]) -> None:
        if len(out) >= MAX_CUTS or len(cut) > MAX_SYLLABLES:
            return
        if not rest:
            out.append(cut)
            return
        for end in range(min(len(rest), 6), 0, -1):
            if rest[:end] in table:
                walk(rest[end:], [*cut, rest[:end]])
        if cut and len(rest) < 6 and any(s.startswith(rest) for s in table):  # the last syllable, being typed
            out.append([*cut, rest + "…"])

    walk(letters, [])
    fewest = min((len(cut) for cut in out), default=0)  # xian is 先, not 西 + 安: as few syllables as read it
    return [cut for cut in out if len(cut) == fewest]


def _set_of(syllable: str) -> str | None:
    """The characters one syllable stands for; None: any character (a syllable half typed, read too many ways)."""
    table = _characters()
    if not syllable.endswith("…"):
        return table[syllable]
    start = syllable[:-1]
    chars = dict.fromkeys(ch for s, many in table.items() if s.startswith(start) for ch in many)
    return "".join(chars) if len(chars) <= MAX_PARTIAL else None


def spelled(letters: str) -> tuple[str, list[list[str | None]]]:
    """(the initials every reading of `letters` begins with, and per way of cutting them into syllables the
    characters each position of the name may hold): `xiexiulan` -> ('xxl', [['谢解…', '秀修…', '兰蓝…']]).

    ('', []) when the letters are no syllable followed by others: initials (`zs`, `xxl`) are the other stages'.
    """
    cuts = [cut for cut in _cuts(letters) if not cut[0].endswith("…")]
    if not cuts:
        return "", []
    initials = os.path.commonprefix(["".join(s[0] for s in cut) for cut in cuts])
    return initials, [[_set_of(s) for s in cut] for cut in cuts]


def sqlite_globs(patterns: list[list[str | None]]) -> list[str]:
    """GLOB patterns of the name's start: '[谢解…][秀修…]*'."""
    return ["".join(f"[{chars}]" if chars else "?" for chars in pattern) + "*" for pattern in patterns]


def pg_regex(patterns: list[list[str | None]]) -> str:
    """One regular expression of the name's start, for PostgreSQL's `~`."""
    return "^(?:" + "|".join("".join(f"[{chars}]" if chars else "." for chars in p) for p in patterns) + ")"


def warm_for(query: str) -> None:
    """Read the syllable table once a search begins with a letter: the next letter may need it, and reading it
    then (pypinyin's tables, about half a second) would hold up that keystroke's page."""
    first = query.strip()[:1]
    if first.isascii() and first.isalpha():
        _characters()

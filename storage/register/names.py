"""Pinyin of names, for search by initials (`zs` finds 张三).

pypinyin has no surname mode, so the surname is read with the table in
data/surnames.tsv (单 is shan, not dan), and the other readings of the
surname are indexed too: people type what they hear. pypinyin is imported
only when a name is saved, never at start-up; the table is read on first use.
Only its table of single characters is loaded (`pypinyin_singles`): a name is read
character by character, and its table of phrases, which reads nothing a name needs
(every character's readings were compared with and without it), cost 44 MiB and 0.1 s.
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from storage.core.text import typed_text

MAX_VARIANTS = 8
SURNAMES_FILE = Path(__file__).parent / "data" / "surnames.tsv"
_SEPARATORS = "·•・‧∙.．"  # the dot in minority names (阿依·木拉提) and its look-alikes

# Han characters: the unified blocks (BMP and the supplementary planes, where rare name
# characters such as 𠮷 live), the compatibility block, and 〇
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# a middle dot as Chinese and Japanese input methods and fonts give it; normalised to U+00B7 between Han
# characters, the form the public-security standard writes in names such as 阿依古丽·买买提
_NAME_DOTS = "·•・‧∙．･᛫⸱⋅."
_JOINS_HAN = re.compile(f"(?<=[{_HAN}{_NAME_DOTS}])\\s+(?=[{_HAN}{_NAME_DOTS}])")
_DOT_BETWEEN_HAN = re.compile(f"(?<=[{_HAN}])[{re.escape(_NAME_DOTS)}]+(?=[{_HAN}])")


def clean_name(name: str | None) -> str:
    """A person's name as it is stored: 周 建国 -> 周建国, 王(U+3000)芳 -> 王芳, 阿依古丽 • 买买提 -> 阿依古丽·买买提.

    Whitespace between Han characters (any kind: a clerk's padding in Excel, the
    full-width U+3000) goes; a middle dot between Han characters becomes U+00B7;
    a Latin-script name keeps one space between its words (Mary Ann Li).
    Nothing else changes: rare characters are kept exactly as typed.
    """
    text = _JOINS_HAN.sub("", typed_text(name))
    return _DOT_BETWEEN_HAN.sub("·", text)


def has_digits(name: str) -> bool:
    """A name with digits in it (1, full-width １): often an ID number typed into the wrong field."""
    return any(ch.isdigit() for ch in name)


# One way to read a token: its syllables ('yu', 'chi') and its initials ('yc').
# A run of latin letters or digits is one token whose "initials" are the whole run.
Option = tuple[tuple[str, ...], str]
Token = list[Option]  # the usual reading first


@lru_cache(maxsize=1)
def _surnames() -> dict[str, tuple[list[str], int | None]]:
    """surname -> (readings, surname reading first; population rank or None)."""
    table: dict[str, tuple[list[str], int | None]] = {}
    with SURNAMES_FILE.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) < 2 or not cols[0]:
                continue
            others = [r for r in (cols[2] if len(cols) > 2 else "").split("/") if r]
            rank = int(cols[3]) if len(cols) > 3 and cols[3].isdigit() else None
            table[cols[0]] = (list(dict.fromkeys([cols[1], *others])), rank)
    return table


def _clean(name: str) -> str:
    text = unicodedata.normalize("NFKC", str(name or ""))  # full-width Ｍａｒｙ -> Mary
    return "".join(ch for ch in text if not ch.isspace() and ch not in _SEPARATORS)


def pypinyin_singles() -> None:
    """Before pypinyin's first import: its phrase table left unread (pypinyin's own switch; set for this process,
    where nothing reads pinyin of phrases)."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")


@lru_cache(maxsize=8192)
def _char_readings(ch: str) -> tuple[str, ...]:
    pypinyin_singles()
    from pypinyin import Style, pinyin  # deferred: its table costs ~40 ms, paid at the first name, not at start-up

    readings = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(r for r in readings[0] if r)) if readings and readings[0] else ()


def _syllable(reading: str) -> Option:
    return (reading,), reading[:1]


def _tokens(text: str) -> list[Token]:
    """Readings per character; a run of latin letters or digits is one token, lowercased."""
    out: list[Token] = []
    run = ""
    for ch in text:
        if ch.isascii() and ch.isalnum():
            run += ch.lower()
            continue
        if run:
            out.append([((run,), run)])
            run = ""
        readings = _char_readings(ch)
        if readings:
            out.append(list(dict.fromkeys(_syllable(r) for r in readings)))
        elif ch.isalnum():  # a letter pypinyin does not know (é): keep it
            out.append([((ch.lower(),), ch.lower())])
    if run:
        out.append([((run,), run)])
    return out


def _compound(surname: str, reading: str) -> Option:
    """尉迟 read 'yuchi' -> (('yu', 'chi'), 'yc'), split with the characters' own readings."""
    second = _char_readings(surname[1])
    for a in _char_readings(surname[0]):
        if reading.startswith(a) and reading[len(a):] in second:
            b = reading[len(a):]
            return (a, b), a[:1] + b[:1]
    return (reading,), reading[:1]


def _ways(name: str) -> list[list[Token]]:
    """The ways to cut the name, most likely first.

    A surname in the table is read with the table's readings; a compound surname
    (尉迟, 单于) is also read as a one-character surname when that character is in
    the table, since 单于明 may be 单 + 于明. A name with no known surname is read
    with pypinyin alone.
    """
    table = _surnames()
    ways: list[list[Token]] = []
    head = name[:2]
    if len(name) > 2 and head in table:
        ways.append([[_compound(head, r) for r in table[head][0]], *_tokens(name[2:])])
    if name[:1] in table:
        ways.append([[_syllable(r) for r in table[name[:1]][0]], *_tokens(name[1:])])
    if not ways:
        ways.append(_tokens(name))
    return ways


def _by_fewest_departures(tokens: list[Token]) -> Iterator[tuple[int, tuple[Option, ...]]]:
    """(departures, combination): the usual reading everywhere, then one departure, ...

    so a cap keeps the likely readings and every surname reading, instead of
    exhausting the last character's readings first (itertools.product order).
    """
    polyphonic = [i for i, t in enumerate(tokens) if len(t) > 1]
    for k in range(len(polyphonic) + 1):
        for chosen in itertools.combinations(polyphonic, k):
            choices = [t[1:] if i in chosen else t[:1] for i, t in enumerate(tokens)]
            for combo in itertools.product(*choices):
                yield k, combo


def _readings(name: str) -> list[tuple[Option, ...]]:
    """At most MAX_VARIANTS readings of the whole name, the likeliest first."""
    name = _clean(name)
    if not name:
        return []
    ranked = []
    for w, way in enumerate(_ways(name)):
        for n, (k, combo) in enumerate(itertools.islice(_by_fewest_departures(way), MAX_VARIANTS)):
            ranked.append((k + w, w, n, combo))
    ranked.sort(key=lambda item: item[:3])
    return [combo for *_key, combo in ranked]


def name_initials(name: str) -> list[str]:
    """Every plausible initials string, the surname reading first: 单小明 -> ['sxm', 'dxm']."""
    out = dict.fromkeys("".join(initials for _syl, initials in combo) for combo in _readings(name))
    return list(out)[:MAX_VARIANTS]


def name_search_key(name: str) -> str:
    """The initials joined with spaces ('sxm dxm'), matched with LIKE 'x%' OR LIKE '% x%'."""
    return " ".join(name_initials(name))


def name_pinyin(name: str) -> str:
    """Full pinyin with the surname reading, for sorting: 单小明 -> 'shan xiao ming'."""
    readings = _readings(name)
    return " ".join(s for syllables, _ini in readings[0] for s in syllables) if readings else ""


def surname_weights() -> list[tuple[str, float]]:
    """Surnames weighted by population rank; unranked polyphonic ones get a small weight."""
    return [(surname, 1.0 / (rank**0.8) if rank else 0.004) for surname, (_r, rank) in _surnames().items()]

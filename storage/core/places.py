"""Villages: what a grid belongs to, so every report row has its village (not "无所属村").

A village is known by its 12-digit statistical code (county 6 + township 3 + village 3) when the
person knows it; else by its name within the township. The record's id is the code, or
"<township code>-<name>" without one: two workers of one village who both type its name write
the same record, and a report can still show the name when only the id travelled (a worker's
own village record stays on its laptop; the grid record carries the id, and the name the worker
gave it, `village_name`: `village_names` names a coded village by it where the township has no name).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from storage.core.errors import ValidationError
from storage.core.i18n import _
from storage.core.text import printable, storable, typed_code

VILLAGE_CODE = re.compile(r"^\d{12}$", re.ASCII)
MAX_NAME = 40
# a village's record id, as a bundle may carry it: the 12-digit code, or "<township code>-<name>"
# (the name as people write it, Chinese included; no control characters, no half a character (a lone
# surrogate, which no database stores), no slashes or "..")
VILLAGE_REF = re.compile(r"(?!.*\.\.)(?:\d{12}|\d{9}-[^\x00-\x1f\x7f\ud800-\udfff/\\]{1," + str(MAX_NAME) + "})", re.ASCII)


def check_village(township_code: str, name: str | None, code: str | None) -> tuple[str, str | None]:
    """(name, code or None), tidied; a ValidationError naming the field when one is wrong."""
    name = " ".join(storable(name or "").split())  # as every form's text (storage/core/changes.py Writer)
    code = typed_code(code) or None
    if code is not None:
        if not VILLAGE_CODE.match(code):
            raise ValidationError("village_code", _("A village code has 12 digits (county 6 + township 3 + village 3), "
                                                    "e.g. {example}.").format(example=f"{township_code}201"))
        if not code.startswith(township_code):
            raise ValidationError("village_code", _("This village code is not of township {code}: it must begin "
                                                    "with {code}.").format(code=township_code))
    if not name and code is None:
        raise ValidationError("village_name", _("Give the village's name (and its 12-digit code if you know it)."))
    if len(name) > MAX_NAME:
        raise ValidationError("village_name", _("Too long: at most {n} characters.").format(n=MAX_NAME))
    if not is_village_name(name):  # (ESC, a bidirectional override: the grid carries the name to the township)
        raise ValidationError("village_name", _("The text holds control characters: type it again."))
    if code is None and not VILLAGE_REF.fullmatch(f"{township_code}-{name}"):
        raise ValidationError("village_name", _("Write the village's name without slashes or \"..\"."))
    return name, code


def village_id(township_code: str, name: str, code: str | None) -> str:
    return code if code else f"{township_code}-{name}"


def village_township(village_id: str) -> str:
    """The township code a village id is of: a code's first 9 digits, or the part before a name."""
    return village_id[:9] if VILLAGE_CODE.match(village_id) else village_id.split("-", 1)[0]


def village_label(village_id: str | None, names: dict[str, str]) -> str:
    """A village's name for a report: its record's, else the name inside a code-less id, else the code."""
    if not village_id:
        return ""
    if names.get(village_id):
        return names[village_id]
    if "-" in village_id and not VILLAGE_CODE.match(village_id):
        return village_id.split("-", 1)[1]
    return village_id


def is_village_name(value: str) -> bool:
    """A village's name as check_village leaves it: one line, single spaces, no control characters (ESC,
    line breaks, bidirectional overrides). What a grid's `village_name` may be, typed or merged."""
    return printable(value) == value and " ".join(value.split()) == value


def village_names(records: Iterable[tuple[str, str]], given: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Village id -> its name for the reports and screens: the village record's name (the township's); for a
    12-digit code of which no record with a name is held, the name the grids' workers gave it.

    `records`: (id, name) of the live village records; `given`: (grid id, village code, village name) of the live
    grids. A worker writes its own grid's record only, never a village: the name it gives stays on its grid,
    names only a code of the grid's own township, and gives way to any name the township's record has. Grids
    that disagree: the name most of them give, then the first grid's by id (the same on every database).
    """
    names = {vid: name or vid for vid, name in records}
    votes: dict[str, Counter[str]] = {}
    first: dict[tuple[str, str], str] = {}
    for grid_id, code, name in given:
        if (not name or not code or not VILLAGE_CODE.match(code) or names.get(code, code) != code
                or code[:9] != grid_id.split("-", 1)[0]):
            continue
        votes.setdefault(code, Counter())[name] += 1
        first[(code, name)] = min(grid_id, first.get((code, name), grid_id))
    for code, counted in votes.items():
        names[code] = min(counted, key=lambda n: (-counted[n], first[(code, n)]))
    return names

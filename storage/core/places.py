"""Villages: what a grid belongs to, so every report row has its village (not "无所属村").

A village is known by its 12-digit statistical code (county 6 + township 3 + village 3) when the
person knows it; else by its name within the township. The record's id is the code, or
"<township code>-<name>" without one: two workers of one village who both type its name write
the same record, and a report can still show the name when only the id travelled (a worker's
own village record stays on its laptop; the grid record carries the id).
"""

from __future__ import annotations

import re

from storage.core.errors import ValidationError
from storage.core.i18n import _
from storage.core.text import storable, typed_code

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
    if code is None and not VILLAGE_REF.fullmatch(f"{township_code}-{name}"):
        raise ValidationError("village_name", _("Write the village's name without slashes or \"..\"."))
    return name, code


def village_id(township_code: str, name: str, code: str | None) -> str:
    return code if code else f"{township_code}-{name}"


def village_label(village_id: str | None, names: dict[str, str]) -> str:
    """A village's name for a report: its record's, else the name inside a code-less id, else the code."""
    if not village_id:
        return ""
    if names.get(village_id):
        return names[village_id]
    if "-" in village_id and not VILLAGE_CODE.match(village_id):
        return village_id.split("-", 1)[1]
    return village_id

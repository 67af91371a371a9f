"""Roster cells about benefits, subsidies, disability and the paired helper (issue #15).

A status column (低保, 特困, 低保边缘 ...) holds 是/否 as township lists write it — or a
type such as A类 or 全额, or the date the status began. 两项补贴 lists the subsidies received.
残疾类别/等级 holds both in one cell: 肢体二级, 智力 三级, 二级精神.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from storage.core.errors import ValidationError
from storage.core.i18n import _
from storage.roster.columns import norm_word, parse_date

_NO = {"否", "无", "没有", "不是", "非", "未享受", "未", "n", "no", "false", "0", "×", "x", "-", "/"}
_YES = {"是", "有", "享受", "已享受", "√", "✓", "✔", "y", "yes", "true", "1", "全额", "差额", "分散供养", "集中供养",
        "低保", "特困"}
_TYPE = re.compile(r"^[a-d一二三四甲乙丙]类$|^[一二三四]档$")  # A类 (norm_word lowered it), 一档: a type of 低保


def parse_status(value: Any, field: str) -> tuple[bool, dt.date | None]:
    """(has the status, since when or None) from a yes/no cell, a type (A类) or a date."""
    if isinstance(value, (dt.date, dt.datetime)):
        return True, value.date() if isinstance(value, dt.datetime) else value
    text = norm_word(str(value))
    if text in _NO:
        return False, None
    if text in _YES or _TYPE.match(text):
        return True, None
    try:
        when = parse_date(value, field)
    except ValidationError:
        when = None
    if isinstance(when, dt.date):
        return True, when
    if isinstance(when, tuple):
        return True, dt.date(when[0], when[1], 1)
    raise ValidationError(field, _("Write 是 or 否, or the date the status began (2024-03-01), not {value}.").format(
        value=value))


_SUBSIDY_WORDS = {
    "生活补贴": ("living_subsidy",), "困难残疾人生活补贴": ("living_subsidy",), "生活": ("living_subsidy",),
    "护理补贴": ("care_subsidy",), "重度残疾人护理补贴": ("care_subsidy",), "护理": ("care_subsidy",),
    "两项补贴": ("living_subsidy", "care_subsidy"), "两项": ("living_subsidy", "care_subsidy"),
    "都有": ("living_subsidy", "care_subsidy"), "均享受": ("living_subsidy", "care_subsidy"),
    "living subsidy": ("living_subsidy",), "care subsidy": ("care_subsidy",),
    "living_subsidy": ("living_subsidy",), "care_subsidy": ("care_subsidy",),
}
_SPLIT = re.compile(r"[、,，/;；+＋]+|\s+")


def parse_subsidies(value: Any, field: str = "_subsidies") -> list[str]:
    """The subsidies a 两项补贴 cell says are received ("生活补贴、护理补贴", "护理补贴", "无")."""
    text = unicodedata.normalize("NFKC", str(value))
    whole = norm_word(text)
    if whole in _NO:
        return []
    parts = [whole] if whole in _SUBSIDY_WORDS else [p for p in _SPLIT.split(text) if p]
    found: list[str] = []
    unknown = []
    for part in parts:
        kinds = _SUBSIDY_WORDS.get(norm_word(part))
        if kinds is None:
            unknown.append(part)
        else:
            found += kinds
    if unknown:
        raise ValidationError(field, _("Unknown subsidy: {words}. Write 生活补贴, 护理补贴, 两项补贴 (both) or 无 (none).").format(
            words="、".join(unknown)))
    return list(dict.fromkeys(found))


_KINDS = {"视力": 1, "听力": 2, "言语": 3, "语言": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DISABILITY = re.compile(r"^(?:(?P<k1>视力|听力|言语|语言|肢体|智力|精神|多重)(?:残疾)?(?P<g1>[一二三四1234])级?"
                         r"|(?P<g2>[一二三四1234])级(?P<k2>视力|听力|言语|语言|肢体|智力|精神|多重)(?:残疾)?)(?:残疾)?$")


def parse_disability(value: Any, field: str = "_disability") -> tuple[int, int]:
    """(card category 1-7, grade 1-4) from 肢体二级, 智力 三级, 二级精神残疾 ..."""
    text = re.sub(r"[\s/、,，]", "", unicodedata.normalize("NFKC", str(value)))
    m = _DISABILITY.match(text)
    if not m:
        raise ValidationError(field, _("Write the disability as kind and grade, e.g. 肢体二级 or 智力三级, not {value}.").format(
            value=value))
    kind, grade = m.group("k1") or m.group("k2"), m.group("g1") or m.group("g2")
    return _KINDS[kind], _GRADES[grade]

"""What a roster's columns and cells mean: headers, categories, sex, risk, dates.

Township lists are typed by hand in Excel or WPS, so every table here holds the
variants people really write (身份证号 / 身份证号码 / 公民身份号码 ...). Lookups go
through `norm_header` / `norm_word`: NFKC (full-width letters, digits and
brackets become ASCII), no spaces, no asterisks or colons, lower case.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as _list_field
from functools import cache
from typing import Any

from storage.core.china_day import china_today
from storage.core.dates import DateProblem, parse_typed_date, year_month
from storage.core.errors import ValidationError
from storage.core.i18n import N_, _
from storage.core.text import typed_text
from storage.register.field_labels import FIELD_LABELS as RESIDENT_LABELS

# field -> header variants (normalised on use). Fields starting with "_" are read but not resident fields.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "儿童姓名", "老人姓名", "name", "full name"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码", "证件号",
                  "id number", "id no", "id", "id card"),
    "sex": ("性别", "sex", "gender"),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日", "birth date", "date of birth", "birthday", "dob"),
    "phone": ("联系电话", "手机号", "手机号码", "电话", "电话号码", "手机", "本人电话", "phone", "mobile", "telephone"),
    "_grid": ("所属网格", "网格", "网格名称", "grid"),
    "_village": ("村(社区)", "村社区", "村", "社区", "村居", "所属村", "所属村(社区)", "村(居)", "village"),
    "_categories": ("人员类别", "类别", "类型", "人员类型", "重点人员类别", "对象类别", "category", "categories"),
    "guardian_name": ("监护人", "监护人姓名", "guardian", "guardian name"),
    "guardian_phone": ("监护人电话", "监护人联系电话", "监护人手机", "监护人手机号", "guardian phone"),
    "guardian_relation": ("与被监护人关系", "监护关系", "关系", "与监护人关系", "监护人关系", "relation",
                          "guardian relation"),
    "father_name": ("父亲姓名", "父亲", "father", "father name"),
    "_father_status": ("父亲状态", "父亲情况", "父亲去向", "father status"),
    "mother_name": ("母亲姓名", "母亲", "mother", "mother name"),
    "_mother_status": ("母亲状态", "母亲情况", "母亲去向", "mother status"),
    "disability_card": ("残疾证号", "残疾证号码", "残疾证", "disability card", "disability card number"),
    "_disability_category": ("残疾类别", "残疾类型", "disability category", "disability type"),
    "_disability_grade": ("残疾等级", "残疾级别", "disability grade"),
    "_disability": ("残疾类别/等级", "残疾类别及等级", "残疾类别和等级", "残疾类别等级", "残疾类型及等级", "残疾情况",
                    "disability"),
    "_risk": ("风险等级", "风险", "预警等级", "risk", "risk level"),
    # benefits (issue #15): each a yes/no cell, or the date the status began
    "_dibao": ("低保", "是否低保", "低保对象", "低保户", "低保情况", "是否低保对象", "dibao"),
    "_tekun": ("特困", "是否特困", "特困人员", "特困供养", "是否特困人员", "tekun"),
    "_dibao_edge": ("低保边缘", "低保边缘家庭", "是否低保边缘家庭", "低保边缘户"),
    "_low_income": ("低收入", "低收入人口", "低收入家庭", "是否低收入人口"),
    "_expenditure_hardship": ("支出型困难家庭", "支出型贫困", "支出型困难"),
    "_subsidies": ("两项补贴", "残疾人两项补贴", "享受两项补贴", "两项补贴情况", "残疾人补贴", "subsidies"),
    "helper_name": ("结对帮扶人", "帮扶人", "结对帮扶人姓名", "帮扶人姓名", "结对关爱人", "结对人", "paired helper"),
    "helper_phone": ("帮扶人电话", "结对帮扶人电话", "帮扶人联系电话", "帮扶人手机", "结对人电话", "helper phone"),
    "helper_unit": ("帮扶单位", "帮扶人单位", "结对帮扶单位", "帮扶人工作单位", "结对单位", "helper unit"),
    "_helper_since": ("结对时间", "结对日期", "帮扶时间", "结对开始时间", "结对帮扶时间", "paired since"),
    "address": ("家庭住址", "住址", "地址", "现住址", "居住地址", "家庭地址", "address"),
    "_notes": ("备注", "说明", "notes", "note", "remarks"),
    # columns that carry nothing to import: a running number, an age (derived from the birth date)
    # the day the resident became a key person: without the column, the day of the import
    "registered_on": ("纳入日期", "纳入关爱日期", "纳入时间", "登记日期", "登记时间", "建档日期", "建档时间",
                      "录入日期", "registered on", "registration date", "date registered"),
    "_skip": ("序号", "编号", "no", "no.", "#", "年龄", "age"),
}

# a roster column that feeds a resident field through a parser -> that field (its label is the field's)
PARSED_INTO = {"_grid": "grid_code", "_village": "village_code", "_categories": "categories",
               "_helper_since": "helper_since",
               "_father_status": "father_status", "_mother_status": "mother_status",
               "_disability_category": "disability_category", "_disability_grade": "disability_grade",
               "_risk": "risk_level", "_notes": "notes"}
# columns that feed no single resident field: benefit records, or two fields at once (issue #15)
OWN_LABELS: dict[str, str] = {
    "_disability": N_("Disability category and grade"),
    "_dibao": N_("Minimum living allowance recipient"), "_tekun": N_("Extreme poverty support recipient"),
    "_dibao_edge": N_("Marginal low-income family"), "_low_income": N_("Low-income population"),
    "_expenditure_hardship": N_("Expenditure-type hardship family"), "_subsidies": N_("Disability subsidies"),
}
# each roster column's label: the field it feeds (storage/register/field_labels.py), or what it is
FIELD_LABELS: dict[str, str] = {
    **{key: RESIDENT_LABELS[PARSED_INTO.get(key, key)] for key in HEADERS if key not in ("_skip", *OWN_LABELS)},
    **OWN_LABELS,
    "_skip": N_("(not imported)"),
}
# benefit columns -> the benefit kind a "yes" records (storage/register/categories.py BENEFIT_KINDS)
BENEFIT_COLUMNS = {"_dibao": "dibao", "_tekun": "tekun", "_dibao_edge": "dibao_edge", "_low_income": "low_income",
                   "_expenditure_hardship": "expenditure_hardship"}

_DROP = re.compile(r"[\s*:]|\((必填|选填|必选|可选)\)")


def norm_header(text: Any) -> str:
    if text is None:
        return ""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text))).lower()


def norm_word(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().lower()


_HEADER_INDEX = {norm_header(v): field for field, variants in HEADERS.items() for v in variants}


def field_for_header(header: Any) -> str | None:
    return _HEADER_INDEX.get(norm_header(header))


# category words -> ("category", code) / ("flag", code) / ("subtype", code)
_CATEGORY_WORDS: dict[str, tuple[tuple[str, str], ...]] = {}


def _words(kinds: tuple[tuple[str, str], ...], *words: str) -> None:
    for w in words:
        _CATEGORY_WORDS[norm_word(w)] = kinds


_words((("category", "left_behind_child"),), "留守儿童", "农村留守儿童", "left-behind child", "left_behind_child")
_words((("category", "child_in_difficulty"),), "困境儿童", "child in difficulty", "child_in_difficulty")
_words((("category", "child_in_difficulty"), ("subtype", "orphan")), "孤儿", "orphan")
_words((("category", "child_in_difficulty"), ("subtype", "de_facto_unsupported")),
       "事实无人抚养儿童", "事实无人抚养", "de facto unsupported child")
_words((("subtype", "poverty"),), "家庭贫困", "贫困家庭儿童", "因贫困境")
_words((("subtype", "disability"),), "自身残疾", "残疾儿童", "因残困境")
_words((("subtype", "guardianship"),), "监护缺失", "监护不当", "监护缺失或不当", "因监护困境")
_words((("category", "solitary_elder"),), "独居老年人", "独居老人", "独居", "elder living alone", "solitary_elder")
_words((("category", "empty_nest_elder"),), "空巢老年人", "空巢老人", "空巢", "empty-nest elder", "empty_nest_elder")
_words((("category", "left_behind_elder"),), "留守老人", "农村留守老年人", "留守老年人", "农村留守老人",
       "left-behind elder", "left_behind_elder")
_words((("category", "severely_disabled"),), "重度残疾人", "重残", "重度残疾", "重残人员", "severely disabled",
       "severely_disabled")
_words((("category", "left_behind_woman"),), "留守妇女", "农村留守妇女", "left-behind woman", "left_behind_woman")
_words((("category", "widowed_childless_elder"),), "孤寡老人", "孤寡老年人", "孤寡", "widowed or childless elder",
       "widowed_childless_elder")
_words((("category", "seriously_ill"),), "重病患者", "重病", "大病", "重病人员", "大病患者", "大病重病", "重病大病",
       "大病重病患者", "重大疾病", "重大疾病患者", "seriously ill", "seriously_ill")
_words((("category", "disabled_3_4_intellectual_mental"),), "三、四级智力/精神残疾人", "三四级智力残疾人",
       "三四级精神残疾人", "三四级智力精神残疾人", "三四级智力残疾", "三四级精神残疾", "disabled_3_4_intellectual_mental")
# 高龄 is derived from the birth date: the word is understood and nothing is stored (a doubt is warned about)
_words((("derived", "advanced_age"),), "高龄", "高龄老人", "高龄老年人", "aged 80+", "oldest_old", "advanced_age")
# 低保 and 特困 in a category cell are dated statuses now: recorded as benefits, start unknown
_words((("benefit", "dibao"),), "低保", "低保户", "低保对象", "dibao")
_words((("benefit", "tekun"),), "特困", "特困人员", "特困供养", "特困供养人员", "五保", "五保户", "tekun")
_words((("benefit", "dibao_edge"),), "低保边缘", "低保边缘家庭", "低保边缘户")
_words((("benefit", "low_income"),), "低收入", "低收入人口", "低收入家庭")
_words((("flag", "disabled_care"),), "失能", "失能老人", "半失能", "needs daily care")
_words((("flag", "family_planning_special"),), "计生特殊家庭", "计划生育特殊家庭", "失独")

_CATEGORY_SPLIT = re.compile(r"[、,，/;；()\[\]]+|\s+")


@dataclass
class CategoryCell:
    """What a category cell says: categories, flags, child subtype, benefits, derived categories named."""

    categories: list[str] = _list_field(default_factory=list)
    flags: list[str] = _list_field(default_factory=list)
    subtype: str | None = None
    benefits: list[str] = _list_field(default_factory=list)
    derived: list[str] = _list_field(default_factory=list)


def read_categories(text: str, field: str = "_categories") -> CategoryCell:
    """A cell such as "留守儿童、低保" or "困境儿童（孤儿）"."""
    cell = CategoryCell()
    lists = {"category": cell.categories, "flag": cell.flags, "benefit": cell.benefits, "derived": cell.derived}
    for kind, code in _category_kinds(text, field):
        if kind == "subtype":
            cell.subtype = code
        else:
            lists[kind].append(code)
    if cell.subtype and "child_in_difficulty" not in cell.categories:
        cell.categories.append("child_in_difficulty")
    for name in ("categories", "flags", "benefits", "derived"):
        setattr(cell, name, list(dict.fromkeys(getattr(cell, name))))
    return cell


def parse_categories(text: str, field: str = "_categories") -> tuple[list[str], list[str], str | None]:
    """(categories, flags, child subtype) from a cell such as "留守儿童、困境儿童" or "困境儿童（孤儿）"."""
    cell = read_categories(text, field)
    return cell.categories, cell.flags, cell.subtype


@cache  # once, at the first cell read (not at import: the catalogs are read then)
def _label_words() -> dict[str, tuple[tuple[str, str], ...]]:
    """Every category as the app names it on screen and in its reports, in each of its languages: a roster
    written in the plans' words (独居老年人, 三、四级智力/精神残疾人), or copied from our own workbook, reads back."""
    from storage.core.i18n import LANGUAGES, translations
    from storage.register.categories import CATEGORIES

    for lang in LANGUAGES:
        for code, msgid in CATEGORIES.items():
            _CATEGORY_WORDS.setdefault(norm_word(translations(lang).gettext(msgid)), (("category", code),))
    return _CATEGORY_WORDS


def _category_kinds(text: str, field: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    unknown: list[str] = []
    words = _label_words()
    whole = words.get(norm_word(text))  # English labels contain spaces
    if whole:
        return list(whole)
    rest = norm_word(text)
    # words holding a separator of their own (三、四级智力/精神残疾人) stand in the cell as one token before it is
    # split, so that the cell's order is kept
    held: dict[str, tuple[tuple[str, str], ...]] = {}
    for word in sorted((w for w in words if _CATEGORY_SPLIT.search(w)), key=len, reverse=True):
        if word in rest:
            token = f"§{len(held)}§"
            held[token] = words[word]
            rest = rest.replace(word, f"、{token}、")
    parts = [p for p in _CATEGORY_SPLIT.split(rest) if p]
    for part in parts:
        kinds = held.get(part) or words.get(norm_word(part))
        if kinds is None:
            unknown.append(part)
            continue
        found += kinds
    if unknown:
        raise ValidationError(field, _("Unknown category: {words}. Write 农村留守儿童, 困境儿童, 农村留守妇女, 独居老年人, "
                                       "空巢老年人, 农村留守老年人, 孤寡老年人, 重度残疾人, 三、四级智力/精神残疾人 or 重病患者 "
                                       "(several separated by 、), and statuses such as 低保, 特困.").format(
            words="、".join(unknown)))
    return found


_SEX = {"男": "M", "男性": "M", "m": "M", "male": "M", "女": "F", "女性": "F", "f": "F", "female": "F"}


def parse_sex(text: str, field: str = "sex") -> str:
    code = _SEX.get(norm_word(text))
    if code is None:
        raise ValidationError(field, _("Sex is 男 or 女 (M or F), not {value}.").format(value=text))
    return code


_RISK = {
    "紧急": "emergency", "红": "emergency", "红色": "emergency", "一级": "emergency", "emergency": "emergency",
    "red": "emergency",
    "高": "high", "橙": "high", "橙色": "high", "高风险": "high", "high": "high", "orange": "high",
    "中": "medium", "黄": "medium", "黄色": "medium", "中风险": "medium", "medium": "medium", "yellow": "medium",
    "低": "low", "绿": "low", "绿色": "low", "低风险": "low", "low": "low", "green": "low", "无": "low",
}


def parse_risk(text: str, field: str = "_risk") -> str:
    code = _RISK.get(norm_word(text))
    if code is None:
        raise ValidationError(field, _("Risk level is 紧急 (red), 高 (orange), 中 (yellow) or 低 (green), not {value}.").format(value=text))
    return code


_PARENT = {
    "在家": "home", "在家务农": "home", "在本地": "home", "home": "home", "at home": "home",
    "外出务工": "away", "外出": "away", "务工": "away", "外地务工": "away", "away": "away", "working away": "away",
    "重病": "ill", "重残": "ill", "残疾": "ill", "重病重残": "ill", "ill": "ill",
    "去世": "deceased", "死亡": "deceased", "已故": "deceased", "deceased": "deceased",
    "不详": "unknown", "未知": "unknown", "失联": "unknown", "unknown": "unknown",
}


def parse_parent_status(text: str, field: str) -> str:
    code = _PARENT.get(norm_word(text))
    if code is None:
        raise ValidationError(field, _("Write the parent's situation as 在家, 外出务工, 重病重残, 去世 or 不详, not {value}.").format(value=text))
    return code


_DISABILITY_CATEGORY = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
_GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_disability_category(value: Any, field: str = "_disability_category") -> int:
    text = norm_word(str(value)).removesuffix("残疾")
    if text.isdigit() and 1 <= int(text) <= 7:
        return int(text)
    if text in _DISABILITY_CATEGORY:
        return _DISABILITY_CATEGORY[text]
    raise ValidationError(field, _("Disability category is 视力, 听力, 言语, 肢体, 智力, 精神 or 多重 (or 1 to 7)."))


def parse_disability_grade(value: Any, field: str = "_disability_grade") -> int:
    text = norm_word(str(value)).removesuffix(".0").removesuffix("级").removeprefix("grade").strip()
    grade = _GRADE_WORDS.get(text)
    if grade is None:
        raise ValidationError(field, _("Disability grade is 一级 to 四级 (1 to 4)."))
    return grade


EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (it counts 1900-02-29, which never was)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any, field: str = "birth_date") -> dt.date | tuple[int, int]:
    """A date from a date cell, an Excel serial or Chinese date text; (year, month) for 出生年月 like 2015.06."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 10_000_000 <= value < 100_000_000 and float(value).is_integer():
            value = str(int(value))  # 20150601 typed as a number
        elif 1 <= value < 200_000:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        else:
            value = str(value)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    text = re.sub(r"(\d)T?\d{1,2}:\d{2}(:\d{2})?$", r"\1", text)  # a time after the date
    month = year_month(text)  # the shapes a year-month field on screen takes (storage/core/dates.py)
    if month is not None and 1 <= month[1] <= 12:
        return month
    try:  # the same parser as every date field on screen (storage/core/dates.py), the year required
        day = parse_typed_date(text, china_today(), needs_year=True)
    except DateProblem as problem:
        if any(pattern.match(text) for pattern in _DATE_PATTERNS):
            raise ValidationError(field, problem.message) from None  # a date's shape, an impossible day
        day = None
    if day is not None:
        return day
    raise ValidationError(field, _("Not a date: {value}. Write it as 2015-06-01, 2015/6/1 or 2015年6月1日.").format(value=value))


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", the rest as a form stores what is typed (storage/core/text.py
    typed_text: an address's full-width brackets kept). A cell read as a code (ID number, phone, date, sex,
    category) is made half-width by its own parser, as the form's field is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows a logical cell
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return typed_text(value)


def id_cell_text(value: Any) -> str:
    """An ID number cell; a number stored by a spreadsheet keeps its telltale form, for the check to name it."""
    if isinstance(value, float):
        return repr(value).upper() if not value.is_integer() or abs(value) >= 1e15 else str(int(value))
    text = cell_text(value)
    if text.startswith('="') and text.endswith('"') and len(text) > 3:
        return text[2:-1]  # ="110105...": how CSV files (ours among them) keep a long number as text in Excel
    return text

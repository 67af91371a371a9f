"""Resident ID numbers (GB 11643), disability cards, phone numbers, masking.

The check character is computed here (ISO 7064 MOD 11-2). Region codes are
never checked: elderly people carry numbers of retired regions, and numbers
issued before a region existed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass

from storage.core.errors import ValidationError
from storage.core.i18n import N_, _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# The brief said "not before 1890", but GB 11643's own public example 440524188001010014
# was born in 1880, and old registers still carry such people: only refuse the absurd.
EARLIEST_BIRTH = dt.date(1850, 1, 1)

DISABILITY_CATEGORIES: dict[int, str] = {
    1: N_("Visual"),
    2: N_("Hearing"),
    3: N_("Speech"),
    4: N_("Physical"),
    5: N_("Intellectual"),
    6: N_("Mental"),
    7: N_("Multiple"),
}
DISABILITY_GRADES: dict[int, str] = {1: N_("Grade 1"), 2: N_("Grade 2"), 3: N_("Grade 3"), 4: N_("Grade 4")}


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" | "F"
    upgraded_from_15: bool = False


@dataclass(frozen=True)
class DisabilityCard:
    number: str
    id_number: str
    category: int
    grade: int
    severe: bool = dataclasses.field(init=False)  # grade 1 or 2; derived, never passed in

    def __post_init__(self) -> None:
        object.__setattr__(self, "severe", self.grade in (1, 2))


def _clean(raw: str) -> str:
    # full-width digits and letters (ＩＤ from a Chinese input method) become ASCII
    return "".join(unicodedata.normalize("NFKC", str(raw)).split()).upper()


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _birth(digits: str, field: str, today: dt.date | None) -> dt.date:
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(field, _("The birth date inside the ID number ({digits}) is not a real date: check digits 7 to 14.").format(digits=digits)) from None
    if born > (today or LATEST_BIRTH) or born < EARLIEST_BIRTH:
        raise ValidationError(field, _("The birth date inside the ID number ({date}) is impossible: check digits 7 to 14.").format(date=born.isoformat()))
    return born


def _excel_error(field: str) -> ValidationError:
    return ValidationError(field, _("This ID number was stored as a number in a spreadsheet (scientific notation) and has lost its last digits: format the column as text and type the numbers again."))


def parse_id_number(raw: str, field: str = "id_number", *, today: dt.date | None) -> IdInfo:
    """The number normalised (full-width characters, spaces, lowercase x; a 15-digit card upgraded), its birth
    date and sex; ValidationError naming `field` when it cannot be a resident's ID number.

    `today` is the app's day (a fixed one in tests and the demo), never the computer's clock: a birth after
    it is refused. None where only the number's shape matters (looking a resident up, matching a roster's
    rows): then the birth is bounded by the fixed dates every bundle is checked against (is_id_number).
    """
    text = _clean(raw)
    if re.search(r"E[+-]?\d+$", text) or re.fullmatch(r"\d+\.\d*", text):
        raise _excel_error(field)
    if len(text) == 15 and not text.isdigit():
        raise ValidationError(field, _("An old 15-character ID number has digits only."))
    if len(text) == 15:
        number = as_stored(text)
        born = _birth(number[6:14], field, today)
        return IdInfo(number, born, "M" if int(number[16]) % 2 else "F", upgraded_from_15=True)
    if len(text) != 18:
        raise ValidationError(field, _("An ID number has 18 characters (or 15 for old cards); this one has {n}.").format(n=len(text)))
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise ValidationError(field, _("An ID number is 17 digits and a last digit or X."))
    born = _birth(text[6:14], field, today)
    expected = check_char(text[:17])
    if text[17] != expected:
        if text.endswith("000"):
            # Excel keeps 15 significant digits: 330106200101011234 comes back as 330106200101011000
            raise _excel_error(field)
        raise ValidationError(field, _("The ID number's check character should be {expected}, not {got}: check the last digits.").format(expected=expected, got=text[17]))
    return IdInfo(text, born, "M" if int(text[16]) % 2 else "F")


# as stored: 17 digits and a check character (a 15-digit card is stored upgraded)
_STORED_ID = re.compile(r"[0-9]{17}[0-9X]")
LATEST_BIRTH = dt.date(2099, 12, 31)  # a fixed bound, never "today": see is_id_number


def is_id_number(number: str) -> bool:
    """Whether a stored ID number is one: its shape, its check character, a real birth date.

    For values from other devices (a merge): the same answer on every computer whatever its
    date, so the birth date is bounded by fixed dates, not by today. Region codes are never
    checked, and births back to EARLIEST_BIRTH are accepted (elderly people carry such numbers).
    """
    if not _STORED_ID.fullmatch(number) or check_char(number[:17]) != number[17]:
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return EARLIEST_BIRTH <= born <= LATEST_BIRTH


def is_disability_card(number: str) -> bool:
    """Whether a stored disability card number is one: an ID number, a category 1-7, a grade 1-4."""
    return (len(number) == 20 and is_id_number(number[:18]) and number[18:].isdigit()
            and int(number[18]) in DISABILITY_CATEGORIES and int(number[19]) in DISABILITY_GRADES)


def as_stored(raw: str) -> str:
    """An ID number as it is stored, without checking it: cleaned, and an old 15-digit card upgraded to the
    18-character number a disability card was issued on (the form compares the two while they are typed)."""
    text = _clean(raw)
    if len(text) == 15 and text.isdigit():
        first17 = text[:6] + "19" + text[6:]
        return first17 + check_char(first17)
    return text


def parse_disability_card(raw: str, id_number: str | None = None, *, today: dt.date | None) -> DisabilityCard:
    """The card's number, whose ID number it is, the category and grade; `today` as parse_id_number's."""
    field = "disability_card"
    text = _clean(raw)
    if len(text) != 20:
        raise ValidationError(field, _("A disability card number has 20 characters (the ID number, the category and the grade); this one has {n}.").format(n=len(text)))
    info = parse_id_number(text[:18], field, today=today)
    if not text[18:].isdigit() or int(text[18]) not in DISABILITY_CATEGORIES:
        raise ValidationError(field, _("Character 19 of a disability card is the category, 1 to 7."))
    if int(text[19]) not in DISABILITY_GRADES:
        raise ValidationError(field, _("Character 20 of a disability card is the grade, 1 to 4."))
    if id_number and as_stored(id_number) != info.number:
        raise ValidationError(field, _("The disability card does not belong to this ID number."))
    return DisabilityCard(text, info.number, int(text[18]), int(text[19]))


MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{9,11}$")  # area code 0xx/0xxx + 7-8 digits
LANDLINE_DASHED = re.compile(r"^(0\d{2,3})-(\d{7,8})$")
_AREA_MARKED = re.compile(r"^(?:\((0\d{2,3})\)|(0\d{2,3})\s)\s*(?=\d)")


def normalize_phone(raw: str, field: str = "phone") -> str:
    """A mobile as 11 digits; a landline as digits, with one dash after the area code if typed."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not text:
        return ""
    marked = _AREA_MARKED.match(text)
    if marked and not re.search(r"[-—–]", text):
        # "0571 8698 7654", "(0571)86987654": the area code set apart as a dash sets it apart
        text = f"{marked.group(1) or marked.group(2)}-{text[marked.end():]}"
    compact = re.sub(r"[\s()（）]", "", text).replace("—", "-").replace("–", "-")
    compact = re.sub(r"^(\+86|0086)-?", "", compact)
    digits = compact.replace("-", "")
    if len(digits) == 13 and digits.startswith("861"):  # 86 without the plus
        digits = digits[2:]
    if MOBILE.match(digits):
        return digits
    if "-" in compact:
        # the area code is where the user put the first dash (010-, 0571-); the rest may be grouped
        area, _dash, rest = compact.partition("-")
        m = LANDLINE_DASHED.match(f"{area}-{rest.replace('-', '')}")
        if m:
            return f"{m.group(1)}-{m.group(2)}"
    elif LANDLINE.match(digits):
        # without a dash 01088888888 could be 010 or 0108: keep the digits as typed
        return digits
    raise ValidationError(field, _("A phone number is an 11-digit mobile (1xx xxxx xxxx) or a landline with its area code (0xxx-xxxxxxx)."))


def mask_id(number: str | None) -> str:
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def fake_id_number(rng: random.Random, birth_date: dt.date, sex: str, region: str) -> str:
    """A valid number for the demo data: region + birth date + sequence with the right parity."""
    if not (len(region) >= 6 and region[:6].isdigit()):
        raise ValueError(f"region must start with a 6-digit code, not {region!r}")
    seq = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
    first17 = f"{region[:6]}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)

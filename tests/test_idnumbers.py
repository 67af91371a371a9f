"""GB 11643 ID numbers, disability cards, phones and masks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from storage.core.errors import ValidationError
from storage.register.idnumbers import (
    check_char,
    fake_id_number,
    mask_id,
    normalize_phone,
    parse_disability_card,
    parse_id_number,
)

TODAY = dt.date(2026, 11, 24)  # the app's day the numbers are read on


@pytest.mark.parametrize("number, born, sex", [
    ("11010519491231002X", dt.date(1949, 12, 31), "F"),
    ("440524188001010014", dt.date(1880, 1, 1), "M"),  # accepted although the region code is old
    ("360426199101010071", dt.date(1991, 1, 1), "M"),
])
def test_public_examples(number, born, sex):
    info = parse_id_number(number, today=TODAY)
    assert (info.number, info.birth_date, info.sex, info.upgraded_from_15) == (number, born, sex, False)


def test_lowercase_x_full_width_and_spaces_are_accepted():
    assert parse_id_number(" 110105 19491231 002x ", today=TODAY).number == "11010519491231002X"
    assert parse_id_number("110105\u300019491231\u3000002ｘ", today=TODAY).number == "11010519491231002X"
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ", today=TODAY).number == "11010519491231002X"


def test_fifteen_digit_numbers_are_upgraded():
    info = parse_id_number("110105491231002", today=TODAY)
    assert info.number == "11010519491231002X" and info.upgraded_from_15
    # by hand: 360426 + 19 + 910101007 ->
    # 3*7+6*9+0*10+4*5+2*8+6*4+1*2+9*1+9*6+1*3+0*7+1*9+0*10+1*5+0*8+0*4+7*2 = 231, 231 % 11 = 0 -> "1"
    info = parse_id_number("360426910101007", today=TODAY)
    assert (info.number, info.birth_date, info.sex) == ("360426199101010071", dt.date(1991, 1, 1), "M")
    with pytest.raises(ValidationError, match="digits only"):
        parse_id_number("36042691010100X", today=TODAY)


def test_birth_dates_before_1850_are_refused_but_1880_is_not():
    assert parse_id_number("440524188001010014", today=TODAY).birth_date.year == 1880
    first17 = "44052418490101001"
    with pytest.raises(ValidationError, match="impossible"):
        parse_id_number(first17 + check_char(first17), today=TODAY)


def test_wrong_check_character_says_which_it_should_be():
    with pytest.raises(ValidationError) as e:
        parse_id_number("110105194912310021", today=TODAY)
    assert "should be X, not 1" in e.value.message and e.value.field == "id_number"


def test_digits_zeroed_by_a_spreadsheet_are_named():
    # Excel keeps 15 significant digits: the last three come back as 000
    with pytest.raises(ValidationError, match="spreadsheet"):
        parse_id_number("360426199101010000", today=TODAY)


@pytest.mark.parametrize("raw, words", [
    ("3.30106E+17", "scientific notation"),
    ("3.30106e+17", "scientific notation"),
    ("3.30106E17", "scientific notation"),
    ("330106200101011000.0", "scientific notation"),
    ("1101051949123100", "has 16"),
    ("11010519491331002X", "not a real date"),
    ("11010520991231002X", "impossible"),
    ("1101051949123100AB", "17 digits"),
])
def test_bad_numbers_are_explained(raw, words):
    with pytest.raises(ValidationError) as e:
        parse_id_number(raw, today=TODAY)
    assert words in e.value.message


def test_check_char_matches_the_standard_weights():
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"


def test_disability_card_derives_category_grade_and_severity():
    card = parse_disability_card("11010519491231002X42", "11010519491231002x", today=TODAY)
    assert (card.category, card.grade, card.severe, card.id_number) == (4, 2, True, "11010519491231002X")
    assert dataclasses.asdict(card)["severe"] is True
    assert parse_disability_card(" 11010519491231002x71 ", today=TODAY).number == "11010519491231002X71"
    assert not parse_disability_card("11010519491231002X13", today=TODAY).severe
    for bad in ("11010519491231002X82", "11010519491231002X45", "11010519491231002X4",
                "11010519491231002X02", "11010519491231002X40", "11010519491231002142"):
        with pytest.raises(ValidationError) as e:
            parse_disability_card(bad, today=TODAY)
        assert e.value.field == "disability_card"
    with pytest.raises(ValidationError, match="does not belong"):
        parse_disability_card("11010519491231002X42", "360426199101010071", today=TODAY)


def test_phones():
    assert normalize_phone("+86 138-0013-8000") == "13800138000"
    assert normalize_phone("１３８００１３８０００") == "13800138000"
    assert normalize_phone("0571-88888888") == "0571-88888888"
    assert normalize_phone("０５７１－８８８８－８８８８") == "0571-88888888"
    assert normalize_phone("010-8888888") == "010-8888888"
    assert normalize_phone("01088888888") == "01088888888"  # 010 or 0108? keep the digits
    assert normalize_phone("0086 13800138000") == "13800138000"
    assert normalize_phone("8613800138000") == "13800138000"
    assert normalize_phone("138 0013 8000") == "13800138000"
    # the area code set apart by a space or brackets, as on a card: kept apart
    assert normalize_phone("0571 8698 7654") == "0571-86987654"
    assert normalize_phone("（0571）8698 7654") == "0571-86987654"
    assert normalize_phone("010 6234 5678") == "010-62345678"
    assert normalize_phone("0086 138 0013 8000") == "13800138000"
    assert normalize_phone("") == ""
    for bad in ("12345", "23800138000", "12800138000", "phone", "0571-123", "571-88888888"):
        with pytest.raises(ValidationError) as e:
            normalize_phone(bad)
        assert e.value.field == "phone"


def test_mask_keeps_four_and_four():
    assert mask_id("11010519491231002X") == "1101**********002X"
    assert mask_id("330106200101011234") == "3301**********1234"
    assert mask_id(None) == "" and mask_id("") == ""


def test_fake_numbers_round_trip():
    rng = random.Random(7)
    for _ in range(1000):
        born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 30000))
        sex = rng.choice("MF")
        info = parse_id_number(fake_id_number(rng, born, sex, "330521"), today=TODAY)
        assert (info.birth_date, info.sex) == (born, sex)
    with pytest.raises(ValueError):
        fake_id_number(rng, dt.date(1950, 1, 1), "M", "3305")


def test_the_birth_inside_a_number_is_checked_against_the_apps_day_not_the_computers():
    """parse_id_number takes the app's today: a birth the day after it is refused, on it accepted, whatever
    the computer's clock says (a fixed day far ahead of any clock, and one behind it); None: the fixed bounds."""
    ahead = dt.date(2099, 6, 1)
    number = fake_id_number(random.Random(5), dt.date(2099, 5, 30), "F", "330521")
    assert parse_id_number(number, today=ahead).birth_date == dt.date(2099, 5, 30)
    assert parse_disability_card(number + "42", today=ahead).id_number == number
    behind = fake_id_number(random.Random(5), dt.date(2026, 11, 25), "M", "330521")
    with pytest.raises(ValidationError):
        parse_id_number(behind, today=dt.date(2026, 11, 24))
    assert parse_id_number(behind, today=dt.date(2026, 11, 25)).birth_date == dt.date(2026, 11, 25)
    assert parse_id_number(behind, today=None).sex == "M"  # a lookup: the number's shape only

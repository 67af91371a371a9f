"""The English interface in English, one word per concept (GLOSSARY.md): no Chinese example in an English hint,
no pinyin for a benefit the glossary names in English, and a roster hint whose words the roster accepts."""

from __future__ import annotations

import re

import pytest

from storage.core.china_day import china_today
from storage.core.errors import ValidationError
from storage.core.i18n import set_language
from storage.roster.benefit_cells import parse_subsidies
from tools.i18n import extract

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def msgids() -> list[str]:
    ids = []
    for message in extract():
        if message.id:
            ids += [message.id] if isinstance(message.id, str) else list(message.id)
    return ids


def test_an_english_example_is_english(msgids):
    """"e.g. 县民政局社会救助科" in an English placeholder; a place as the setup screen gives it ("e.g. Xinshi town").
    A roster's hints name the Chinese words to write in its cells: those stay."""
    chinese_examples = [m for m in msgids if re.search(r"e\.g\. [\u4e00-\u9fff]", m) and "Write" not in m]
    assert chinese_examples == []


def test_the_minimum_living_allowance_is_named_in_english(msgids):
    """低保 is "minimum living allowance" (GLOSSARY.md), not the pinyin "dibao" beside it in the same report."""
    assert [m for m in msgids if re.search(r"\b(dibao|tekun)\b", m, re.IGNORECASE)] == []


def test_the_words_a_roster_hint_suggests_are_words_the_roster_accepts():
    set_language("en")
    with pytest.raises(ValidationError) as hint:
        parse_subsidies("月饼")
    message = hint.value.message
    suggested = re.search(r"Write (.*)\.$", message).group(1)
    words = [re.sub(r"\s*\(.*?\)", "", w).strip() for w in re.split(r",\s*|\s+or\s+", suggested)]
    assert len(words) >= 4, words
    for word in words:
        parse_subsidies(word)  # raises for a word the hint suggests and the roster refuses ("both")


def test_the_devices_screen_says_a_bundles_day_as_the_lists_do():
    """"12/5/26 (no. 1)" on the Devices screen, which every list around it says as "Dec 5"."""
    import datetime as dt
    from types import SimpleNamespace

    from tui.texts import device_rows

    noon = dt.datetime(china_today().year, 3, 5, 12, 0, tzinfo=dt.timezone.utc)  # Mar 5 in any zone
    view = SimpleNamespace(status="approved", other_keys=(), device_id="761563c6", grid_code="G01", unit_name="",
                           worker="吴艳", fingerprint="d89c f84d", first_seen=noon, first_seq=1, last_seen=noon,
                           last_seq=2)
    set_language("en")
    assert device_rows([view], screen=True)[0][-1] == "Mar 5 (no. 2)"
    set_language("zh_CN")
    try:
        assert device_rows([view], screen=True)[0][-1].startswith("3月5日")
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_duplicates_reason_leaves_room_for_both_people_at_80_columns(lang):
    """The Duplicates screen's Why column is first; at 80 columns two "白阿根 · 青山村第二网格" (23 cells each) and the
    padding leave it 26 cells. "Same name, birth date and village" (33) cut the second person to "白阿根 · 青山村第"."""
    from rich.cells import cell_len

    from storage.register.categories import label
    from storage.register.duplicates import REASONS

    set_language(lang)
    try:
        assert [r for r in REASONS if cell_len(label(REASONS, r)) > 26] == []
    finally:
        set_language("en")

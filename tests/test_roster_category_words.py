"""A roster's category cell reads every category as the app itself names it, in each of its languages.

Seen in a walk: a roster that said 独居老年人 (the plans' word, and the app's own label on every screen and
report) was refused row by row, "Unknown category: 独居老年人. Write … 独居老人 …", and so was
三、四级智力/精神残疾人, split at its own 、 and /. A clerk who copies the categories from our workbook into
next year's roster could not import it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.core.errors import ValidationError
from storage.core.i18n import LANGUAGES, set_language, translations
from storage.register.categories import CATEGORIES
from storage.roster.columns import read_categories

SEPARATORS = {"zh_CN": ("、", "，", " "), "en": (", ", "; ")}


def _label(lang: str, code: str) -> str:
    return translations(lang).gettext(CATEGORIES[code])


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", sorted(CATEGORIES))
def test_each_label_alone_reads_back(lang, code):
    assert read_categories(_label(lang, code)).categories == [code]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(LANGUAGES), st.lists(st.sampled_from(sorted(CATEGORIES)), min_size=1, max_size=5, unique=True),
       st.data())
def test_several_labels_in_one_cell_read_back_in_their_order(lang, codes, data):
    separator = data.draw(st.sampled_from(SEPARATORS[lang]))
    cell = separator.join(_label(lang, code) for code in codes)
    assert read_categories(cell).categories == codes


@pytest.mark.parametrize("word", ["大病重病", "重病大病", "大病重病患者", "重大疾病患者", "重大疾病"])
def test_the_counties_words_for_the_seriously_ill_read_back(word):
    """A county's roster said 大病重病 (as its 救助 forms do) and every such row was refused as an unknown category."""
    assert read_categories(f"{word}、低保").categories == ["seriously_ill"]


def test_the_refusal_names_the_plans_words():
    with pytest.raises(ValidationError) as caught:
        read_categories("老弱病残")
    assert "独居老年人" in str(caught.value) and "三、四级智力/精神残疾人" in str(caught.value)


def test_a_chinese_report_lists_rows_and_columns_with_the_chinese_list_mark(tmp_path):
    """"第 3, 6 行的身份证号相同" and "更改：联系电话, 备注" — an English comma in Chinese sentences (seen in a walk)."""
    from storage.roster.importer import import_roster
    from tests.roster_helpers import good_rows, write_xlsx
    from tests.sync_helpers import make_township

    rows = good_rows()
    rows.append(list(rows[0]))  # the same person twice
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    worker = make_township(tmp_path).worker("王芳", "G01")
    set_language("zh_CN")
    try:
        report = import_roster(worker, path, dry_run=True)
        messages = [p.message for r in report.rows for p in r.problems if "身份证号相同" in p.message]
        assert messages and all("、" in m and ", " not in m for m in messages)
    finally:
        set_language("en")

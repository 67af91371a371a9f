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
from storage.core.i18n import LANGUAGES, translations
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


def test_the_refusal_names_the_plans_words():
    with pytest.raises(ValidationError) as caught:
        read_categories("老弱病残")
    assert "独居老年人" in str(caught.value) and "三、四级智力/精神残疾人" in str(caught.value)

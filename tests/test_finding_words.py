"""An emergency finding in words, on Home and in the report files, in each language.

Seen in a walk (English, township Home): "Emergency, Must be reported at once" — a list joined a label that
starts a sentence; the report files joined it with a Chinese 、 whatever the language.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from storage.core.i18n import set_language
from storage.register.emergencies import finding_words


@pytest.mark.parametrize(("lang", "both", "level", "report"), [
    ("en", "Emergency; to be reported at once", "Emergency", "Must be reported at once"),
    ("zh_CN", "紧急、须立即上报", "紧急", "须立即上报"),
])
def test_finding_words(lang, both, level, report):
    set_language(lang)
    try:
        assert finding_words(SimpleNamespace(emergency_level=True, mandatory=True)) == both
        assert finding_words(SimpleNamespace(emergency_level=True, mandatory=False)) == level
        assert finding_words(SimpleNamespace(emergency_level=False, mandatory=True)) == report
    finally:
        set_language("en")


def test_the_changes_of_an_assessment_are_joined_in_the_readers_language():
    from storage.reports.files import _changes

    worse = SimpleNamespace(changes=[SimpleNamespace(dimension="health", before=0, after=1),
                                     SimpleNamespace(dimension="housing", before=1, after=2)])
    text = _changes(worse)
    assert "、" not in text and text.count(", ") == 1 and text.startswith("Health: ")
    set_language("zh_CN")
    try:
        assert "、" in _changes(worse)
    finally:
        set_language("en")


def test_the_county_home_lists_missing_bundles_in_the_readers_language():
    import datetime as dt

    from screens.county_home import township_cells

    row = SimpleNamespace(visit_rate=0.5, last_bundle=None, missing=[2, 3, 5, 7, 8, 9], name="新市镇", code="330521101",
                          key_persons=10, visited=5, overdue=1, emergency_high=0)
    assert township_cells(row, dt.date(2026, 12, 2))[-1] == "2, 3, 5, 7, 8…"
    set_language("zh_CN")
    try:
        assert township_cells(row, dt.date(2026, 12, 2))[-1] == "2、3、5、7、8…"
    finally:
        set_language("en")

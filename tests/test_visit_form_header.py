"""The visit form's first line names the derived 高龄老年人 too, as the register and the resident's page do (walk F:
`江爱珍 · 独居老年人 · 风险：高` for a woman of 86, listed 独居老年人+1 in the register)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from screens.visit_values import who_text
from storage.core.i18n import set_language


def test_the_header_says_advanced_age_from_the_birth_date():
    her = SimpleNamespace(name="江爱珍", categories=["solitary_elder"], birth_date=dt.date(1940, 5, 1), risk_level="high")
    set_language("zh_CN")
    try:
        assert who_text(her, dt.date(2026, 12, 3)) == "江爱珍 · 独居老年人、高龄老年人 · 风险：高"
        young = SimpleNamespace(**{**vars(her), "birth_date": dt.date(1950, 5, 1)})
        assert who_text(young, dt.date(2026, 12, 3)) == "江爱珍 · 独居老年人 · 风险：高"
    finally:
        set_language("en")

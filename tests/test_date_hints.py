"""Every example a date field's hint gives is a date that field takes: a birth date's hint offered "11-30, or 30",
which a birth date refuses (it needs its year)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from textual.widgets import Input

from storage.core.dates import FIELD_TOWARDS, DateProblem, parse_field_date
from storage.core.i18n import set_language
from tests.foundation_helpers import make_db
from tests.pilot_helpers import run_async, started
from tui.app import make_app
from tui.date_input import DateInput

TODAY = dt.date(2026, 12, 2)


def _examples(hint: str) -> list[str]:
    """The dates a hint names: "e.g. A, B, or C" / "如 A、B 或 C"."""
    body = re.sub(r"^(e\.g\.|如)\s*", "", hint)
    parts = re.split(r"\s*(?:,\s*or\s|，\s*或只写|，\s*或|、|,|，|\s或\s|\sor\s)\s*", body)
    return [p.strip() for p in parts if p.strip()]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("field", sorted(FIELD_TOWARDS))
def test_each_example_of_a_date_fields_hint_is_taken_by_that_field(field, lang):
    set_language(lang)
    try:
        hint = DateInput(field=field).placeholder
        examples = _examples(hint)
        assert len(examples) >= 2, hint
        for example in examples:
            try:
                parse_field_date(field, example, TODAY)
            except DateProblem as problem:
                pytest.fail(f"{field}: the hint {hint!r} offers {example!r}, which it refuses: {problem.message}")
    finally:
        set_language("en")


@run_async
async def test_the_registration_forms_birth_date_hint_gives_a_year(tmp_path):
    db = make_db(tmp_path / "w.db")
    app = make_app(db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        from screens.resident_form import ResidentFormScreen

        await started(pilot, ResidentFormScreen)
        assert app.screen.query_one("#birth_date", Input).placeholder == "如 1950-03-12、1950年3月12日 或 19500312"

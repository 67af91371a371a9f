"""The six-dimension assessment's heading on the resident page: a trend once there are two to compare."""

from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

from rich.console import Console

from storage.core.i18n import set_language
from storage.register.categories import DIMENSIONS
from tui.assessment_view import assessment_renderable


def _assessed(day: dt.date, grade: str) -> SimpleNamespace:
    return SimpleNamespace(assessed_on=day, notes={}, id=str(day), **{dim: grade for dim in DIMENSIONS})


def _head(assessments) -> str:
    console = Console(width=120, record=True, file=open(os.devnull, "w", encoding="utf-8"))
    console.print(assessment_renderable(assessments, "low", lambda d: d.isoformat()))
    return console.export_text().splitlines()[0]


def test_one_assessment_says_it_is_the_first_not_a_trend_of_one():
    set_language("zh_CN")
    try:
        assert _head([_assessed(dt.date(2025, 12, 26), "mild")]).endswith("首次评估：下次评估起显示趋势")
        two = [_assessed(dt.date(2026, 6, 1), "moderate"), _assessed(dt.date(2025, 12, 26), "mild")]
        assert _head(two).endswith("近2次评估趋势")
    finally:
        set_language("en")

"""The conflict review names when each side was written: to the second when both fall in the same minute (h-walk:
both sides read "12月5日 09:14", and which came later could not be seen)."""

from __future__ import annotations

import datetime as dt

import pytest

from screens.conflicts import when
from storage.core.hlc import pack
from storage.core.i18n import set_language

NINE = int(dt.datetime(2026, 12, 5, 9, 14, 5, tzinfo=dt.timezone.utc).timestamp() * 1000)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_two_sides_of_one_minute_are_told_apart_by_their_seconds(lang):
    set_language(lang)
    first, second = pack(NINE, 0), pack(NINE + 40_000, 0)
    assert when(first, second) != when(second, first)
    assert when(first, second).count(":") == 2 and when(second, first).count(":") == 2


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_sides_of_different_minutes_keep_the_minute_alone(lang):
    set_language(lang)
    first, later = pack(NINE, 0), pack(NINE + 5 * 60_000, 0)
    assert when(first, later).count(":") == 1 and when(first, later) == when(first)

"""Home's lines under the bars (screens/home_progress.py): at 80×24 a township's alerts share a line, and every
key they name is shown whole.

At 80 columns the three alerts of a township were cut at the third one: "疑似重复（按 c，再按 d… 1".
"""

from __future__ import annotations

import datetime as dt

import pytest
from rich.console import Console

from screens.home_progress import progress_renderable
from storage.core.i18n import _, set_language
from storage.register.categories import SHOWN_CATEGORIES
from storage.register.home_rows import HomeData, Progress

COMPACT = ["Referrals late (tab 4)", "Conflicts (c)", "Duplicates? (c, d)", "Devices to approve (d)"]


def _township(**figures) -> HomeData:
    data = HomeData(dt.date(2026, 12, 2), "township", None, Progress("", 5817, 632),
                    by_category=[Progress(code, 500, 50) for code in SHOWN_CATEGORIES])
    data.counts["referrals_overdue"] = figures.get("late", 0)
    data.open_conflicts = figures.get("conflicts", 0)
    data.possible_duplicates = figures.get("dups", 0)
    data.devices_waiting = figures.get("waiting", 0)
    return data


def _lines(data: HomeData, compact: bool, width: int = 78) -> list[str]:
    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    console.print(progress_renderable(data, compact))
    return console.export_text().splitlines()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("figures", [dict(late=62, conflicts=3, dups=1), dict(late=62, conflicts=3, dups=1, waiting=2),
                                     dict(conflicts=12, dups=140), dict(late=5, waiting=1)])
def test_compact_alerts_are_whole(lang, figures):
    set_language(lang)
    lines = _lines(_township(**figures), compact=True)
    shown = [_(words) for words, key in zip(COMPACT, ["late", "conflicts", "dups", "waiting"], strict=True)
             if figures.get(key)]
    alert_lines = [line for line in lines if any(words in line for words in shown)]
    for words in shown:
        assert sum(words in line for line in lines) == 1, (words, lines)
    assert all("…" not in line for line in alert_lines), alert_lines
    # side by side: one line for up to three, two lines for four
    assert len(alert_lines) == (1 if len(shown) <= 3 else 2), alert_lines


def test_compact_leaves_out_what_is_zero():
    lines = _lines(_township(late=0, conflicts=0, dups=4), compact=True)
    assert not any("Conflicts" in line or "Referrals" in line for line in lines), lines
    assert any("Duplicates? (c, d)" in line and line.rstrip().endswith("4") for line in lines), lines


def test_roomy_home_keeps_every_alert_on_its_line():
    lines = _lines(_township(late=0, conflicts=0, dups=0), compact=False, width=100)
    for words in ("Conflicts to review (press c)", "Possible duplicates (c, then d)"):
        line = next(line for line in lines if words in line)
        assert line.rstrip().endswith("0"), line

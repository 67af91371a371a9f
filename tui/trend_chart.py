"""The 12-month visit rate as a chart in the terminal: one bar per month for everyone, a sparkline per grid.

Shared by the Reports screen and `gridcare report`. Built from storage.reports.trend.Trend;
the numbers beside the bars are the rates themselves. On the old Windows console
(storage.core.glyphs.plain) the block glyphs, drawn two cells wide there, become digits and '#'.
"""

from __future__ import annotations

from rich.text import Text

from storage.core.glyphs import plain
from storage.core.i18n import _

SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 30


def rate_style(rate: float | None) -> str:
    if rate is None:
        return "dim"
    return "green" if rate >= 0.95 else "yellow" if rate >= 0.8 else "red"


def rate_bar(rate: float | None, width: int = BAR_WIDTH) -> str:
    """A bar of eighth-blocks: 0.86 -> '█████████████████████████▊    '."""
    if rate is None:
        return " " * width
    if plain():  # the old console draws the blocks two cells wide (storage/core/glyphs.py)
        return ("#" * round(max(0.0, min(1.0, rate)) * width)).ljust(width)
    eighths = round(max(0.0, min(1.0, rate)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")).ljust(width)


SPARK_FLOOR = 0.5  # a grid's cells run from 50% (the lowest block) to 100%: the rates that matter differ there


def spark(rate: float | None) -> str:
    """One month in one cell: a block as tall as the rate between 50% and 100% (a digit, tenths, on the old console)."""
    if rate is None:
        return " "
    rate = max(0.0, min(1.0, rate))
    if plain():
        return "X" if rate >= 1 else str(int(rate * 10))
    level = (max(rate, SPARK_FLOOR) - SPARK_FLOOR) / (1 - SPARK_FLOOR)
    return SPARKS[min(len(SPARKS) - 1, int(level * len(SPARKS)))]


def trend_text(trend, percent, month_label, width_of) -> Text:
    """The chart: `percent(rate)` and `month_label(year, month)` format; `width_of(text)` counts cells."""
    text = Text()
    months = [month_label(y, m) for y, m in trend.months]
    label_width = max(width_of(m) for m in months)
    text.append(_("Visit rate by month, everyone") + "\n", style="bold")
    if trend.mixed:
        from storage.reports.trend import POLICY_CHANGED

        text.append(_(POLICY_CHANGED) + "\n", style="dim")
    for label_text, rate in zip(months, trend.total.rates, strict=True):
        text.append(label_text + " " * (label_width - width_of(label_text) + 1))
        text.append(rate_bar(rate), style=rate_style(rate))
        text.append(f" {percent(rate) if rate is not None else '-'}\n")
    if len(trend.rows) > 1 or (trend.rows and trend.rows[0].key):
        text.append("\n" + _("Per grid, one cell a month from {first} to {last} (the lowest block: 50% or less)").format(
            first=months[0], last=months[-1]) + "\n", style="bold")
        names = [r.label for r in trend.rows]
        name_width = max((width_of(n) for n in names), default=0)
        for row, name in zip(trend.rows, names, strict=True):
            text.append(name + " " * (name_width - width_of(name) + 1))
            for rate in row.rates:
                text.append(spark(rate), style=rate_style(rate))
            last = row.rates[-1] if row.rates else None
            text.append(f" {percent(last) if last is not None else '-'}\n")
    return text

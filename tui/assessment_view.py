"""The six-dimension assessment as the resident page shows it: the latest grade per dimension, a trend of one
cell per assessment (▁ 无困难 ▃ 轻度 ▅ 中度 █ 重度 · 不适用; digits on the old Windows console), and the
suggestion to review the risk level (storage/register/assessments.py decides when)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from storage.core.i18n import _, ngettext
from storage.register.assessments import DIMENSIONS, GRADES, Worsening, review_reasons, trend

GRADE_STYLES = {"none": "green", "mild": "yellow", "moderate": "dark_orange", "severe": "bold red", "na": "dim"}
SPARK = {"none": "▁", "mild": "▃", "moderate": "▅", "severe": "█", "na": "·"}
SPARK_PLAIN = {"none": "0", "mild": "1", "moderate": "2", "severe": "3", "na": "-"}  # the old console: no blocks


def sparkline(grades: list[str | None]) -> Text:
    """One cell per assessment, oldest first."""
    from storage.core.glyphs import plain

    marks = SPARK_PLAIN if plain() else SPARK
    text = Text()
    for grade in grades:
        text.append(marks.get(grade or "", " "), style=GRADE_STYLES.get(grade or "", ""))
    return text


def review_text(reasons: list[Worsening]) -> str:
    parts = []
    for w in reasons:
        if w.before in GRADES:
            parts.append(_("{dimension}: {before} to {after}").format(
                dimension=_(DIMENSIONS[w.dimension]), before=_(GRADES[w.before]), after=_(GRADES[w.after])))
        else:
            parts.append(_("{dimension}: {after}").format(dimension=_(DIMENSIONS[w.dimension]), after=_(GRADES[w.after])))
    return _("Consider reviewing the risk level ({reasons}).").format(reasons=_("; ").join(parts))


def assessment_renderable(assessments: list, risk_level: str, date_text):
    """`assessments` newest first (a few); `date_text` formats a date in the interface language."""
    if not assessments:
        return Text(_("Six-dimension assessment: not assessed yet (at the next visit)."), style="dim")
    latest = assessments[0]
    head = Text()
    head.append(_("Six-dimension assessment") + _(": "), style="bold")
    head.append(date_text(latest.assessed_on))
    # one assessment has no trend: "近1次评估趋势" read as if it had
    head.append("  " + (_("the first: a trend shows from the next one") if len(assessments) == 1 else
                        ngettext("trend over the last {n} assessment", "trend over the last {n} assessments",
                                 len(assessments)).format(n=len(assessments))), style="dim")
    names = {dim: "  " + _(title) for dim, title in DIMENSIONS.items()}
    grades = {dim: _(GRADES[g]) if (g := getattr(latest, dim)) in GRADES else "" for dim in DIMENSIONS}
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, width=max(cell_len(t) for t in names.values()))
    table.add_column(no_wrap=True, width=max(cell_len(t) for t in grades.values()))
    table.add_column(no_wrap=True, width=len(assessments))
    table.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    for dim in DIMENSIONS:
        grade = getattr(latest, dim)
        table.add_row(names[dim], Text(grades[dim], style=GRADE_STYLES.get(grade or "", "")),
                      sparkline(trend(assessments, dim)), Text((latest.notes or {}).get(dim, "")))  # data: no markup
    legend = Text("  ")
    for code in ("none", "mild", "moderate", "severe", "na"):
        legend.append_text(sparkline([code]))
        legend.append(" " + _(GRADES[code]) + "  ", style="dim")
    parts: list[RenderableType] = [head, table, legend]
    reasons = review_reasons(assessments, risk_level)
    if reasons:
        parts.append(Text("  " + review_text(reasons), style="bold dark_orange"))
    return Group(*parts)

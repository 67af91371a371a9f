"""The words on Home's tabs: each list's word with its count, as many counts as the width holds; the number keys in
its help."""

from __future__ import annotations

from rich.cells import cell_len

from storage.core.i18n import N_
from tui.formatting import compact_number, format_number

TAB_PADDING = 2  # a tab's padding left and right (Textual's Tab: padding 0 1)
# the counts a clerk most needs to see, first: when not all fit, the last of these give theirs up first (each list's
# count still stands on the line above it when open)
COUNT_ORDER = ("overdue", "high_risk", "referrals", "due_week", "ageing_out", "benefits", "unpaired", "grids")
# shorter words for the tabs whose counts do not fit beside their words (English at 80 columns kept one count of a
# clerk's seven): in Chinese the same words, so a Chinese Home is as it was
SHORT_WORDS = {"referrals": N_("Refer"), "benefits": N_("Aid")}


def tab_labels(words: dict[str, str], counts: dict[str, int | None], width: int,
               short: dict[str, str] | None = None) -> dict[str, str]:
    """Each pane's tab label within `width` cells: "逾期 42"; where that does not fit, a Chinese word takes its count
    without the space and a count its short form ("逾期1353", not "逾期1,353"); then the short words (`short`: English
    "Refer" for "Referrals"); where that does not fit either, the least needed counts go (COUNT_ORDER), never a tab."""

    def label(pane: str, word: str, tight: bool) -> str:
        n = counts.get(pane)
        if n is None:
            return word
        if not tight:
            return f"{word} {format_number(n)}"
        return f"{word}{'' if not word[-1].isascii() else ' '}{compact_number(n)}"

    def fits(labels: dict[str, str]) -> bool:
        return sum(cell_len(text) + TAB_PADDING for text in labels.values()) <= width

    shorter = {p: (short or {}).get(p) or word for p, word in words.items()}
    for these, tight in ((words, False), (words, True), (shorter, False), (shorter, True)):
        labels = {p: label(p, these[p], tight) for p in these}
        if fits(labels):
            return labels
    # the counts most needed first, each as long as it still fits (English 1.3K may not where 569 does)
    labels = dict(shorter)
    for pane in [p for p in COUNT_ORDER if p in labels] + [p for p in labels if p not in COUNT_ORDER]:
        if fits(with_count := {**labels, pane: label(pane, shorter[pane], True)}):
            labels = with_count
    return labels if fits(labels) else dict(shorter)


def keys_span(first: int, last: int) -> str:
    """The number keys of one row of Home's help: "1–4", or "9" alone (not "9–9")."""
    return str(first) if first == last else f"{first}–{last}"

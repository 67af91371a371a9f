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
# shorter still, where those leave a clerk's counts off (9 tabs, a township's counts of 3 and 4 digits: "Overdue 581"
# kept alone with Risk's and Refer's, at 80 columns): Home's own title of the days overdue. A word is taken only where
# it is shorter than the tab's ("Late" is 逾期天数 in Chinese, where the tab says 逾期)
SHORTER_WORDS = {"overdue": N_("Late")}


def tab_labels(words: dict[str, str], counts: dict[str, int | None], width: int,
               *short: dict[str, str]) -> dict[str, str]:
    """Each pane's tab label within `width` cells: "逾期 42"; where that does not fit, a Chinese word takes its count
    without the space and a count its short form ("逾期1353", not "逾期1,353"); then the short words (each of `short`
    in turn, with those before it: English "Refer" for "Referrals", then "Late" for "Overdue"); where that does not
    fit either, the least needed counts go (COUNT_ORDER), never a tab."""

    def label(pane: str, word: str, tight: bool) -> str:
        n = counts.get(pane)
        if n is None:
            return word
        if not tight:
            return f"{word} {format_number(n)}"
        return f"{word}{'' if not word[-1].isascii() else ' '}{compact_number(n)}"

    def fits(labels: dict[str, str]) -> bool:
        return sum(cell_len(text) + TAB_PADDING for text in labels.values()) <= width

    tiers, shorter = [words], dict(words)
    for these in short:
        shorter = {p: min(word, these.get(p) or word, key=cell_len) for p, word in shorter.items()}
        tiers.append(shorter)
    for these in tiers:
        for tight in (False, True):
            labels = {p: label(p, these[p], tight) for p in these}
            if fits(labels):
                return labels

    def most_needed(these: dict[str, str]) -> dict[str, str]:
        """The counts most needed first, each as long as it still fits (English 1.3K may not where 569 does)."""
        labels = dict(these)
        for pane in [p for p in COUNT_ORDER if p in labels] + [p for p in labels if p not in COUNT_ORDER]:
            if fits(with_count := {**labels, pane: label(pane, these[pane], True)}):
                labels = with_count
        return labels

    # a shorter word only where it keeps one more count ("Late 1.4K" kept no more than "Overdue 1.4K" did)
    best, kept = dict(tiers[-1]), -1
    for these in tiers[1:] or tiers:
        labels = most_needed(these)
        counted = sum(labels[p] != these[p] for p in labels)
        if fits(labels) and counted > kept:
            best, kept = labels, counted
    return best


def keys_span(first: int, last: int) -> str:
    """The number keys of one row of Home's help: "1–4", or "9" alone (not "9–9")."""
    return str(first) if first == last else f"{first}–{last}"

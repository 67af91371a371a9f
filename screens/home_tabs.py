"""The words on Home's tabs: each list's word with its count, as many counts as the width holds; the number keys in
its help."""

from __future__ import annotations

from rich.cells import cell_len

from tui.formatting import compact_number, format_number

TAB_PADDING = 2  # a tab's padding left and right (Textual's Tab: padding 0 1)
# the counts a clerk most needs to see, first: when not all fit, the last of these give theirs up first (each list's
# count still stands on the line above it when open)
COUNT_ORDER = ("overdue", "high_risk", "referrals", "due_week", "ageing_out", "benefits", "unpaired", "grids")


def tab_labels(words: dict[str, str], counts: dict[str, int | None], width: int) -> dict[str, str]:
    """Each pane's tab label within `width` cells: "逾期 42"; where that does not fit, a Chinese word takes its count
    without the space and a count its short form ("逾期1353", not "逾期1,353"); where that does not either, the
    least needed counts go (COUNT_ORDER), never a tab."""

    def label(pane: str, tight: bool) -> str:
        word, n = words[pane], counts.get(pane)
        if n is None:
            return word
        if not tight:
            return f"{word} {format_number(n)}"
        return f"{word}{'' if not word[-1].isascii() else ' '}{compact_number(n)}"

    def fits(labels: dict[str, str]) -> bool:
        return sum(cell_len(text) + TAB_PADDING for text in labels.values()) <= width

    labels = {p: label(p, False) for p in words}
    if fits(labels):
        return labels
    labels = {p: label(p, True) for p in words}
    for pane in reversed(COUNT_ORDER):
        if fits(labels):
            break
        if pane in labels:
            labels[pane] = words[pane]
    return labels if fits(labels) else dict(words)


def keys_span(first: int, last: int) -> str:
    """The number keys of one row of Home's help: "1–4", or "9" alone (not "9–9")."""
    return str(first) if first == last else f"{first}–{last}"

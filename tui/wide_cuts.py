"""A Chinese character drawn whole where a widget lies over others (an open drop-down, a toast).

Textual paints each screen line in pieces cut wherever any widget starts or ends, hidden ones
included, and cuts every widget's line at all those places. A cut through the middle of a
double-width character turns it into two spaces: the open list of benefit kinds, over the label
"备注（可选）" (which ends one cell into 人), showed "困难残疾  生活补贴" (textual 8.2; upstream
Textualize/textual#6357, still open). Here a widget's line is cut only where the widget on top
changes; the pieces it wins without a cut get an empty strip, so nothing below claims them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

_EMPTY = Strip([], 0)


def _render_chops(self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
                  ) -> Sequence[Mapping[int, Strip]]:
    """Compositor._render_chops (textual 8.2), cutting a widget's line only between what it wins and what it loses."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    # front to back: a piece already filled belongs to a widget drawn over this one
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            starts = [cut for cut in cuts[y] if last_cut > cut >= first_cut]
            if not starts:
                continue
            get = line.get
            if strip.cell_length != last_cut - render_x:  # (a line not the widget's width yet): as Textual does
                ends = [*starts[1:], last_cut]
                for cut, piece in zip(starts, strip.divide([end - render_x for end in ends]), strict=False):
                    if get(cut) is None:
                        line[cut] = piece
                continue
            free = [get(cut) is None for cut in starts]
            if all(free):  # nothing drawn over this line of the widget (the usual case): one piece, uncut
                line[starts[0]] = strip
                for cut in starts[1:]:
                    line[cut] = _EMPTY
                continue
            if not any(free):
                continue
            # one piece per run of pieces it wins or loses: a cut only where the owner changes
            opens = [i == 0 or free[i] != free[i - 1] for i in range(len(starts))]
            bounds = [cut - render_x for cut, opened in zip(starts[1:], opens[1:], strict=True) if opened]
            pieces = iter(strip.divide([*bounds, last_cut - render_x]))
            for cut, opened, wins in zip(starts, opens, free, strict=True):
                piece = next(pieces, _EMPTY) if opened else _EMPTY
                if wins:
                    line[cut] = piece
    return chops  # type: ignore[return-value]


def install() -> None:
    """Use our _render_chops in every screen's compositor (once, on the app's import). Only over the method it was
    written against: a Textual whose _render_chops takes other arguments keeps its own (and the cut characters)."""
    import inspect
    import logging

    try:
        params = list(inspect.signature(Compositor._render_chops).parameters)
    except (AttributeError, TypeError, ValueError):
        params = []
    if params != ["self", "crop", "is_rendered_line"] or not hasattr(Compositor, "_get_renders"):
        logging.getLogger(__name__).warning("Textual's Compositor._render_chops changed: wide characters under an "
                                            "overlay may be cut (tui/wide_cuts.py not installed)")
        return
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]

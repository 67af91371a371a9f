"""A drop-down opened near the bottom of a form: the form scrolls so the list opens below its field.

Textual keeps an open list inside the screen by moving it up; near the bottom (the visit form's
risk, the resident form's parents) it then lay over the footer's key line and over its own field.
tui/app.tcss keeps it above the footer (a bottom margin of the footer's line); here the form is
scrolled, as far as it can go, so the list lies under the field it belongs to. And the list stops at its
ends instead of going round (`stop_at_the_ends`).
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import OptionList, Select


def keep_below(overlay: Widget) -> None:
    """After the list (Select's overlay, just focused) is placed: scroll its form if it covers its field."""
    select = overlay.parent
    if not isinstance(select, Select):
        return

    def place() -> None:
        if not select.expanded or not overlay.region:
            return
        short = select.region.bottom - overlay.region.y  # rows of the field the list lies over
        form = _scrolling(select)
        if short > 0 and form is not None:
            form.scroll_relative(y=short, animate=False, immediate=True)

    overlay.call_after_refresh(place)


def _scrolling(widget: Widget) -> Widget | None:
    """The nearest container around `widget` that can scroll down any further."""
    for node in widget.ancestors:
        if isinstance(node, Widget) and node.allow_vertical_scroll and node.scroll_y < node.max_scroll_y:
            return node
    return None


def stop_at_the_ends(overlay: OptionList) -> None:
    """Down on a list's last choice stays on it, and Up on its first: Textual goes round, so one Down too many
    on 低 (the risk levels' last) chose 紧急, a false emergency the clerk had to clear."""
    if getattr(overlay, "_stops_at_the_ends", False):
        return
    down, up = overlay.action_cursor_down, overlay.action_cursor_up

    def cursor_down() -> None:
        if overlay.highlighted is None or overlay.highlighted < overlay.option_count - 1:
            down()

    def cursor_up() -> None:
        if overlay.highlighted is None or overlay.highlighted > 0:
            up()

    # (instance attributes: Textual looks an action up on the widget, so the list's own class stays as it is)
    overlay.action_cursor_down, overlay.action_cursor_up = cursor_down, cursor_up  # type: ignore[method-assign]
    overlay._stops_at_the_ends = True  # type: ignore[attr-defined]

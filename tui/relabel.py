"""A screen in the other language at once (F2): the one mechanism the app applies to every screen in the stack.

A screen that keeps state of its own beyond its widgets (a form's draft, the Sync screen's scan) says how it
re-labels itself in `language_changed()`. Every other screen is composed again, as when it was opened, and
what the person typed or chose is put back: its words are drawn in `compose()` and `on_mount()`, and most
of them in the language of that moment, so composing again is the only way none is left behind.
"""

from __future__ import annotations

import inspect
import logging
import weakref
from typing import Any

from textual.screen import ModalScreen, Screen

log = logging.getLogger(__name__)


def typed_values(screen: Screen) -> dict[str, object]:
    """What the person typed or chose, by widget id."""
    # here, not at the top: TextArea and Checkbox cost ~5 ms of every start-up before the first paint, and no
    # screen has them until a form is opened
    from textual.widgets import Checkbox, Input, Select, TextArea

    kept: dict[str, object] = {}
    for widget in screen.query("Input, Select, Checkbox, TextArea"):
        if widget.id is None:
            continue
        if isinstance(widget, Input | Checkbox):
            kept[widget.id] = widget.value
        elif isinstance(widget, Select):
            kept[widget.id] = widget.value
        elif isinstance(widget, TextArea):
            kept[widget.id] = widget.text
    return kept


def restore_values(screen: Screen, kept: dict[str, object]) -> None:
    """The values back into the widgets that have them again (by id; widgets built later keep their own)."""
    from textual.widgets import Checkbox, Input, Select, TextArea
    from textual.widgets.select import InvalidSelectValueError

    for widget_id, value in kept.items():
        for widget in screen.query(f"#{widget_id}"):
            if isinstance(widget, TextArea):
                widget.text = str(value)
            elif isinstance(widget, Select):
                try:
                    widget.value = value
                except InvalidSelectValueError:  # the choice is no longer offered: the screen's own stays
                    log.debug("%s: %r no longer offered", widget_id, value)
            elif isinstance(widget, Input | Checkbox):
                widget.value = value  # type: ignore[assignment]


async def compose_again(screen: Screen) -> None:
    """The screen composed and mounted again in the current language, with what was typed put back."""
    kept = typed_values(screen)
    focused = screen.focused.id if screen.focused is not None else None
    await screen.recompose()
    mount = getattr(screen, "on_mount", None)
    if callable(mount):
        result = mount()
        if inspect.isawaitable(result):
            await result
    restore_values(screen, kept)
    if focused is not None:
        for widget in screen.query(f"#{focused}"):
            widget.focus()
            break


def relabel_screen(screen: Screen) -> None:
    """Called by the app on every screen in the stack after a language switch."""
    own = getattr(screen, "language_changed", None)
    if callable(own):
        own()
    elif type(screen).__module__.startswith("screens."):  # Textual's own (the palette) are not ours to rebuild
        screen.call_later(compose_again, screen)


def relabel_now(screen: Screen) -> None:
    from tui.footer import TranslatedFooter

    relabel_screen(screen)
    for footer in screen.query(TranslatedFooter):
        footer.refresh(recompose=True)


class LanguageFollower:
    """After F2: the screen in view (and those a dialog shows under it) now; a screen further down when it is
    shown again. Composing every open screen again at once made F2 slow on a deep stack."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.stale: weakref.WeakSet[Screen] = weakref.WeakSet()

    def relabel(self, stack: list[Screen]) -> None:
        in_view = True
        for screen in reversed(stack):
            if in_view:
                self.stale.discard(screen)
                relabel_now(screen)
                in_view = isinstance(screen, ModalScreen)
            else:
                self.stale.add(screen)

    def shown(self, screen: Screen) -> None:
        """(App.screen_change_signal) once the stack has settled: going Home pops several screens in a row, each
        shown for an instant (composing one of those again after it was gone crashed the app)."""
        if screen in self.stale:
            self.app.call_after_refresh(self._if_still_shown, screen)

    def _if_still_shown(self, screen: Screen) -> None:
        if screen is self.app.screen and screen.is_attached and screen in self.stale:
            self.stale.discard(screen)
            relabel_now(screen)

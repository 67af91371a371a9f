"""Text boxes that act on every key in the order it was typed.

Textual puts a typed character into an Input or TextArea as soon as the box reads the key, but runs
the box's own editing keys (Backspace, Delete, the arrows, Home, End, Ctrl+W…) only after the key
has bubbled up to the app, one message queue at a time. Typed fast, or on a busy laptop, the next
characters overtook them: a phone number cleared with Backspace and typed again came out as 1390571
or 1313905710 (seen in tmux, textual 8.2; Textualize/textual#6605, a fix proposed upstream in #6631).
These boxes run their own bindings right where the key arrives, as Textual would have run them on
the way up: the box is the first place a key's binding is looked for, and app-wide keys marked
`priority` (Tab, Enter in a form, Ctrl+S) are still acted on before a key reaches any box.
(Since then the app hands over each key only once the one before it has been dealt with, for every
widget: tui/keys_ahead.py. These boxes, and `after_typing`, still keep the order on their own.)

Every text box of the app is one of these (tests/test_typing_order.py checks every screen), and so is
the command palette's search box (`OrderedPalette`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import CommandInput, CommandList, CommandPalette, SearchIcon
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, LoadingIndicator, TextArea

from storage.core.text import printable

ActionT = TypeVar("ActionT", bound=Callable[..., None])


def after_typing(action: ActionT) -> ActionT:
    """A screen's action that reads what was typed (Save, OK), run once every text box of the screen has handled
    the keys already sent to it.

    Ctrl+S is a priority key: the app acts on it as it reads it, while the characters typed just before may
    still wait in their box's queue. A phone typed and saved in one burst was saved as it had been before
    (tests/test_typing_order.py); each box is now asked to call back after what it holds.
    """

    @functools.wraps(action)
    def run(screen: Any, *args: Any) -> None:
        boxes = [b for b in screen.query("Input, TextArea") if b.is_running]
        waiting = len(boxes)

        def one_done() -> None:
            nonlocal waiting
            waiting -= 1
            if waiting == 0:
                action(screen, *args)

        if not boxes:
            action(screen, *args)
        for box in boxes:
            if not box.call_later(one_done):  # (a box closing meanwhile holds nothing more)
                one_done()

    return run  # type: ignore[return-value]


async def in_order(widget: Widget, event: events.Key, handle: Callable[[events.Key], Awaitable[None]]) -> None:
    """The widget's own binding of a key that types nothing, run now; else the box's `handle` (its _on_key)."""
    if not event.is_printable and await ran_own_binding(widget, event):
        return
    await handle(event)


async def ran_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run `widget`'s own (not priority) binding of this key now; False when it has none or it declined."""
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


# (each class below has its own `_on_key`: a shared mixin base would lose Textual's COMPONENT_CLASSES,
# which Textual gathers along the widget's own line of classes)
class TextInput(Input):
    """An Input whose editing keys keep their place among the characters typed.

    Its first value may come from a bundle: an escape sequence in it is shown, and saved if saved, as '?'.
    Ctrl+A selects all, as on Windows (全选): Textual's went to the start, and a folder typed after it was put in
    front of the old one ("/tmp/stick" + "/root"). Home still goes to the start."""

    BINDINGS = [Binding("ctrl+a", "select_all", show=False)]

    def __init__(self, value: str | None = None, *args, **kwargs) -> None:
        super().__init__(printable(value) if value else value, *args, **kwargs)

    async def _on_key(self, event: events.Key) -> None:
        await in_order(self, event, super()._on_key)


class TextBox(TextArea):
    """A TextArea whose editing keys keep their place among the characters typed (its first text as
    TextInput's first value: escapes shown as '?', line breaks kept)."""

    def __init__(self, text: str = "", *args, **kwargs) -> None:
        super().__init__(printable(text, multiline=True) if text else text, *args, **kwargs)

    async def _on_key(self, event: events.Key) -> None:
        await in_order(self, event, super()._on_key)


class _PaletteInput(CommandInput):
    """The palette's search box (still a CommandInput: the palette finds it, and styles it, by that name)."""

    async def _on_key(self, event: events.Key) -> None:
        await in_order(self, event, super()._on_key)


def _search_icon() -> SearchIcon:
    """Textual's 🔎, or with plain glyphs (the old Windows console draws it two cells wide and in the wrong place) ">"."""
    from storage.core.glyphs import plain

    icon = SearchIcon()
    if plain():
        icon.icon = ">"
    return icon


class OrderedPalette(CommandPalette):
    """Textual's command palette, its search box one whose editing keys keep their order."""

    def compose(self) -> ComposeResult:
        # Textual's compose (textual 8.2, textual/command.py), with our search box in place of its own
        with Vertical(id="--container"):
            with Horizontal(id="--input"):
                yield _search_icon()
                yield _PaletteInput(placeholder=self._placeholder, select_on_focus=False)
                if not self.run_on_select:
                    yield Button("\u25b6")
            with Vertical(id="--results"):
                yield CommandList()
                yield LoadingIndicator()

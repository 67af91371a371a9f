"""Choosing a folder (where to export) or a file (the township key) by keyboard, or by typing or pasting it.

The list shows the folder's sub-folders (and, for a file, the files that fit); Enter opens one,
Backspace goes up, all the way to the root; the places list reaches the home folder and every
USB stick or disk plugged in (/media/..., D:\\). A path typed or pasted into the box and Enter
goes straight there. What is listed comes from storage/core/folders.py.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from screens.dialogs import Dialog
from storage.core.errors import UserError
from storage.core.folders import Entry, listing, parent, places, typed_path
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _
from tui.as_text import as_text
from tui.ordered_keys import TextInput

UP = "\0up"  # the option that goes one folder up


class PathPickerScreen(Dialog[Path | None]):
    """Dismissed with the folder (or file) chosen, or None."""

    CSS_PATH = ["dialogs.tcss", "path_picker.tcss"]
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="picker.cancel"),
        Binding("ctrl+s", "choose_here", N_("Choose this folder"), id="picker.choose", priority=True),
        Binding("backspace", "up", N_("Up one folder"), id="picker.up"),
        Binding("ctrl+l", "focus_path", N_("Type or paste a path"), id="picker.path"),
    ]

    def __init__(self, title: str, start: Path | None, *, suffixes: tuple[str, ...] = ()) -> None:
        """`suffixes` given (".pub"): a file is chosen; else a folder."""
        super().__init__(classes="dialog")
        self.heading = title
        self.suffixes = tuple(s.lower() for s in suffixes)
        self.folder = self._start(start)

    @staticmethod
    def _start(start: Path | None) -> Path:
        here = Path(start).expanduser() if start else Path.home()
        while not here.is_dir() and (up := parent(here)) is not None:
            here = up  # a file, or a folder since removed: the nearest folder above
        return here if here.is_dir() else Path.home()

    @property
    def choosing_file(self) -> bool:
        return bool(self.suffixes)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(as_text(self.heading), id="dialog-title")
            with Horizontal(classes="picker-row"):
                yield Label(_("Places"), classes="picker-label")
                yield Select([(as_text(str(p)), str(p)) for p in places()], prompt=_("Home folder, USB sticks…"),
                             id="places", compact=True)
            with Horizontal(classes="picker-row"):
                yield Label(_("Path"), classes="picker-label")
                yield TextInput(str(self.folder), id="path", compact=True)
            yield Label("", id="picker-problem", classes="error")
            yield OptionList(id="entries", compact=True)
            yield Static(self._hint(), id="picker-hint")

    def _hint(self) -> str:
        if self.choosing_file:
            return _("Enter: open a folder or choose the file · Backspace: up · Ctrl+L: type or paste a path · "
                     "Esc: cancel")
        return _("Enter: open a folder · Backspace: up · Ctrl+S: choose the folder shown · Ctrl+L: type or paste a "
                 "path · Esc: cancel")

    def on_mount(self) -> None:
        self.show(self.folder)
        self.query_one("#entries", OptionList).focus()

    # --- moving around ----------------------------------------------------------------

    def show(self, folder: Path) -> bool:
        """List `folder`; False (and the reason under the path) when it cannot be listed."""
        try:
            entries = listing(folder, self.suffixes)
        except UserError as exc:
            self._problem(str(exc))
            return False
        self.folder = folder
        self._problem("")
        self.query_one("#path", Input).value = str(folder)
        options = self.query_one("#entries", OptionList)
        options.clear_options()
        if parent(folder) is not None:
            options.add_option(Option(as_text(narrow("..  ") + _("(up one folder)")), id=UP))
        options.add_options(self._option(e) for e in entries)
        if options.option_count:  # on the first folder inside, not on "up"
            options.highlighted = 1 if options.option_count > 1 and parent(folder) is not None else 0
        return True

    def _option(self, entry: Entry) -> Option:
        name = entry.path.name + ("/" if entry.is_dir else "")
        return Option(as_text(name), id=str(entry.path))

    def _problem(self, text: str) -> None:
        self.query_one("#picker-problem", Label).update(as_text(text))

    @on(OptionList.OptionSelected, "#entries")
    def _entered(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id == UP:
            self.action_up()
            return
        path = Path(str(event.option_id))
        if path.is_dir():
            self.show(path)
        elif self.choosing_file:
            self.dismiss(path)

    @on(Select.Changed, "#places")
    def _place(self, event: Select.Changed) -> None:
        if event.value != Select.NULL and self.show(Path(str(event.value))):
            self.query_one("#entries", OptionList).focus()

    @on(Input.Submitted, "#path")
    def _typed(self, event: Input.Submitted) -> None:
        """A typed or pasted path: a folder opens (Enter again on it chooses it); a fitting file is chosen."""
        event.stop()
        path = typed_path(event.value)
        if path is None:
            return
        if path.is_file() and self.choosing_file:
            if path.name.lower().endswith(self.suffixes):
                self.dismiss(path)
            else:
                self._problem(_("Not a {kind} file: {path}").format(kind=" / ".join(self.suffixes), path=path))
            return
        if path == self.folder and not self.choosing_file:
            self.dismiss(path)  # Enter on the folder already shown: that is the choice
            return
        if self.show(path):
            self.query_one("#entries", OptionList).focus()

    def action_up(self) -> None:
        if isinstance(self.focused, Input):
            self.focused.action_delete_left()  # Backspace in the path box edits the path
            return
        above = parent(self.folder)
        if above is not None:
            came_from = self.folder
            if self.show(above):
                options = self.query_one("#entries", OptionList)
                for i in range(options.option_count):
                    if options.get_option_at_index(i).id == str(came_from):
                        options.highlighted = i  # the cursor on the folder just left
                        break

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "choose_here" and self.choosing_file)

    def action_focus_path(self) -> None:
        self.query_one("#path", Input).focus()

    def action_choose_here(self) -> None:
        if self.choosing_file:
            return
        typed = typed_path(self.query_one("#path", Input).value)
        if typed is not None and typed != self.folder and not self.show(typed):
            return
        self.dismiss(self.folder)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""Help for the current screen: every key it answers to, generated from its active bindings."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable

from storage.core.i18n import N_, _
from tui.as_text import as_text
from tui.table import Table

HELP_WIDTH = 62  # as help.tcss gives #help-box
WHAT_MIN = 20


def key_rows(app, screen: Screen) -> list[tuple[str, str]]:
    """(keys, translated description) for the bindings of the screen, its widgets of ours and the app.

    Only bindings with an id are listed: ours all have one (see the brief's contract), while
    Textual's built-in ones (Tab, a table's cursor keys...) have none and are described in
    English only; they are the usual keys anyway.
    """
    seen: dict[tuple[str, str], list[str]] = {}
    # keys a screen explains itself (Enter in a list, Tab, Space in a checklist...): Textual's own bindings
    # have no id and would not be listed, and a person cannot guess them
    rows_of_screen = getattr(screen, "help_rows", None)
    first = [(keys, _(description)) for keys, description in rows_of_screen()] if callable(rows_of_screen) else []
    skip = tuple(getattr(screen, "HELP_SKIP", ()))
    # the app's Esc goes back only to a screen behind this one (tui/app.py action_back): on Home, on the screen a
    # refused file opens on, it does nothing, and "esc 返回" was listed there
    stack = app.screen_stack
    nothing_behind = screen in stack and stack.index(screen) < 2
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not binding.id or (skip and binding.id.startswith(skip)):
            continue
        if nothing_behind and binding.id == "app.back":
            continue
        keys = seen.setdefault((binding.action, binding.description), [])
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    return first + [(", ".join(keys), _(description)) for (_action, description), keys in seen.items()]


class HelpScreen(ModalScreen[None]):
    SCREEN_ID = "help"
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="help.close"),
        Binding("f1,question_mark", "close", N_("Close"), show=False, id="help.close_alt"),
        # a modal screen does not pass keys on to the app's bindings: F2 here too, for whoever opened help
        # because they cannot read the screen's language (the list names F2 from the screen below)
        Binding("f2", "app.switch_language", N_("Language"), show=False, id="help.language"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__(id=self.SCREEN_ID)
        self._below = screen
        self._rows: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        # read here, not once: after F2 the app composes every screen again (tui/relabel.py), this one in the new language
        self._rows = key_rows(self.app, self._below)
        title = self._below.title or self.app.title
        # the title and the hint in the box's border, not above and below the table: a table of the box's height
        # (max-height 1fr) then fits inside it and scrolls, where at 80×24 a clerk's Home list ran past the box's
        # bottom with its last keys and the hint unseen (and unreachable: the box does not scroll)
        box = Vertical(id="help-box")
        box.border_title = as_text(_("Keys: {screen}").format(screen=title))
        box.border_subtitle = as_text(_("Esc closes this help."))
        with box:
            yield Table(id="help-keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        keys_width = max(cell_len(text) for text in (_("Key"), *(keys for keys, _what in self._rows)))
        table.add_column(_("Key"), key="key", width=keys_width)
        # the words fold inside the box (62 wide: 2 of border, 2 of padding, 2 of cell padding per column, 2 of
        # the scroll bar a long list has) rather than run past it: "Text box: next field; a choice: open its lis"
        # was all 80 columns showed
        table.add_column(_("What it does"), key="what", width=max(WHAT_MIN, HELP_WIDTH - 10 - keys_width))
        for keys, what in self._rows:
            table.add_row(as_text(keys), as_text(what), height=None)  # "[x]" is text, not markup
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)

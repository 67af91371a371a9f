"""A footer that translates binding descriptions when it draws them.

Bindings declared with `N_("Save")` keep the English msgid, so the footer (and
the help screen) show them in whatever language is current, and a language
switch needs no restart. A description already translated when its module was
imported passes through gettext unchanged.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

from storage.core.i18n import _


def translated(description: str) -> str:
    return _(description) if description else description


class TranslatedFooter(Footer):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            # footer keys are not public API: recognise them by their description
            description = getattr(widget, "description", None)
            if isinstance(description, str):
                widget.description = translated(description)
            yield widget

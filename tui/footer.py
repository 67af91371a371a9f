"""A footer that translates binding descriptions when it draws them.

Bindings declared with `N_("Save")` keep the English msgid, so the footer (and
the help screen) show them in whatever language is current, and a language
switch needs no restart. A description already translated when its module was
imported passes through gettext unchanged.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Label

from storage.core.i18n import N_, _, current_language

# Textual's own bindings that reach the footer: an open Select's list shows "esc Dismiss menu".
# Listed here so the catalogs carry them; the footer translates them like ours.
TEXTUAL_DESCRIPTIONS = (N_("Dismiss menu"), N_("Show menu"))


def translated(description: str) -> str:
    return _(description) if description else description


# app-wide keys each screen's footer leaves to Home, F1 and the palette (they still work everywhere):
# at 80 columns a screen's own keys come first, and "^q 退出程序" cut to "^q 退" helps no one
HOME_ONLY_ACTIONS = frozenset({"quit", "switch_language"})
# the language key is named by the language it switches to, in that language's own word (as a site's "English"
# link): found by one who cannot read the current language, and 4 cells shorter in English than "Language", which
# Home's footer cut at 80 columns ("f2 Langu")
OTHER_LANGUAGE = {"zh_CN": "English", "en": "中文"}


class TranslatedFooter(Footer):
    # a key group's word ("[ ] 月份") ran into the next key in the compact footer: "[] 月份v 图表"
    DEFAULT_CSS = """
    TranslatedFooter.-compact FooterLabel {
        margin-right: 1;
    }
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("compact", True)  # one space between entries: more of a screen's keys fit 80 columns
        super().__init__(*args, **kwargs)

    def compose(self) -> ComposeResult:
        all_keys = getattr(self.screen, "FOOTER_APP_KEYS", False)
        dropped = 0
        for widget in super().compose():
            # footer keys are not public API: recognise them by their description and action
            if not all_keys and getattr(widget, "action", None) in HOME_ONLY_ACTIONS:
                dropped += 1
                continue
            if isinstance(widget, Label):  # a binding group's word ("[ ] 月份"), Textual's FooterLabel
                widget.update(translated(str(widget.content)))
            description = getattr(widget, "description", None)
            if getattr(widget, "action", None) == "switch_language":
                widget.description = OTHER_LANGUAGE.get(current_language(), translated(description or ""))
            elif isinstance(description, str):
                widget.description = translated(description)
            yield widget
        if dropped and isinstance(self.styles.grid_size_columns, int):
            self.styles.grid_size_columns = max(1, self.styles.grid_size_columns - dropped)

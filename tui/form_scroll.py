"""The scrolling box a form's fields sit in, never itself a stop for Tab and Shift+Tab.

Textual's VerticalScroll takes the focus once its content overflows, as every form does at 80×24: Shift+Tab from
a visit's date went to the box, not to the notes, nothing on screen showed where the focus was, and what was typed
next went nowhere. The fields still scroll it: a field focused is scrolled into view, and Page Up / Page Down
reach the box from the field focused in it.
"""

from __future__ import annotations

from textual.containers import VerticalScroll


class FormScroll(VerticalScroll, can_focus=False):
    pass

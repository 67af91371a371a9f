"""Text from data or from an exception, shown as text: never parsed as markup.

Textual reads a str given to Label, Static, Button, Checkbox, Select, OptionList, a
DataTable cell or notify() as content markup, and Rich's tables in the CLI do the same.
A name or an address holding "[/b]", a file name from a USB stick, or an error quoting
SQL ("[SQL: UPDATE resident SET ...]") then raised MarkupError while it was being
shown, and that closed the app (issue #12). Everything the app shows that it did not
write itself goes through `as_text()` or `notify_text()`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from storage.core.text import printable


def as_text(value: object, style: str = "") -> Text:
    """`value` as text exactly as it is (a Text, so both Textual widgets and Rich's console take it),
    except control characters: Textual and Rich pass ESC through to the terminal, so an escape
    sequence in a name or a file name would move the cursor or write the clipboard. They are
    replaced by '?' (storage.core.text.printable), line feeds kept."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else printable(value, multiline=True), style=style, end="")


# a toast's lines (tui/app.tcss Toast: 60 cells, less its padding and its border, and one to spare)
TOAST_TEXT_WIDTH = 56


def notify_text(target: Any, message: object, **kwargs: Any) -> None:
    """`target.notify(message)` (an App, Screen or Widget) with the message shown as text, its lines broken as
    Chinese is set (tui/line_breaks.py `broken`: line feeds added, nothing else changed): Textual's toast
    breaks a line at a space, so "登记日期现在是 2026年…" kept its first seven characters alone on the first line."""
    from tui.line_breaks import broken

    target.notify(broken(printable(message, multiline=True), TOAST_TEXT_WIDTH), markup=False, **kwargs)

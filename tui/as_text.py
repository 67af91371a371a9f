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


def notify_text(target: Any, message: object, **kwargs: Any) -> None:
    """`target.notify(message)` (an App, Screen or Widget) with the message shown as text."""
    target.notify(printable(message, multiline=True), markup=False, **kwargs)

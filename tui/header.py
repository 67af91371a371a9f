"""The title bar: the screen's title always whole, the database's path shortened to what the width leaves.

Textual's Header cuts "title — who · path" at its right edge; a long path was cut with "…" and, on a clerk's screens at
80 columns, left no room to show whole what comes before it. Here the path gives way first: its middle, then all
but its file's name, then all of it.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.widgets import Header as TextualHeader
from textual.widgets._header import HeaderTitle

from storage.core.glyphs import narrow


def shortened_path(path: str, width: int) -> str:
    """`path` in at most `width` cells: whole; its beginning and its file's name with "…" between them
    ("/home/zhou/…/xinshi.db"); its file's name alone; or "" when not even that fits."""
    if cell_len(path) <= width:
        return path
    cut = max(path.rfind("/"), path.rfind("\\"))
    name = path[cut + 1:] if cut >= 0 else path
    tail = path[cut:] if cut >= 0 else path
    ellipsis = narrow("…")
    room = width - cell_len(tail) - cell_len(ellipsis)
    if room >= 4:  # enough of the beginning to say where it is ("/hom…"), else only the name
        head = ""
        for ch in path[:cut]:
            if cell_len(head + ch) > room:
                break
            head += ch
        return head + ellipsis + tail
    return name if cell_len(name) <= width else ""


def database_label(app) -> str:
    """The database as the app's title names it (tui/app.py _where): the file, or the server's URL."""
    db = getattr(app, "db", None)
    if db is not None:
        return db.label
    return getattr(app, "server_url", None) or str(getattr(app, "db_path", "") or "")


class Header(TextualHeader):
    """Textual's Header, its subtitle's database path shortened to fit (see the module's docstring)."""

    def format_title(self) -> Content:
        title, sub_title = self.screen_title, self.screen_sub_title
        where = database_label(self.app)
        width = self.query_one(HeaderTitle).content_region.width if self.is_mounted else 0
        if where and sub_title.endswith(where) and width > 0:
            before = sub_title[:-len(where)]
            room = width - cell_len(title) - cell_len(" — ") - cell_len(before)
            short = shortened_path(where, room)
            sub_title = before + short if short else before.removesuffix(narrow(" · "))
        return self.app.format_title(title, sub_title)

    def on_resize(self) -> None:
        """Shortened again for the new width (Textual sets the title only when it changes)."""
        self.query_one(HeaderTitle).update(self.format_title())

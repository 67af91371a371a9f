"""The Sync screen's list of the bundles in a folder, before merging: what the merge would do with each and why.

The file's name is the one thing that tells a broken file from the next (its manifest gave nothing), and at
80 columns it was cut off the screen. The name and the reason share the last column, which takes the room
the other columns leave: the name on its first line (shortened in the middle, its distinctive end kept, when
even that room is short), the reason wrapped below it. The written time, the bundle's number and its grid are
in its name too: their columns go first when the name would not fit.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events

from storage.core.i18n import N_, _, ngettext
from storage.core.offices import person_text
from storage.core.text import printable
from storage.sync.folder import BundleListing
from tui.as_text import as_text
from tui.formatting import format_moment, format_number
from tui.line_breaks import wrap
from tui.table import Table
from tui.texts import middle_cut

# the status first and the file's long name last: at 80 columns the name took the width, the status was off screen
BUNDLE_COLUMNS = (("status", N_("Status")), ("worker", N_("Worker")), ("grid", N_("Grid")), ("seq", N_("Bundle")),
                  ("date", N_("Written")), ("events", N_("Changes")), ("file", N_("File")))
# a county's bundles come from townships: who sent each and from which township (they name no grid)
COUNTY_COLUMNS = (("status", N_("Status")), ("worker", N_("Sent by")), ("grid", N_("Township")),
                  ("seq", N_("Bundle")), ("date", N_("Written")), ("events", N_("Changes")), ("file", N_("File")))
# in this order, while the file's name does not fit (its name carries them: gridcare-330521101-G01-王芳-3f2a9c1e-
# 0007-20261124.gcb); the worker's stays: a file renamed on the stick still says whose it is
LEFT_OUT = ("date", "seq", "grid")
# a county's: the township stays, as the worker does. Its sender is a clerk's title (乡镇民政助理员 for most), and
# its file's name cut in the middle at 80 columns lost the township's code: twenty rows alike
COUNTY_LEFT_OUT = ("date", "seq")
STATUS = {"new": N_("new"), "already": N_("already merged"), "refused": N_("refused"), "waiting": N_("waiting"),
          "own": N_("sent from here"), "elsewhere": N_("not for here")}
NARROWEST = 16  # the file's column is never narrower (the table scrolls sideways instead)
EDGES = 2  # a column's padding, one cell each side
SCROLLBAR = 2  # kept free for the vertical scrollbar of a long list


class BundleTable(Table):
    """`show(listings)` fills it; it is filled again for its new width when the terminal is resized."""

    def __init__(self, *, county: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.county = county
        self.listings: list[BundleListing] = []
        self._filled_for = 0

    def on_mount(self) -> None:
        self._fill()  # the column titles before any folder is read

    def show(self, listings: list[BundleListing]) -> None:
        self.listings = listings
        self._fill()

    def language_changed(self) -> None:
        self._fill()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._filled_for:
            self._fill()

    def _cells(self, b: BundleListing) -> dict[str, str]:
        # a listing from scan_folder alone (no verdict) says only whether its header could be read
        status = b.status or ("refused" if b.problem else "already" if b.merged else "new")
        place = b.township if self.county else b.grid.split("-", 1)[-1]
        return {"status": _(STATUS[status]), "worker": person_text(b.worker, limit=10), "grid": printable(place, limit=12),
                "seq": str(b.seq or ""), "date": format_moment(b.created) if b.created else "",
                "events": "" if b.problem else format_number(b.events)}

    def _fill(self) -> None:
        width = self.size.width or self.app.size.width - 6
        self._filled_for = self.size.width
        columns = COUNTY_COLUMNS if self.county else BUNDLE_COLUMNS
        rows = [self._cells(b) for b in self.listings]
        names = [printable(b.path.name) for b in self.listings]
        widths = {key: max([cell_len(_(title))] + [cell_len(r.get(key, "")) for r in rows]) for key, title in columns}
        shown = [key for key, _title in columns]

        def room() -> int:
            return width - SCROLLBAR - sum(widths[k] + EDGES for k in shown if k != "file") - EDGES

        longest = max([cell_len(n) for n in names] + [widths["file"]])
        for key in COUNTY_LEFT_OUT if self.county else LEFT_OUT:
            if room() < longest:
                shown.remove(key)
        file_room = max(NARROWEST, room())
        row = self.cursor_row
        self.clear(columns=True)
        for key, title in columns:
            if key in shown:
                self.add_column(_(title), key=key)
        for b, cells, name in zip(self.listings, rows, names, strict=True):
            lines = [middle_cut(name, file_room)]
            if b.reason:
                lines += wrap(printable(b.reason), file_room)
            self.add_row(*(as_text(cells[k]) for k in shown if k != "file"), Text("\n".join(lines)),
                         height=len(lines), key=str(b.path))
        if self.listings:
            self.move_cursor(row=min(row, len(self.listings) - 1))

    def row_text(self, index: int) -> str:
        """A row's cells as one line of text (what a test, or a copy to the clipboard, reads)."""
        return "  ".join(str(c) for c in self.get_row_at(index))


def listed_text(listings: list[BundleListing]) -> str:
    """The line under the list: how many bundles the merge will take, and how many it will refuse or hold."""
    if not listings:
        return _("No bundle files (*.gcb) found there.")
    count = {status: sum(1 for b in listings if b.status == status) for status in ("new", "refused", "waiting")}
    parts = [ngettext("{n} new bundle to merge.", "{n} new bundles to merge.", count["new"]).format(n=count["new"])]
    if count["refused"]:
        parts.append(ngettext("{n} will be refused.", "{n} will be refused.", count["refused"]).format(n=count["refused"]))
    if count["waiting"]:
        parts.append(ngettext("{n} waits for its device to be approved.", "{n} wait for their devices to be approved.",
                              count["waiting"]).format(n=count["waiting"]))
    return "\n".join(parts)

"""The Sync screen's way back to the grids (a township): one grid's bundle, or every grid's at once.

The list of grids is the grids with an enrolled device (storage/sync/folder.py known_grids); its first choice,
every grid, writes one bundle per grid into the folder (storage/sync/export_grids.py): after a month's merge a
clerk with 40 grids chose each in turn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.widgets import Button, Select, Static

from storage.core.i18n import _, ngettext
from storage.sync.export import ExportResult
from tui.as_text import as_text
from tui.formatting import format_number

if TYPE_CHECKING:
    from screens.host import ScreenHost

EVERY_GRID = "*"  # the list's first choice (no grid's code has a star: storage/core/identity.py GRID_CODE)


class BackToGrids:
    """Mixed into SyncScreen, which calls `_label_button` and `export_grid_pressed` from its handlers and gives
    `_folder()`, `_busy()` and `_export_asked()` (whose worker exports to every grid for EVERY_GRID)."""

    app: ScreenHost
    query_one: Callable[..., Any]
    query: Callable[..., Any]
    _folder: Callable[[], Path]
    _busy: Callable[[], bool]
    _export_asked: Callable[..., None]

    _grids: list[tuple[str, str, str]] = []  # as last shown (replaced whole, never changed in place)

    def grids_relabelled(self) -> None:
        """After a language switch: the list's words and the button's in the new language, the choice kept."""
        if self.query("#grid"):
            self._show_grids(self._grids)
            self._label_button(self.query_one("#grid", Select).value)

    def _show_grids(self, grids: list[tuple[str, str, str]]) -> None:
        """The grids a bundle can go back to; the one chosen stays chosen when the list is read again."""
        self._grids = grids
        select = self.query_one("#grid", Select)
        chosen = select.value
        options = [(as_text(_("{grid} ({worker})").format(grid=shown, worker=w)), g) for g, shown, w in grids]
        if len(grids) > 1:
            options.insert(0, (as_text(_("Every grid ({n})").format(n=len(grids))), EVERY_GRID))
        select.set_options(options)
        if chosen != Select.NULL and any(value == chosen for _label, value in options):
            select.value = chosen

    def _label_button(self, chosen: object) -> None:
        self.query_one("#export-grid", Button).label = (_("Export for every grid") if chosen == EVERY_GRID
                                                        else _("Export for this grid"))

    def export_grid_pressed(self) -> None:
        """The button beside the list (SyncScreen's handler: Textual reads `@on` of the screen's own class only)."""
        grid = self.query_one("#grid", Select).value
        if grid is Select.BLANK or self._busy():
            self.query_one("#result", Static).update(_("Choose a grid first."))
            return
        self._export_asked(self._folder(), False, str(grid))


def every_grid_text(db: Any, folder: Path, progress: Callable[[int, int], None]) -> str:
    """The round back to every grid (storage/sync/export_grids.py), said: the folder, then a line per grid. Run by
    the Sync screen's export worker, as one grid's export is; a UserError is said there."""
    from storage.sync.export_grids import export_every_grid

    results = export_every_grid(db, folder, progress=progress)
    lines = [ngettext("{n} bundle written, one for each grid, into {folder}:",
                      "{n} bundles written, one for each grid, into {folder}:", len(results)).format(
        n=len(results), folder=folder)]
    return "\n".join(lines + [_grid_line(each) for each in results])


def _grid_line(result: ExportResult) -> str:
    """One grid's bundle in the round's list, on one line at 80 columns: the folder is said above, and the file's
    name says the grid and the number again (with the name, 40 grids took 80 lines)."""
    grid = str(result.manifest.get("grid_code") or "").split("-", 1)[-1]
    return ngettext("{grid}: bundle {seq}, {n} change", "{grid}: bundle {seq}, {n} changes",
                    result.events).format(grid=grid, seq=result.seq, n=format_number(result.events))

"""Roster import: pick a file, see how its columns are read, see the dry run's row report, then import."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, DirectoryTree, Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from storage.core.audit import last_folder
from storage.core.errors import UserError
from storage.core.folders import typed_path
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _, join_sentences, ngettext
from storage.core.text import printable
from storage.roster.columns import cell_text
from storage.roster.importer import describe, import_roster, preview, status_label
from storage.roster.report import STATUS_LABELS
from tui.as_text import as_text, notify_text
from tui.footer import TranslatedFooter
from tui.header import Header
from tui.line_breaks import Wrapped
from tui.ordered_keys import TextInput
from tui.table import Table
from tui.ticks import TickBox

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)

STATUS_STYLES = {"new": "green", "update": "cyan", "unchanged": "dim", "invalid": "bold red"}
PREVIEW_ROWS = 5
PROBLEM_WIDTH = 46


class RosterImportScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "roster_import.tcss"
    BINDINGS = [
        Binding("ctrl+s", "import", N_("Import"), id="roster.import"),
        Binding("i", "import", N_("Import"), id="roster.import_key", show=False),
        Binding("ctrl+o", "browse", N_("Browse files"), id="roster.browse"),
        Binding("escape", "back", N_("Back"), id="roster.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._checked: tuple[str, str, bool] | None = None  # (path, sheet, skip) of the last dry run
        self._invalid = 0
        self._offered = ""  # the last roster's folder, put in the field for the next file's name

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="file-row"):
            yield Label(_("File"), id="file-label")
            yield TextInput(placeholder=_("path to an .xlsx or .csv file"), id="path", compact=True)
            yield Button(_("Check"), id="check", compact=True)
        with Horizontal(id="options-row"):
            yield Label(_("Sheet"), id="sheet-label")
            yield TextInput(placeholder=_("first"), id="sheet", compact=True)
            yield TickBox(_("Import the valid rows, leave out the invalid ones"), id="skip", compact=True)
        yield Static(_("Columns and the first rows, as they will be read:"), id="preview-title")
        yield Table(id="preview", header_height=2, zebra_stripes=True, cursor_type="none")
        yield Table(id="report", zebra_stripes=True, cursor_type="row")
        yield ProgressBar(id="progress", show_eta=False)
        yield Static(_("Type the file's path and press Enter to check it; nothing is imported before you confirm."),
                     id="summary")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("Import a roster")
        self.query_one("#progress", ProgressBar).display = False
        report = self.query_one("#report", DataTable)
        report.add_column(_("Row"), key="row", width=4)
        report.add_column(_("Name"), key="name", width=8)
        # as wide as the longest status in this language: at 6, "Invalid" was folded into "Invali" / "d"
        status_width = max(cell_len(text) for text in (_("Status"), *(_(label) for label in STATUS_LABELS.values())))
        report.add_column(_("Status"), key="status", width=status_width)
        report.add_column(_("Problems"), key="problems", width=PROBLEM_WIDTH)
        self.query_one("#path", Input).focus()
        self._load_folder()

    @work(thread=True, exit_on_error=False, group="roster-folder")
    def _load_folder(self) -> None:
        # the folder of the last roster imported: the next village's roster is usually beside it
        folder = last_folder(self.app.db, "roster_import")
        if folder is not None:
            self.app.call_from_thread(self._show_folder, folder)

    def _show_folder(self, folder: Path) -> None:
        path = self.query_one("#path", Input)
        if not path.value:  # not over what the user began to type
            path.value = self._offered = str(folder) + os.sep
            path.cursor_position = len(path.value)

    # --- choosing the file ---------------------------------------------------

    def action_browse(self) -> None:
        # mounted on first use: its loader worker runs for as long as the tree exists
        found = self.query("#tree")
        if not found:
            tree = DirectoryTree(self._browse_root(), id="tree")
            self.mount(tree, after="#file-row")
            tree.focus()
            return
        tree = found.first(DirectoryTree)
        tree.display = not tree.display
        if tree.display:
            tree.focus()

    def _browse_root(self) -> Path:
        typed = Path(self._typed_file() or str(Path.home()))
        folder = typed if typed.is_dir() else typed.parent
        return folder if folder.is_dir() else Path.home()

    @on(DirectoryTree.FileSelected, "#tree")
    def _file_picked(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)
        event.control.display = False
        self.action_check()

    @on(Input.Submitted, "#path")
    @on(Input.Submitted, "#sheet")
    @on(Button.Pressed, "#check")
    def action_check(self) -> None:
        path, sheet, skip = self._choices()
        if not path:
            self._say(_("Type the file's path first."))
            return
        self._checked = None
        self._start(_("Checking…"))
        self._dry_run(path, sheet, skip)

    @on(Checkbox.Changed, "#skip")
    def _skip_changed(self) -> None:
        if self._checked is not None:
            self._say(self._ready_text())

    def _choices(self) -> tuple[str, str, bool]:
        return self._typed_file(), self.query_one("#sheet", Input).value.strip(), self.query_one("#skip", Checkbox).value

    def _typed_file(self) -> str:
        """The file typed or pasted, as the Sync screen reads its folder (typed_path: the quotes of Windows' "Copy as
        path" taken off); a whole path pasted after the folder put in the field is the one meant (walk h-walk, 3:
        both said "No such file")."""
        text = self.query_one("#path", Input).value
        if self._offered and text.startswith(self._offered):
            pasted = typed_path(text[len(self._offered):])
            if pasted is not None and pasted.is_absolute():
                return str(pasted)
        typed = typed_path(text)
        return str(typed) if typed is not None else ""

    # --- dry run and import (in threads) -----------------------------------------

    def _busy(self) -> bool:
        return any(w.is_running for w in self.workers if w.group == "roster")

    def _start(self, text: str) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self._say(text)

    def _progress(self, done: int, total: int) -> None:
        self.app.call_from_thread(self.query_one("#progress", ProgressBar).update, total=max(total, 1), progress=done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster")
    def _dry_run(self, path: str, sheet: str, skip: bool) -> None:
        file = Path(path).expanduser()
        try:
            data, columns = preview(file, sheet or None, rows=PREVIEW_ROWS)
            self.app.call_from_thread(self._show_preview, data, columns)
            report = import_roster(self.app.db, file, dry_run=True, sheet=sheet or None, progress=self._progress,
                                   today=self.app.today())
        except UserError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show_report, report, (path, sheet, skip))

    def action_import(self) -> None:
        if self._busy():
            return
        choices = self._choices()
        if self._checked is None or self._checked[:2] != choices[:2]:
            self.action_check()
            return
        if self._invalid and not choices[2]:
            self._say(self._ready_text())
            return
        self._start(_("Importing…"))
        self._import(choices[0], choices[1], choices[2])

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster")
    def _import(self, path: str, sheet: str, skip: bool) -> None:
        try:
            report = import_roster(self.app.db, Path(path).expanduser(), skip_invalid=skip, sheet=sheet or None,
                                   progress=self._progress, today=self.app.today())
        except UserError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show_report, report, None)

    # --- showing results ---------------------------------------------------------

    def _show_preview(self, data, columns) -> None:
        table = self.query_one("#preview", DataTable)
        table.clear(columns=True)
        for i, col in enumerate(columns):
            read_as = Text(narrow("→ ") + col.label, style="green") if col.field else Text(_("→ notes (unknown)"), style="yellow")
            table.add_column(Text.assemble(printable(col.header, limit=40), "\n", read_as), key=str(i))
        for number, cells in data.rows:
            table.add_row(*(as_text(cell_text(v)) for v in cells[:len(columns)]), key=str(number))

    def _show_report(self, report, checked: tuple[str, str, bool] | None) -> None:
        table = self.query_one("#report", DataTable)
        table.clear()
        # problems first: they are what the user has to act on; the counts say the rest of a long file
        rows, unlisted = report.listed()
        for r in rows:
            style = STATUS_STYLES.get(r.status, "")
            # set as Chinese is (tui/line_breaks.py): Rich folded the sentence at the cell's edge, splitting "gridcare"
            problems = Wrapped(describe(r), style=style if r.status == "invalid" else "")
            table.add_row(str(r.row), as_text(r.name), Text(status_label(r.status), style=style), problems,
                          key=str(r.row), height=None)
        self.query_one("#progress", ProgressBar).display = False
        self._invalid = report.count("invalid")
        more = ngettext("{n} more row is not listed.", "{n} more rows are not listed.", unlisted).format(n=unlisted)
        summary = join_sentences(report.summary(), more if unlisted else "", report.footer_text())
        if checked is not None:
            self._checked = checked
            self._say(summary + "\n" + self._ready_text())
        else:
            self._checked = None
            self._say(summary)
            if report.imported:
                notify_text(self, report.summary(), title=_("Roster imported"))

    def _ready_text(self) -> str:
        if self._invalid and not self.query_one("#skip", Checkbox).value:
            return ngettext(
                "{n} row is invalid: fix the file and check it again, or tick the box to import the other rows.",
                "{n} rows are invalid: fix the file and check it again, or tick the box to import the other rows.",
                self._invalid).format(n=self._invalid)
        return _("Press Ctrl+S (or i) to import.")

    def _failed(self, text: str) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self._checked = None
        self._say(text)

    def _say(self, text: str) -> None:
        self.query_one("#summary", Static).update(Wrapped(text))  # Chinese wraps where a line is full, not at a space

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            log.error("roster worker failed", exc_info=event.worker.error)
            self._failed(_("Something went wrong; nothing was half-written. The details are in the log file."))

    def action_back(self) -> None:
        tree = next(iter(self.query("#tree").results(DirectoryTree)), None)
        if tree is not None and tree.display:
            tree.display = False
            self.query_one("#path", Input).focus()
            return
        self.app.pop_screen()

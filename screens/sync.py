"""Sync: a worker exports new records to a folder (USB stick); a clerk merges a folder of bundles and sends
the township's up to its county (screens/county_link.py); a county merges its townships' bundles."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
)
from textual.worker import Worker, WorkerState

from screens.county_link import CountyLink
from screens.dialogs import when_folder_there
from screens.sync_bundles import BundleTable, listed_text
from screens.sync_counts import pending_lines
from screens.sync_grids import EVERY_GRID, BackToGrids, every_grid_text
from screens.sync_key import TownshipKeyActions
from storage.core.errors import UserError
from storage.core.folders import typed_path
from storage.core.i18n import N_, _
from storage.sync.export import export_bundle, last_export, pending_counts
from storage.sync.folder import for_this_database, known_grids, practice_folder, preview_folder, suggested_folder
from storage.sync.merge import bundle_files, merge_paths
from tui.folder_texts import left_lines, none_for_here_text, unreadable_text
from tui.footer import TranslatedFooter
from tui.formatting import format_date
from tui.header import Header
from tui.item_lines import ItemLines
from tui.line_breaks import Wrapped
from tui.ordered_keys import TextInput
from tui.texts import describe_export, describe_outcome, describe_totals, merge_lines
from tui.ticks import TickBox

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)

class SyncScreen(TownshipKeyActions, BackToGrids, Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "sync.tcss"
    # the cursor starts in the folder box, the first thing a person types (or checks, then Enter)
    AUTO_FOCUS = "#folder"
    BINDINGS = [
        Binding("ctrl+s", "run", N_("Run"), id="sync.run"),
        Binding("ctrl+o", "browse", N_("Browse folders"), show=False, id="sync.browse"),  # on screen: Browse, the hint
        Binding("k", "township_key", N_("Add the township key"), id="sync.township_key"),
        # a worker: what the township sent back, from the folder typed (the button below the export's result)
        Binding("ctrl+r", "merge_returned", N_("Merge from the township"), id="sync.merge_returned"),
        Binding("escape", "back", N_("Back"), id="sync.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.township = False  # merges bundles (a township or a county): set from the app's identity when composed
        self.role = ""
        self.pending_summary = ""  # the pending counts as shown, in one string
        self._listed: Path | None = None  # the folder whose bundles the list shows
        self._practice: Path | None = None  # a demo township's practice bundles (storage/demo/practice.py)

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        ident = getattr(self.app, "identity", None)
        self.role = ident.role if ident else ""
        self.township = self.role in ("township", "county")
        self._practice = practice_folder(self.app.db) if self.role == "township" else None
        yield Header()
        with VerticalScroll(id="sync-body"):
            yield Static(self._intro(), id="intro")
            yield Static("", id="no-key")
            with Horizontal(id="folder-row"):
                yield Label(_("Folder"), id="folder-label")
                yield TextInput(id="folder", compact=True)
                yield Button(_("Browse"), id="browse", compact=True)
            yield Static(self._hint(), id="folder-hint")
            if self.township:
                yield BundleTable(county=self.role == "county", id="bundles")
            else:
                yield Static("", id="pending")
                yield TickBox(_("Everything, not only what is new"), id="full", compact=True)
            yield Button(_("Merge") if self.township else _("Export"), id="run", variant="primary")
            yield ProgressBar(id="progress", show_eta=False)
            yield Static("", id="result")
            if self.role == "township":
                yield Static(_("Send corrections and decisions back to a grid, or to every grid:"), id="back-intro")
                with Horizontal(id="back-row"):
                    yield Select([], prompt=_("Choose a grid"), id="grid", compact=True)
                    yield Button(_("Export for this grid"), id="export-grid", compact=True)
            if self.township:
                yield CountyLink(id="county")
            else:  # what the clerk sends back (export --grid): on the same USB stick, merged from here too
                yield Static(self._returned_intro(), id="returned-intro")
                yield Button(_("Merge the township's bundles in this folder"), id="merge-returned", compact=True)
        yield TranslatedFooter()

    def _returned_intro(self) -> str:
        return _("From the township: corrections, the visit policy, residents the clerk merged or closed.")

    def _intro(self) -> str:
        return {"township": _("Merge the bundle files that grid workers bring (USB stick or shared folder)."),
                "county": _("Merge the bundle files that the townships send to the county.")}.get(
            self.role, _("Export what you recorded since the last bundle, for the township."))

    def _hint(self) -> str:
        if not self.township:
            return _("Enter exports to this folder; Ctrl+O chooses another.")
        hint = _("Enter merges the bundles listed below; another folder typed here is listed first.")
        if self._practice is not None:  # a demo township's, written by `demo` for a first merge
            hint += "\n" + _("To practise merging: the demo's bundles from grid workers are in {folder}").format(
                folder=self._practice)
        return hint

    def language_changed(self) -> None:
        """Called by the app after a language switch (F2): this screen's words again, the county link's too."""
        self.title = _("Sync")
        self.query_one("#intro", Static).update(self._intro())
        self.query_one("#folder-hint", Static).update(self._hint())
        self.query_one("#folder-label", Label).update(_("Folder"))
        self.query_one("#browse", Button).label = _("Browse")
        self.query_one("#run", Button).label = _("Merge") if self.township else _("Export")
        self._show_key_state()
        if self.township:
            self.query_one("#bundles", BundleTable).language_changed()
            self._scan(self._folder())  # the result line says the count again, in the new words
        else:
            self.query_one("#full", Checkbox).label = _("Everything, not only what is new")
            self._load_pending()  # the counts in words, in the new language (the folder typed stays)
        for intro in self.query("#returned-intro").results(Static):
            intro.update(self._returned_intro())
        for button in self.query("#merge-returned").results(Button):
            button.label = _("Merge the township's bundles in this folder")
        for grid in self.query("#grid").results(Select):
            grid.prompt = _("Choose a grid")
        for intro in self.query("#back-intro").results(Static):
            intro.update(_("Send corrections and decisions back to a grid, or to every grid:"))
        self.grids_relabelled()
        for link in self.query(CountyLink):
            link.language_changed()

    def on_mount(self) -> None:
        self.title = _("Sync")
        self._show_key_state()
        if self._missing_key():  # nothing can go until the key is added: k first, and k must not type a "k"
            self.query_one("#sync-body").focus()
        self.query_one("#progress", ProgressBar).display = False
        self._load_start()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "township_key":
            return self._missing_key()
        if action == "merge_returned":  # what the township sent is checked with its key: none yet, nothing to merge
            return self.role == "worker" and not self._missing_key()
        return True

    # --- loading what the screen shows first -----------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-load")
    def _load_pending(self) -> None:
        self.app.call_from_thread(self._show_pending, pending_counts(self.app.db), last_export(self.app.db))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-load")
    def _load_start(self) -> None:
        db = self.app.db
        folder = suggested_folder(db, "merge" if self.township else "export")
        if self.township:
            grids = known_grids(db) if self.role == "township" else []
            self.app.call_from_thread(self._show_start, folder, None, None, grids)
        else:
            self.app.call_from_thread(self._show_start, folder, pending_counts(db), last_export(db), [])

    def _show_start(self, folder: Path, pending, last, grids) -> None:
        self.query_one("#folder", Input).value = str(folder)
        if self.township:
            if self.role == "township":
                self._show_grids(grids)
            self._scan(folder)
            return
        self._show_pending(pending, last)

    def _show_pending(self, pending: dict[str, int], last) -> None:
        parts: list = [pending_lines(pending) if pending else Text(_("Nothing new since the last bundle."))]
        if last is not None:
            parts.append(Text(_("Last bundle: number {seq}, {date}.").format(
                seq=last.seq, date=format_date(last.merged_at.date() if last.merged_at else None, "long"))))
        self.pending_summary = "\n".join(str(p if isinstance(p, ItemLines) else p.plain) for p in parts)
        self.query_one("#pending", Static).update(Group(*parts))

    # --- folder choice -----------------------------------------------------------

    def action_browse(self) -> None:
        """A folder picker that goes up to the root, lists the USB sticks and takes a typed or pasted path."""
        from screens.path_picker import PathPickerScreen

        title = _("Folder with the bundles to merge") if self.township else _("Folder to export to (e.g. the USB stick)")

        def picked(folder: Path | None) -> None:
            if folder is None:
                return
            self.query_one("#folder", Input).value = str(folder)
            if self.township:
                self._scan(folder)
            self.query_one("#run", Button).focus()

        self.app.push_screen(PathPickerScreen(title, self._folder()), picked)

    @on(Button.Pressed, "#browse")
    def _browse_pressed(self) -> None:
        self.action_browse()

    @on(Input.Submitted, "#folder")
    def _folder_typed(self, event: Input.Submitted) -> None:
        folder = typed_path(event.value) or Path.home()
        if self.township and folder == self._listed:  # its bundles are on the screen already (the folder of the
            self.action_run()  # last merge is listed on opening): Enter merges them, not lists them again
        elif self.township:  # the bundles listed, the cursor on 合并: Enter again merges them
            self._scan(folder)
            self.query_one("#run", Button).focus()
        else:
            self.action_run()

    def _folder(self) -> Path:
        # typed or pasted: quotes from "Copy as path" and ~ are understood (storage/core/folders.py)
        return typed_path(self.query_one("#folder", Input).value) or Path.home()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-scan")
    def _scan(self, folder: Path, announce: bool = True) -> None:
        listings = preview_folder(self.app.db, folder) if folder.is_dir() else []
        self.app.call_from_thread(self._show_listings, listings, announce, folder if folder.is_dir() else None)

    def _show_listings(self, listings, announce: bool, folder: Path | None = None) -> None:
        self._listed = folder
        self.query_one("#bundles", BundleTable).show(listings)
        if not announce:
            return
        self.query_one("#result", Static).update(Wrapped(listed_text(listings)))

    # --- running -----------------------------------------------------------------

    def action_run(self) -> None:
        if self._busy():
            return
        if self.township:
            self._start_progress()
            self._merge(self._folder())
        else:
            self._export_asked(self._folder(), self.query_one("#full", Checkbox).value)

    @on(Button.Pressed, "#run")
    def _run_pressed(self) -> None:
        self.action_run()

    @on(Select.Changed, "#grid")
    def _grid_chosen(self, event: Select.Changed) -> None:
        self._label_button(event.value)

    @on(Button.Pressed, "#export-grid")
    def _export_grid_pressed(self) -> None:
        self.export_grid_pressed()

    def _export_asked(self, folder: Path, full: bool, grid: str | None = None) -> None:
        def go() -> None:
            self._start_progress()
            self._export(folder, full, grid)

        when_folder_there(self.app, folder, go)

    @on(Button.Pressed, "#merge-returned")
    def _merge_returned_pressed(self) -> None:
        self.action_merge_returned()

    def action_merge_returned(self) -> None:
        if self._busy():
            return
        self._start_progress()
        self._merge_returned(self._folder())

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-run")
    def _merge_returned(self, folder: Path) -> None:
        # the other workers' bundles on the stick go unsaid here; a damaged file is named (it may be the township's)
        taken = for_this_database(self.app.db, [folder]) if folder.is_dir() else None
        damaged = [unreadable_text(b.problem) for b in taken.unreadable] if taken else []
        if taken is None or not taken.paths:
            self.app.call_from_thread(self._finished, "\n".join(
                [_("No bundle from the township for this grid in {folder}.").format(folder=folder), *damaged]))
            return
        report = merge_paths(self.app.db, taken.paths, progress=self._progress)
        lines = [describe_outcome(b) for b in report.bundles] + describe_totals(report) + damaged
        self.app.call_from_thread(self._finished, "\n".join(lines))
        self.app.call_from_thread(self._load_pending)

    def _busy(self) -> bool:
        return any(w.is_running for w in self.workers if w.group == "sync-run")

    def _start_progress(self) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#result", Static).update(_("Working…"))
        # below a long list of bundles at 80×24: brought into view, or the clerk sees neither bar nor result
        self.call_after_refresh(bar.scroll_visible)

    def _progress(self, done: int, total: int) -> None:
        self.app.call_from_thread(self.query_one("#progress", ProgressBar).update, total=max(total, 1), progress=done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-run")
    def _export(self, folder: Path, full: bool, grid: str | None = None) -> None:
        db = self.app.db
        try:
            text = every_grid_text(db, folder, self._progress) if grid == EVERY_GRID else describe_export(
                export_bundle(db, folder, full=full, grid_code=grid, progress=self._progress), name_apart=True)
        except UserError as exc:
            self.app.call_from_thread(self._finished, str(exc))
            return
        self.app.call_from_thread(self._finished, text)
        if grid is None:
            self.app.call_from_thread(self._show_pending, pending_counts(db), last_export(db))

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-run")
    def _merge(self, folder: Path) -> None:
        if not folder.is_dir() or not bundle_files([folder]):
            self.app.call_from_thread(self._finished, _("No bundle files (*.gcb) found there."))
            return
        taken = for_this_database(self.app.db, [folder])
        if not taken.paths:
            self.app.call_from_thread(self._finished, "\n".join([*left_lines(taken), none_for_here_text(taken.role)]))
            return
        report = merge_paths(self.app.db, taken.paths, progress=self._progress)
        lines = left_lines(taken) + merge_lines(report)
        if report.waiting and self.role == "county":
            lines.append(_("Bundles from townships the county has not enrolled wait: check each one's key fingerprint "
                           "with its clerk, then approve it on the Townships' keys screen (a, or gridcare devices "
                           "approve ID --township CODE)."))
        elif report.waiting:
            # the way there said (walk cwalk: "on the Devices screen" was read, and the clerk looked for it on Sync)
            lines.append(_("Bundles from devices that are not enrolled wait: check each device's key fingerprint with "
                           "its worker (in person or by phone), then approve it on the Devices screen (Esc, then d on "
                           "Home; there, a)."))
        self.app.call_from_thread(self._finished, "\n".join(lines))
        self.app.call_from_thread(self._scan, folder, False)
        self.app.call_from_thread(self._folder_again)
        self.app.call_from_thread(self._county_counts_again)
        if self.role == "township":  # a grid's first bundle enrols its device: it can have one back now
            self.app.call_from_thread(self._show_grids, known_grids(self.app.db))

    def _folder_again(self) -> None:
        """After a merge started from 合并, the folder box again, its path selected: the next folder (another
        grid's stick) is typed at once; it had stayed on the button, where typing went nowhere (walk G)."""
        if self.focused is self.query_one("#run", Button):
            self.query_one("#folder", Input).focus(scroll_visible=False)  # the result stays in view

    def _county_counts_again(self) -> None:
        """What waits for the county grew with the merge: read again (it said 0 after merging two records)."""
        for link in self.query(CountyLink):
            link.reload()

    def _finished(self, text: str) -> None:
        self.query_one("#progress", ProgressBar).display = False
        result = self.query_one("#result", Static)
        result.update(Wrapped(text))  # Chinese wraps where a line is full, not at the space before a number
        # a result of many lines kept the one line of "Working…" until the terminal was resized (seen at a
        # township's 40 bundles): the page is laid out again for it, then brought into view
        self.set_timer(0.05, self._lay_out_result)

    def _lay_out_result(self) -> None:
        result = self.query_one("#result", Static)
        result.refresh(layout=True)
        self.query_one("#sync-body").refresh(layout=True)
        self.call_after_refresh(result.scroll_visible, top=True)  # its first lines: what was merged

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            from screens.worker_errors import damage_named
            from storage.core.errors import as_user_error

            known = damage_named(self.app, event.worker.error) or as_user_error(event.worker.error)  # a full disk, busy
            if known is not None:
                self._finished(str(known))
                return
            log.error("sync worker failed", exc_info=event.worker.error)
            self._finished(_("Something went wrong; nothing was half-written. The details are in the log file."))

    def action_back(self) -> None:
        self.app.pop_screen()

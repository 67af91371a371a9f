"""Reports: this month's coverage per village, grid or category; drill down; write an XLSX.

The figures come from storage.reports.monthly.monthly_report, the same function behind
`gridcare report` and the files; this screen only chooses and shows.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from screens.dialogs import when_folder_there
from screens.report_list import ReportListScreen
from screens.worker_errors import damage_named
from storage.core.china_day import china_today
from storage.core.errors import UserError
from storage.core.folders import typed_path
from storage.core.i18n import N_, _
from storage.reports.files import display_width, notes, report_file_name, save_report, summary_cells, summary_headers
from storage.reports.monthly import (
    COUNTY_GROUPINGS,
    GROUPINGS,
    LISTS,
    MEASURES,
    TOWNSHIP_GROUPINGS,
    MonthlyReport,
    add_trend,
    monthly_report,
)
from storage.reports.months import shift_month
from storage.reports.people import is_no_village
from storage.reports.xlsx_sheets import month_words
from tui.as_text import as_text
from tui.footer import TranslatedFooter
from tui.formatting import cell_text, format_month, format_number
from tui.header import Header
from tui.ordered_keys import TextInput
from tui.table import Table
from tui.texts import two_lines
from tui.trend_chart import (
    rate_bar,  # noqa: F401  (the bars of the chart; also used by tests)
    trend_text,
)

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)
MONTH_KEYS = Binding.Group(N_("Month"), compact=True)


# the totals row's key in the table: the rows' own keys include "" (residents with no village yet)
TOTAL_KEY = "__total__"


def month_label(year: int, month: int) -> str:
    return format_month(dt.date(year, month, 1))


class _Superseded(Exception):
    """The month being read was left for another: its reading stops."""


class ReportsScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "reports.tcss"
    # the figures, not the grouping's choice (g changes it): arrows move between them and Enter lists their people
    AUTO_FOCUS = "#summary"
    BINDINGS = [
        # one footer entry "[ ] 月份" for the pair (F1 lists each)
        Binding("left_square_bracket", "month(-1)", N_("Previous month"), id="reports.previous", group=MONTH_KEYS),
        Binding("right_square_bracket", "month(1)", N_("Next month"), id="reports.next", group=MONTH_KEYS),
        Binding("g", "grouping", N_("Grouping"), show=False, id="reports.grouping"),  # the choice is on screen
        Binding("v", "chart", N_("Chart"), id="reports.chart"),
        Binding("t", "trend", N_("Trend"), id="reports.trend"),
        Binding("x", "export", N_("Export"), id="reports.export"),  # (.xlsx or .csv, by the name typed)
        Binding("escape", "back", N_("Back"), id="reports.back"),
    ]

    def help_rows(self) -> list[tuple[str, str]]:
        return [(_("Enter"), N_("List the people behind the highlighted figure")),
                (_("Arrows"), N_("Move from figure to figure"))]

    def __init__(self) -> None:
        super().__init__()
        self.year, self.month = china_today().timetuple()[:2]  # this month in China
        self.grouping = "village"
        self.report = None
        self._named = ""  # the file name the box was last given for a month: another month's replaces it

    def _groupings(self) -> tuple[str, ...]:
        """The report's tables: a county's begins with its townships."""
        ident = self.app.identity
        return COUNTY_GROUPINGS if ident is not None and ident.role == "county" else TOWNSHIP_GROUPINGS

    def compose(self) -> ComposeResult:
        groupings = self._groupings()
        self.grouping = groupings[0]
        yield Header()
        with Horizontal(id="report-bar"):
            yield Static("", id="month", markup=False)
            yield Select([(_(GROUPINGS[key]), key) for key in groupings], value=self.grouping, allow_blank=False,
                         id="grouping", compact=True)
        yield Static("", id="report-notes")
        # headers on two lines ("紧急和/高风险") and one space between columns, each cell's first (_fill): all eight fit
        # 80 columns, none cut to "超", nor "Aged out" in English by grid (茅山村第一网格) as with two spaces
        yield Table(id="summary", cursor_type="cell", zebra_stripes=True, header_height=2, cell_padding=0)
        with VerticalScroll(id="chart-box"):
            yield Static("", id="chart")
        with VerticalScroll(id="trend-box"):
            yield Static("", id="trend")
        yield ProgressBar(id="progress", show_eta=False)
        yield TextInput(id="out", placeholder=_("File to write, e.g. report.xlsx"))
        yield Static("", id="status")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("Reports")
        if self.report is None:  # opened: this month; composed again by F2 (tui/relabel.py): the month shown stays
            today = self.app.today()
            self.year, self.month = today.year, today.month
        self.query_one("#chart-box").display = False
        self.query_one("#trend-box").display = False
        self.query_one("#out", Input).display = False
        self.query_one("#progress", ProgressBar).display = False
        self.refresh_report()

    # --- computing ------------------------------------------------------------------

    def refresh_report(self) -> None:
        self.query_one("#month", Static).update(_("{month}  ([ and ] change the month)").format(
            month=month_label(self.year, self.month)))
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.workers.cancel_group(self, "reports-drill")  # a list of the month left is not opened over the new one
        self._compute(self.year, self.month)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reports-compute")
    def _compute(self, year: int, month: int) -> None:
        # a month left while it is read (Reports opens on this month; a county's clerk goes straight on to the last):
        # its thread stops at the report's next step instead of reading on beside the new month's (17.8 s, not 3.7)
        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise _Superseded
            self.app.call_from_thread(self.query_one("#progress", ProgressBar).update, total=total, progress=done)

        try:
            report = monthly_report(self.app.db, year, month, today=self.app.today(), progress=progress)
        except UserError as exc:  # (a damaged record named, and what to do said as the file's or the server's)
            self.app.call_from_thread(self._fail, str(damage_named(self.app, exc) or exc))
            return
        except _Superseded:
            return
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._show, report)
        # the twelve months' rates after the figures (a county's: seconds), drawn when read
        add_trend(self.app.db, report)
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._trend_read, report)
        # those not visited and every key person, read now off the screen's thread: a drill into them is then
        # immediate. Not at a county: 120,000 people made one by one (10–15 s) held Python's lock from the
        # screen, which answered keys seconds late; its rows of a township, village or grid read theirs alone
        if not report.is_county:
            report.not_visited  # noqa: B018
            report.people  # noqa: B018

    def _fail(self, message: str) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#status", Static).update(as_text(message))

    def _show(self, report) -> None:
        if (report.year, report.month) != (self.year, self.month):  # (a month left: its figures under the new name)
            return
        self.report = report
        self.query_one("#progress", ProgressBar).display = False
        self._fill()

    def _fill(self) -> None:
        if self.report is None:
            return
        text = notes(self.report)
        if self.grouping == "village" and any(is_no_village(r.key) for r in self.report.rows["village"]):
            # a row named "no village" told no one why, nor who can change it
            text += "\n" + (_("No village: grids not yet in a village (their townships place them).")
                             if self.report.is_county else _("No village: grids not yet in a village (v on Home places them)."))
        self.query_one("#report-notes", Static).update(as_text(text))
        table = self.query_one("#summary", DataTable)
        table.clear(columns=True)
        for i, header in enumerate(summary_headers(self.grouping)):
            table.add_column("\n".join(" " + line for line in (two_lines(header) if i else header).split("\n")), key=str(i))
        for row in self.report.rows[self.grouping] + [self.report.totals]:
            cells = [cell_text(v) for v in summary_cells(row)]
            table.add_row(as_text(" " + cells[0]), *(" " + c.rjust(6) for c in cells[1:]),
                          key=TOTAL_KEY if row.key is None else row.key)
        self._draw_chart()

    def _draw_chart(self) -> None:
        rows = self.report.rows[self.grouping] + [self.report.totals]
        width = max(display_width(r.shown_label) for r in rows)
        text = Text()
        for r in rows:
            text.append(r.shown_label + " " * (width - display_width(r.shown_label) + 1))
            text.append(rate_bar(r.visit_rate), style="green" if (r.visit_rate or 0) >= 0.9 else "yellow")
            text.append(f" {cell_text(r.visit_rate) or '-'}\n")
        self.query_one("#chart", Static).update(text)
        self._draw_trend()

    def _trend_read(self, report: MonthlyReport) -> None:
        if report is self.report:  # (not a month left meanwhile)
            self._draw_trend()

    def _draw_trend(self) -> None:
        trend = self.report.trend
        self.query_one("#trend", Static).update(
            trend_text(trend, lambda rate: cell_text(rate, "rate"), month_words, display_width) if trend is not None
            else _("Reading the twelve months' rates…"))

    # --- choosing -------------------------------------------------------------------

    def action_month(self, delta: int) -> None:
        year, month = shift_month(self.year, self.month, delta)
        today = self.app.today()
        if (year, month) > (today.year, today.month):
            self.query_one("#status", Static).update(_("That month has not begun yet."))
            return
        self.year, self.month = year, month
        self.query_one("#status", Static).update("")
        self.refresh_report()

    def action_grouping(self) -> None:
        keys = list(self._groupings())
        self.query_one("#grouping", Select).value = keys[(keys.index(self.grouping) + 1) % len(keys)]

    @on(Select.Changed, "#grouping")
    def _grouping_changed(self, event: Select.Changed) -> None:
        self.grouping = str(event.value)
        self._fill()

    def action_chart(self) -> None:
        self._show_view("chart-box")

    def action_trend(self) -> None:
        self._show_view("trend-box")

    def _show_view(self, box_id: str) -> None:
        """One of the summary table, the rate chart and the 12-month trend; the key pressed again goes back."""
        box = self.query_one(f"#{box_id}")
        show = not box.display
        for other in ("chart-box", "trend-box"):
            self.query_one(f"#{other}").display = show and other == box_id
        table = self.query_one("#summary", DataTable)
        table.display = not show
        if not show:  # (hidden, it had lost the focus to the grouping's choice, where Enter opens the choice)
            table.focus()

    @on(DataTable.CellSelected, "#summary")
    def _drill(self, event: DataTable.CellSelected) -> None:
        if self.report is None:
            return
        measures = list(MEASURES)
        column = event.coordinate.column
        measure = measures[column - 1] if column > 0 else "key_persons"
        key = event.cell_key.row_key.value
        key = None if key == TOTAL_KEY else key
        if self.report.is_read(measure, self.grouping, key):
            self._open_list(self.report, self.grouping, key, measure, self.report.behind(self.grouping, key, measure))
        else:  # still being read by _compute (a county's: seconds): wait for it off the screen's thread
            self.query_one("#status", Static).update(_("Reading the list…"))  # (a toast stayed over the list once up)
            self._list_later(self.report, self.grouping, key, measure)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reports-drill")
    def _list_later(self, report: MonthlyReport, grouping: str, key: str | None, measure: str) -> None:
        from storage.reports.township_people import alone_in, township_people

        try:
            town = alone_in(report, grouping, key)
            if town is not None:  # a county's row of one township: read for it alone (a second), not the county's
                rows = township_people(self.app.db, report.year, report.month, town, measure, today=self.app.today(),
                                       grouping=grouping, key=key)
            else:
                rows = report.behind(grouping, key, measure)
            # another figure chosen meanwhile (its list would open over it), the month changed, or the screen left
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._open_later, report, grouping, key, measure, rows)
        finally:  # said until the list is up, or the reading failed; a figure or a month chosen since says its own
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self.query_one("#status", Static).update, "")

    def _open_later(self, report: MonthlyReport, grouping: str, key: str | None, measure: str, rows: list) -> None:
        if self.is_current and report is self.report:
            self._open_list(report, grouping, key, measure, rows)

    def _open_list(self, report: MonthlyReport, grouping: str, key: str | None, measure: str, rows: list) -> None:
        drill = {"visit_rate": "not_visited"}.get(measure, measure)
        self.query_one("#status", Static).update("")  # not "Reading the list…" on coming back to the figures

        def heading() -> str:  # worded when drawn: F2 on the list words it again
            shown = next((r.label for r in report.rows[grouping] if r.key == key), report.totals.shown_label)
            return _("{what} — {group}: {label}, {month}").format(
                what=_(LISTS.get(drill) or MEASURES[measure]), group=_(GROUPINGS[grouping]), label=shown,
                month=month_label(report.year, report.month))

        self.app.push_screen(ReportListScreen(heading, "open_referrals" if measure == "open_referrals" else drill, rows))

    # --- writing a file -------------------------------------------------------------

    def action_export(self) -> None:
        if self.report is None:
            return
        field = self.query_one("#out", Input)
        name = report_file_name(self.report)
        from storage.sync.folder import suggested_folder

        typed = Path(field.value)  # the month changed since ([ ]): November's went out as …2026年12月….xlsx (walk cwalk)
        if self._named and field.value and typed.stem == Path(self._named).stem:
            field.value = str(typed.with_name(Path(name).stem + typed.suffix))
        elif not field.value:  # the folder of the last report written (a stick's, the office's), else home
            field.value = str(suggested_folder(self.app.db, "report") / name)
        self._named = name
        field.display = True
        field.focus()
        # the box alone said nothing of what it is for, nor how to leave it
        self.query_one("#status", Static).update(_("Save the report as a workbook (.xlsx) or as CSV "
                                                   "(.csv): Enter writes it to this file, Esc cancels."))

    @on(Input.Submitted, "#out")
    def _export_submitted(self, event: Input.Submitted) -> None:
        typed = typed_path(event.value)  # quotes from "Copy as path" and ~ understood, as the Sync screen's
        report = self.report
        if typed is None or report is None:
            return
        # a folder typed (a stick's): the report goes into it under its usual name, not beside it as "stick.xlsx"
        path = typed / report_file_name(report) if typed.is_dir() else typed
        if path.suffix.lower() not in (".xlsx", ".csv"):  # a name typed .csv is written as CSV, as it says
            path = path.with_suffix(".xlsx")

        def write() -> None:
            self.query_one("#status", Static).update(as_text(_("Writing {file}…").format(file=path)))
            self._write(report, path)

        def go() -> None:
            if not path.exists():
                write()
                return
            # last month's workbook, signed and filed, was replaced without a word (walk G, 11)
            from screens.dialogs import ConfirmScreen

            self.app.push_screen(ConfirmScreen(_("{file} already exists. Replace it with this report?").format(
                file=path), yes=_("Replace"), no=_("Cancel")), lambda yes: write() if yes else None)

        when_folder_there(self.app, path.parent, go)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reports-write")
    def _write(self, report, path: Path) -> None:
        try:
            written = save_report(self.app.db, report, path)
        except UserError as exc:
            self.app.call_from_thread(self._fail, str(damage_named(self.app, exc) or exc))
            return
        self.app.call_from_thread(self._written, written)

    def _written(self, written: list[Path]) -> None:
        self.query_one("#out", Input).display = False
        message = _("Report written: {file}").format(file=written[0])
        if len(written) > 1:  # CSV: one file per table, side by side
            message = _("Report written: {file} and {n} more files beside it").format(
                file=written[0], n=format_number(len(written) - 1))
        self.query_one("#status", Static).update(as_text(message))
        self.query_one("#summary", DataTable).focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # the app logs the error and says where; here the line that said "Writing …" (or the bar) must not stay
        if event.state == WorkerState.ERROR and event.worker.group in ("reports-write", "reports-compute"):
            self._fail(_("The report could not be made; the details are in the log file."))

    def action_back(self) -> None:
        field = self.query_one("#out", Input)
        if field.display:
            field.display = False
            self.query_one("#status", Static).update("")
            self.set_focus(self.query_one("#summary", DataTable))
            return
        self.app.pop_screen()


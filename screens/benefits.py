"""A resident's assistance statuses and subsidies: the periods recorded, and what the rules say is due.

Keys: a records a period (on an 应享未享 line: of that subsidy), x ends the selected one,
d deletes one entered by mistake, Esc goes back. The rules: storage/register/eligibility.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey

from screens.dialogs import ConfirmScreen
from screens.latest import show_if_latest
from screens.worker_errors import NotifyWorkerErrors
from storage.core.i18n import N_, _, day_text
from storage.core.text import printable
from storage.register.categories import BENEFIT_KINDS, LEGACY_FLAGS, join_list, label
from storage.register.periods import ENDING_DAYS
from tui.as_text import as_text, notify_text
from tui.footer import TranslatedFooter
from tui.header import Header
from tui.table import Table

if TYPE_CHECKING:
    from screens.host import ScreenHost


COLUMNS = (("kind", N_("Assistance or subsidy")), ("from", N_("From")), ("until", N_("Until")),
           ("state", N_("Status")), ("note", N_("Note")))


def state_text(b, today) -> Text:
    """In force / ends soon / ended / not yet begun, on `today`."""
    from storage.register.periods import Period

    p = Period(b.kind, b.start_on, b.end_on)
    if p.current(today):
        if p.ends_soon(today, ENDING_DAYS):
            return Text(_("ends within {n} days").format(n=ENDING_DAYS), style="bold dark_orange")
        return Text(_("in force"), style="green")
    if b.start_on is not None and b.start_on > today:
        return Text(_("not begun yet"), style="dim")
    return Text(_("ended"), style="dim")


def benefit_lines(r, summary, today, *, keys: bool = True) -> list[Text]:
    """The resident page's lines: benefits in force (or ending), 应享未享, the paired helper or its absence.

    `keys`: the lines say which key records what is missing (not at a county, where the page changes nothing)."""
    from storage.register.pairing import should_be_paired
    from storage.register.periods import Period, period_text

    def field(name: str, value: str | Text, style: str = "") -> Text:
        line = Text(name + _(": "), style="bold")
        line.append(value if isinstance(value, Text) else Text(value or "—", style=style))
        return line

    lines = []
    if summary is not None:
        current = [b for b in summary.benefits if Period(b.kind, b.start_on, b.end_on).current(today)]
        shown = join_list(_("{kind} ({period})").format(kind=label(BENEFIT_KINDS, b.kind),
                                                             period=period_text(b.start_on, b.end_on)) for b in current)
        shown = shown or join_list(label(LEGACY_FLAGS, f) for f in summary.legacy_flags)
        # the key said where the page says what is missing, as the paired helper's line does: b is in no footer
        lines.append(field(_("Assistance and subsidies"),
                           shown or Text(_("none recorded: press b to record one") if keys else _("none recorded"))))
        if summary.unclaimed:
            unclaimed = Text(join_list(label(BENEFIT_KINDS, h.benefit) for h in summary.unclaimed), "bold dark_orange")
            if keys:
                unclaimed.append("  " + _("(b: record it)"), style="dim")
            lines.append(field(_("Eligible, not recorded as receiving"), unclaimed))
    if r.helper_name:
        since = _("since {start}").format(start=day_text(r.helper_since, "medium")) if r.helper_since else ""
        lines.append(field(_("Paired helper"), " ".join(x for x in (r.helper_name, r.helper_unit, r.helper_phone, since)
                                                        if x)))
    elif should_be_paired(r.categories):
        lines.append(field(_("Paired helper"), _("none yet: press p to name one") if keys else _("none yet"),
                           "bold dark_orange"))
    return lines


class BenefitsScreen(NotifyWorkerErrors, Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "benefits.tcss"
    BINDINGS = [
        Binding("a", "record", N_("Record"), id="benefits.record"),
        Binding("x", "end", N_("End"), id="benefits.end"),
        Binding("d", "delete", N_("Delete"), id="benefits.delete"),
        Binding("escape", "back", N_("Back"), id="benefits.back"),
    ]

    def __init__(self, resident_id: str, name: str = ""):
        super().__init__()
        self.resident_id = resident_id
        self.resident_name = name
        self.summary = None  # storage.register.benefits.BenefitSummary

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static(_("Loading…"), id="hints")
            yield Table(id="benefits", cursor_type="row", zebra_stripes=True)
            yield Static("", id="empty")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = printable(self.resident_name)
        self.sub_title = _("Assistance and subsidies")
        table = self.query_one("#benefits", DataTable)
        for key, title in COLUMNS:
            table.add_column(_(title), key=key)
        self.reload()

    def on_screen_resume(self) -> None:
        if self.summary is not None:
            self.reload()

    def language_changed(self) -> None:
        self.sub_title = _("Assistance and subsidies")
        table = self.query_one("#benefits", DataTable)
        for key, title in COLUMNS:
            table.columns[ColumnKey(key)].label = Text(_(title))
        if self.summary is not None:
            self._show(self.summary)

    def reload(self) -> None:
        self._load(self.resident_id)

    LOAD_GROUPS = frozenset({"benefits-load"})

    def load_failed(self, line: str) -> None:
        """What could not be read (a record edited into text that is not JSON), in place of "Loading…"."""
        self.query_one("#hints", Static).update(as_text(line, style="bold red"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="benefits-load")
    def _load(self, resident_id: str) -> None:
        from storage.register.benefits import benefit_summary

        summary = benefit_summary(self.app.db, resident_id, self.app.today())
        show_if_latest(self.app, self._show, summary)

    def _show(self, summary) -> None:
        from tui.formatting import format_column_date

        self.summary = summary
        today = self.app.today()
        lines: list[Text] = []
        for hint in summary.unclaimed:
            lines.append(Text(_("Eligible, not recorded as receiving: {benefit} ({why})").format(
                benefit=label(BENEFIT_KINDS, hint.benefit), why=join_list(_(w) for w in hint.why)),
                style="bold dark_orange"))
        for hint in summary.hints:
            if hint not in summary.unclaimed:
                lines.append(Text(_("Eligible and receiving: {benefit}").format(benefit=label(BENEFIT_KINDS, hint.benefit)),
                                  style="green"))
        for flag in summary.legacy_flags:
            lines.append(Text(_("Marked {status} by an older release, without dates: press a to record its period.")
                              .format(status=label(LEGACY_FLAGS, flag)), style="italic"))
        if not lines:
            lines.append(Text(_("No subsidy is due by the rules."), style="dim"))
        self.query_one("#hints", Static).update(Group(*lines))
        table = self.query_one("#benefits", DataTable)
        cursor = table.cursor_row
        table.clear()
        for b in summary.benefits:
            # dates in a column as in the resident page's tables: ten characters that line up (the short form
            # was 2026/9/11 over 2026/11/4, and 6/1/25 in English)
            table.add_row(label(BENEFIT_KINDS, b.kind), format_column_date(b.start_on) if b.start_on else _("not known"),
                          format_column_date(b.end_on), state_text(b, today), as_text(b.note), key=b.id)
        table.display = bool(summary.benefits)
        empty = self.query_one("#empty", Static)
        empty.display = not summary.benefits
        empty.update(Text(_("No assistance or subsidy recorded."), style="dim"))
        if summary.benefits:
            table.move_cursor(row=min(cursor, len(summary.benefits) - 1))
            table.focus()

    def _selected(self):
        if self.summary is None or not self.summary.benefits:
            notify_text(self, _("No record yet: press a to record one."))
            return None
        table = self.query_one("#benefits", DataTable)
        return self.summary.benefits[min(table.cursor_row, len(self.summary.benefits) - 1)]

    # --- actions -------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_record(self) -> None:
        from screens.benefit_form import BenefitFormScreen

        kind = self.summary.unclaimed[0].benefit if self.summary and self.summary.unclaimed else None
        self.app.push_screen(BenefitFormScreen(self.resident_id, kind=kind), self._saved)

    def action_end(self) -> None:
        from screens.benefit_form import BenefitFormScreen

        b = self._selected()
        if b is not None:
            self.app.push_screen(BenefitFormScreen(self.resident_id, benefit=b), self._saved)

    def action_delete(self) -> None:
        b = self._selected()
        if b is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._delete(b.id)

        self.app.push_screen(ConfirmScreen(_("Delete the record of {kind}? Only for a record entered by mistake; a "
                                             "period that stopped is ended (x).").format(kind=label(BENEFIT_KINDS, b.kind)),
                                           danger=True), answer)

    def _saved(self, benefit_id: str | None) -> None:
        if benefit_id:
            notify_text(self, _("Saved."))
        # cancelled too: the form may have said the record changed since the list was read (a merged bundle)
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="benefits-write")
    def _delete(self, benefit_id: str) -> None:
        from storage.register.benefits import delete_benefit

        delete_benefit(self.app.db, benefit_id)
        self.app.call_from_thread(notify_text, self, _("Deleted."))
        self.app.call_from_thread(self.reload)

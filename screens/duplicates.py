"""Possible duplicate residents: merge one into the other (m), swap which is kept (s), undo a merge (u)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from rich.table import Table as RichTable
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from screens.latest import show_if_latest
from screens.read_only import at_county
from storage.core.errors import UserError
from storage.core.glyphs import narrow
from storage.core.i18n import N_, _, join_list, ngettext
from storage.register.categories import with_derived
from storage.register.duplicates import REASONS, merge_residents, not_carried, review, undo_merge
from storage.register.field_labels import FIELD_LABELS
from storage.register.idnumbers import mask_id
from storage.register.policy import age_on
from storage.register.value_labels import value_text
from tui.as_text import as_text
from tui.footer import TranslatedFooter
from tui.formatting import format_date, format_number
from tui.header import Header
from tui.table import Table

if TYPE_CHECKING:
    from screens.host import ScreenHost

log = logging.getLogger(__name__)


def _who(r, *more: str) -> Text:
    """A record in a list: the name and where it is registered (the details are in the comparison below)."""
    return as_text(narrow(" · ").join(p for p in (r.name, r.grid or r.grid_code.split("-", 1)[-1], *more) if p))


def _told_apart(r, other) -> Text:
    """A record in the merge's question: _who, and its masked ID number (or that it has none), so that two
    records of one name and grid are told apart; when those read alike for `other` too (one ID number, one grid:
    walk G, 6), the day each was registered, and then how often each was visited."""
    def said(x) -> list[str]:
        return [x.name, x.grid or x.grid_code, mask_id(x.id_number) if x.id_number else ""]

    more = [mask_id(r.id_number) if r.id_number else _("no ID number")]
    if said(r) == said(other):
        if r.registered_on != other.registered_on and r.registered_on:
            more.append(_("registered {date}").format(date=format_date(r.registered_on)))
        else:
            more.append(ngettext("{n} visit", "{n} visits", r.visits).format(n=format_number(r.visits))
                        if r.visits else _("No visits yet"))
    return _who(r, *more)


def _facts(r, today: dt.date) -> list[tuple[str, str]]:
    """(what, value) for the comparison: what tells whether two records are one person, and which to keep.

    The categories as the resident's page shows them, 高龄老年人 from the birth date too: with the stored ones
    alone, two elders of 81 compared with "Categories —" each while their pages said Advanced age (80+).
    """
    shown = with_derived(list(r.categories), age_on(r.birth_date, today))
    visits = (ngettext("{n} visit", "{n} visits", r.visits).format(n=format_number(r.visits))
              + (_(", the latest {date}").format(date=format_date(r.last_visit)) if r.last_visit else "")) \
        if r.visits else _("No visits yet")
    status = "" if r.status == "active" else value_text("resident", "status", r.status) or r.status
    return [
        (_(FIELD_LABELS["name"]), r.name or "—"),  # two names under one ID number: a mistyped number, or one child?
        (_(FIELD_LABELS["id_number"]), mask_id(r.id_number) if r.id_number else "—"),
        (_(FIELD_LABELS["sex"]) + narrow(" / ") + _(FIELD_LABELS["birth_date"]),
         narrow(" · ").join(p for p in (value_text("resident", "sex", r.sex) if r.sex else "",
                                        format_date(r.birth_date) if r.birth_date else "") if p) or "—"),
        (_(FIELD_LABELS["grid_code"]) + narrow(" / ") + _(FIELD_LABELS["village_code"]),
         narrow(" · ").join(p for p in (r.grid, r.village) if p) or "—"),
        (_(FIELD_LABELS["address"]), r.address or "—"),
        (_(FIELD_LABELS["phone"]), r.phone or "—"),
        (_(FIELD_LABELS["categories"]), value_text("resident", "categories", shown) or "—"),
        (_("Registered on"), format_date(r.registered_on) if r.registered_on else "—"),
        (_("Visits"), visits + (narrow(" · ") + status if status else "")),
    ]


def comparison(keep, dup, *, today: dt.date) -> RichTable:
    """The two records side by side; a line where they differ is highlighted (the clerk looks there first)."""
    grid = RichTable.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1, overflow="fold")
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row(Text(""), Text(_("Keep"), style="bold underline"), Text(_("Merge into it"), style="bold underline"))
    for (what, kept), (_what, other) in zip(_facts(keep, today), _facts(dup, today), strict=True):
        style = "bold yellow" if kept != other else ""
        grid.add_row(Text(what), as_text(kept, style=style), as_text(other, style=style))
    return grid


class DuplicatesScreen(Screen[None]):
    app: ScreenHost  # the app it runs in: screens/host.py
    CSS_PATH = "duplicates.tcss"
    BINDINGS = [
        Binding("m", "merge", N_("Merge"), id="duplicates.merge"),
        Binding("s", "swap", N_("Swap which is kept"), id="duplicates.swap"),
        Binding("u", "undo", N_("Undo merge"), id="duplicates.undo"),
        Binding("escape", "back", N_("Back"), id="duplicates.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._pairs: dict[str, tuple[str, str]] = {}  # row key -> (keep, duplicate)
        self._briefs: dict[str, tuple] = {}  # row key -> (keep, duplicate) as shown side by side
        self._merged: dict[str, Any] = {}  # the merged list's row key (the duplicate's id) -> its MergedResident
        self._swapped: set[str] = set()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a county merges no one: the township does, and the merge reaches the county in its bundle
        if action in ("merge", "swap", "undo") and at_county(self.app):
            return False
        # keys for a row only while there is one: with none, the footer offers no m or s that would do nothing
        if action in ("merge", "swap"):
            return bool(self._pairs)
        if action == "undo":
            return bool(self._merged)
        return True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Possible duplicates: the same person registered twice?"), id="pairs-title", classes="section")
        yield Static(_("No possible duplicates."), id="pairs-none", classes="section")
        yield Table(id="pairs", cursor_type="row", zebra_stripes=True)
        yield Static("", id="compare")
        yield Static(_("Merged residents:") if at_county(self.app) else _("Merged residents (u to undo):"),
                     id="merged-title", classes="section")
        yield Table(id="merged", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("Duplicate residents")
        pairs = self.query_one("#pairs", DataTable)
        pairs.add_column(_("Why"), key="why")  # first: the two people's lines are long, the reason is short
        pairs.add_column(_("Keep"), key="keep")
        pairs.add_column(_("Merge into it"), key="dup")
        merged = self.query_one("#merged", DataTable)
        merged.add_column(_("Merged resident"), key="dup")
        merged.add_column(_("Kept as"), key="keep")
        self.query_one("#pairs-none").display = False  # (said once the list is read, if it is empty)
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="duplicates-load")
    def _load(self, status: str = "") -> None:
        pairs, merged = review(self.app.db)
        show_if_latest(self.app, self._show, pairs, merged, status)

    def _show(self, pairs, merged, status: str) -> None:
        table = self.query_one("#pairs", DataTable)
        table.clear()
        self._pairs, self._briefs = {}, {}
        for pair, first, second in pairs:
            key = f"{pair.first_id}:{pair.second_id}"
            keep, dup = (second, first) if key in self._swapped else (first, second)
            self._pairs[key] = (keep.id, dup.id)
            self._briefs[key] = (keep, dup)
            table.add_row(_(REASONS[pair.reason]), _who(keep), _who(dup), key=key)
        self._compare()
        done = self.query_one("#merged", DataTable)
        done.clear()
        self._merged = {m.duplicate.id: m for m in merged}
        for m in merged:
            done.add_row(_who(m.duplicate), _who(m.kept) if m.kept else as_text(m.duplicate.id), key=m.duplicate.id)
        self.query_one("#status", Static).update(as_text(status or ngettext(
            "{n} possible duplicate.", "{n} possible duplicates.", len(pairs)).format(n=len(pairs)) if pairs else status))
        # none left: a sentence saying so, not a heading asking about an empty list
        self.query_one("#pairs-title").display = table.display = bool(pairs)
        self.query_one("#pairs-none").display = not pairs
        self.query_one("#merged-title").display = done.display = bool(merged)
        if pairs or merged:
            (table if pairs else done).focus()
        self.refresh_bindings()

    def _compare(self) -> None:
        key = self._row_key("#pairs")
        shown = self._briefs.get(key) if key else None
        self.query_one("#compare", Static).update(comparison(*shown, today=self.app.today()) if shown else "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "pairs":
            self._compare()

    def _row_key(self, table_id: str) -> str | None:
        table = self.query_one(table_id, DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_swap(self) -> None:
        key = self._row_key("#pairs")
        if key is None:
            return
        self._swapped ^= {key}
        self._load()

    def action_merge(self) -> None:
        key = self._row_key("#pairs")
        if key is None or key not in self._pairs:
            return
        from screens.dialogs import ConfirmScreen

        keep, dup = self._pairs[key]
        kept, other = self._briefs[key]
        question = _("Merge {dup} into {keep}? The visits of both then show under {keep}; u undoes it.").format(
            dup=_told_apart(other, kept), keep=_told_apart(kept, other))
        differ = (kept.name or "") != (other.name or "")
        if differ:  # one ID number mistyped makes two children look like one: the names say so
            question += "\n\n" + _("Their names differ ({a}, {b}): check that they are one person before "
                                    "merging.").format(a=kept.name, b=other.name)
        if kept.sex and other.sex and kept.sex != other.sex:
            differ = True
            question += "\n\n" + _("One is recorded as {a}, the other as {b}: check that they are one person before "
                                    "merging.").format(a=value_text("resident", "sex", kept.sex) or kept.sex,
                                                       b=value_text("resident", "sex", other.sex) or other.sex)

        left = not_carried(kept, other)
        if left:
            question += "\n\n" + _("The kept record's own values stand; the other's are not carried over: {values}.").format(
                values=join_list(_("{field} {value}").format(
                    field=_(FIELD_LABELS[field]), value=value_text("resident", field, value) or value)
                    for field, value in left))

        def answered(yes: bool | None) -> None:
            if yes:
                self._run("merge", keep, dup)

        self.app.push_screen(ConfirmScreen(question, yes=_("Merge"), no=_("Cancel"), danger=differ), answered)

    def action_undo(self) -> None:
        """Asked first, as a merge is (walk G, 6: u undid at once): the kept record gives back what it took."""
        key = self._row_key("#merged")
        if key is None or key not in self._merged:
            return
        from screens.dialogs import ConfirmScreen

        m = self._merged[key]
        question = _("Undo the merge of {dup} into {keep}? Both are listed apart again, each with its own visits.").format(
            dup=_told_apart(m.duplicate, m.kept or m.duplicate),
            keep=_told_apart(m.kept, m.duplicate) if m.kept else as_text(m.duplicate.id))

        def answered(yes: bool | None) -> None:
            if yes:
                self._run("undo", key, key)

        self.app.push_screen(ConfirmScreen(question, yes=_("Undo the merge"), no=_("Cancel")), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="duplicates-run")
    def _run(self, what: str, keep: str, dup: str) -> None:
        try:
            if what == "merge":
                merge_residents(self.app.db, keep, dup)
                status = _("Merged; the visits of both now show under the kept resident.")
            else:
                undo_merge(self.app.db, dup)
                status = _("Merge undone.")
        except UserError as exc:
            status = str(exc)
        pairs, merged = review(self.app.db)
        self.app.call_from_thread(self._show, pairs, merged, status)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            log.error("duplicates worker failed", exc_info=event.worker.error)
            self.query_one("#status", Static).update(_("Something went wrong; the details are in the log file."))

    def action_back(self) -> None:
        self.app.pop_screen()

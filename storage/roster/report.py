"""What a roster import found: per row, its status and problems; per column, how it was read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from storage.core.i18n import N_, _, join_list, join_sentences, ngettext
from storage.core.text import printable
from storage.roster.columns import FIELD_LABELS

LISTED_ROWS = 1_000  # rows a report lists on screen or in the terminal (the counts say the rest)
STATUS_LABELS = {"new": N_("New"), "update": N_("Update"), "unchanged": N_("Unchanged"), "invalid": N_("Invalid")}


@dataclass
class Problem:
    column: str  # the header as the file has it; "" for the row as a whole
    message: str  # what is wrong (and, for most checks, what to do)
    hint: str = ""  # what to do, when the message does not say


@dataclass(slots=True)  # one per row of the file: 100,000 of them on a county's roster
class RosterRow:
    row: int  # as the spreadsheet numbers it
    name: str
    status: str = "new"  # new | update | unchanged | invalid
    problems: list[Problem] = field(default_factory=list)
    changed: Sequence[str] = ()  # columns whose values an update changes (a shared empty tuple for most rows)
    warnings: list[Problem] = field(default_factory=list)  # accepted, but worth a look (a category's definition)
    resident_id: str | None = None


@dataclass
class ColumnMap:
    header: str
    field: str | None  # None: not recognised, its values go to the notes

    @property
    def label(self) -> str:
        return _(FIELD_LABELS[self.field]) if self.field else ""


@dataclass
class RosterReport:
    file: str
    sheet: str | None
    header_row: int
    columns: list[ColumnMap]
    rows: list[RosterRow] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # rows with neither a name nor an ID number
    footer: list[int] = field(default_factory=list)  # rows of the sheet's footer (合计, 填表人): never imported
    imported: bool = False
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def unknown_columns(self) -> list[str]:
        """Headers not recognised, printable (they come from the file)."""
        return [printable(c.header, limit=60) for c in self.columns if c.field is None]

    def listed(self, limit: int = LISTED_ROWS) -> tuple[list[RosterRow], int]:
        """The rows a person reads (invalid first, then updates, then the rest, each in file order), at most
        `limit` of them, and how many are left out: a list of 100,000 rows helps nobody."""
        order = {"invalid": 0, "update": 1}
        rows = sorted(self.rows, key=lambda r: (order.get(r.status, 2), r.row))
        return rows[:limit], max(len(rows) - limit, 0)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def summary(self) -> str:
        """One line: the counts, and what happened."""
        counts = _("{rows}: {new} new, {update} updated, {unchanged} unchanged, {invalid} invalid.").format(
            rows=ngettext("{n} row", "{n} rows", len(self.rows)).format(n=len(self.rows)), new=self.count("new"),
            update=self.count("update"), unchanged=self.count("unchanged"), invalid=self.count("invalid"))
        if self.dry_run:
            outcome = _("Dry run: nothing was changed.")
        elif self.imported:
            outcome = _("Imported.") if not self.count("invalid") else _("Imported the valid rows; the invalid rows were left out.")
        else:
            outcome = _("Nothing was imported.")
        return join_sentences(counts, outcome)

    def footer_text(self) -> str:
        """One line naming the rows skipped as the sheet's footer (合计, 填表人), or ""."""
        if not self.footer:
            return ""
        return ngettext("Row {rows} is the sheet's footer (a total or a sign-off): skipped, not imported.",
                        "Rows {rows} are the sheet's footer (totals, sign-offs): skipped, not imported.",
                        len(self.footer)).format(rows=join_list(str(n) for n in self.footer))


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status])


def _lines(problems: list[Problem]) -> list[str]:
    return [join_sentences(_("{column}: {problem}").format(column=p.column, problem=p.message) if p.column
                           else p.message, p.hint)
            for p in problems]


def describe(row: RosterRow) -> str:
    """A row's problems (column: what is wrong. What to do.) or, for an update, the columns it changes;
    then its warnings; one line each, printable (headers and values come from the file)."""
    if row.problems:
        return "\n".join(printable(line) for line in _lines(row.problems))
    lines = [_("Changes: {columns}").format(columns=printable(join_list(row.changed)))] if row.changed else []
    lines += [_("Check: {problem}").format(problem=printable(line)) for line in _lines(row.warnings)]
    return "\n".join(lines)

"""`gridcare report`: the monthly report on the terminal, or written to .xlsx / .csv.

The storage modules a command runs are imported inside it: every start-up (the TUI's too) builds
this parser, and they would load SQLAlchemy before Home's first figures (tests/test_startup_imports.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from storage.core.china_day import china_today
from storage.core.collector import collector_paused
from storage.core.db import open_database
from storage.core.i18n import _, join_list, ngettext
from storage.core.text import printable
from tui.cli import db_path, row_count
from tui.console import CliConsole
from tui.date_options import MonthOption
from tui.progress import cli_progress


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help=_("the monthly report: coverage, overdue, risk, referrals"),
                       description=_("The monthly report per village, grid and category, with the lists behind it. "
                                     "Definitions: docs/reports.md."))
    p.add_argument("--month", action=MonthOption, metavar="YYYY-MM", help=_("the month (default: this one)"))
    p.add_argument("--out", type=Path, metavar=_("FILE"),
                   help=_("write FILE.xlsx, or FILE.csv plus one CSV per list, instead of printing"))
    p.add_argument("--full-ids", action="store_true", help=_("write ID numbers in full (default: masked)"))
    p.add_argument("--limit", type=row_count, default=10, metavar="N",
                   help=_("on the terminal: show at most N rows of each list (default 10)"))
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from storage.reports.monthly import monthly_report

    db = open_database(db_path(args), create=False)
    today = china_today()
    year, month = args.month or (today.year, today.month)
    with cli_progress(_("Computing the report")) as progress:
        report = monthly_report(db, year, month, today=today, progress=progress, with_trend=not args.out
                                or args.out.suffix.lower() == ".xlsx", with_lists=True)
    if args.out:
        from storage.reports.files import save_report
        from tui.formatting import format_month

        # (the bar says the file as typed: as text, never read as Rich markup, tui/progress.py)
        with cli_progress(_("Writing {file}…").format(file=printable(args.out))) as progress:
            written = save_report(db, report, args.out, full_ids=args.full_ids, progress=progress)
        print(ngettext("Report for {month} written: {files}", "Report for {month} written to {n} files: {files}",
                       len(written)).format(month=format_month(report.first), n=len(written),
                                            files=join_list(str(p) for p in written)))
        return 0
    print_report(report, limit=args.limit, full_ids=args.full_ids)
    return 0


@collector_paused()  # (a county's tables: a thousand rows of Rich's objects beside the report's)
def print_report(report, *, limit: int = 10, full_ids: bool = False, console: Console | None = None) -> None:
    from storage.reports.files import (
        LIST_COLUMNS,
        cell_value,
        display_width,
        notes,
        summary_cells,
        summary_headers,
        title,
    )
    from storage.reports.monthly import LISTS
    from tui.as_text import as_text
    from tui.formatting import cell_text

    console = console or CliConsole()
    # on a narrow terminal the lists keep the columns that say who and why
    narrow = console.width < 140
    dropped = {"Sex", "Village", "Categories", "Birth date", "Case", "Closed on", "Risk since"}
    if console.width < 100:  # 80 columns: the grid (the title names it for a worker), the age, and the
        # details of a referral and an acknowledgement (the XLSX keeps them all) go too; a worker's visits are
        # the sum of the four ways of visiting beside them
        dropped |= {"Grid", "Age", "Level", "Department", "Opened on", "Days open", "Hours to acknowledgement",
                    "Acknowledged by the township", "Days to the first visit", "Visits"}
    console.print(as_text(title(report), style="bold"))
    console.print(as_text(notes(report)))
    for grouping in report.groupings:
        headers = summary_headers(grouping)
        # figures' titles stacked (紧急和/高风险, Open/referrals): the eight columns fit 80, none cut to "紧急和…"
        table = _table([h if i == 0 else stacked(h) for i, h in enumerate(headers)],
                       ["text"] + ["int"] * (len(headers) - 1))
        labels = [row.shown_label for row in report.rows[grouping]] + [report.totals.shown_label]
        # a long category (三、四级智力/精神残疾人) may take two lines; the figures keep their titles whole
        table.columns[0].min_width = min(14, max(display_width(t) for t in labels))
        for row in report.rows[grouping]:
            table.add_row(*(as_text(cell_text(v)) for v in summary_cells(row)))
        table.add_row(*(as_text(cell_text(v)) for v in summary_cells(report.totals)), style="bold")
        console.print()  # borderless tables: a blank line keeps one from running into the next
        console.print(table)
    if report.trend is not None:
        from storage.reports.xlsx_sheets import month_words
        from tui.trend_chart import trend_text

        console.print(trend_text(report.trend, lambda rate: cell_text(rate, "rate"), month_words, display_width))
    for name, list_title in LISTS.items():
        items = report.list_rows(name)
        columns = [c for c in LIST_COLUMNS[name] if not (narrow and c.header in dropped)]
        table = _table([stacked(_(c.header)) if c.kind in FIGURES else _(c.header) for c in columns],
                       [c.kind for c in columns], title=_("{title} ({n})").format(title=_(list_title), n=len(items)))
        for item in items[:limit] if limit >= 0 else items:
            table.add_row(*(as_text(cell_text(cell_value(c, item, full_ids), c.kind)) for c in columns))
        console.print()
        console.print(table)
        if 0 <= limit < len(items):
            console.print(ngettext("... and {n} more (--limit, or --out FILE.xlsx for everything)",
                                   "... and {n} more (--limit, or --out FILE.xlsx for everything)",
                                   len(items) - limit).format(n=len(items) - limit))


FIGURES = ("int", "rate")


def _table(headers: list[str], kinds: list[str], title: str | None = None) -> Table:
    """A report table as a printed statistics table: a rule under the titles, columns apart by two spaces and no
    borders (the borders and padding of a boxed table took a quarter of 80 columns). Nothing is cut to "…": a
    long name or reason goes on to the next line; figures are right-aligned, an ID number is kept whole."""
    from rich import box

    table = Table(*headers, title=title, box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False,
                  show_edge=False)
    for column, kind in zip(table.columns, kinds, strict=True):
        column.overflow = "fold"
        if kind in FIGURES:
            column.justify = "right"
        elif kind == "id":
            column.no_wrap, column.min_width = True, 18
    return table


def stacked(header: str, fits: int = 6) -> str:
    """A figure's column title on as many lines as it has words, so the column is as narrow as its figures
    allow: "Emergency⏎+ high⏎risk", "紧急和⏎高风险", "向他人了解⏎（未见本人）"."""
    from rich.cells import cell_len

    from tui.texts import two_lines

    if cell_len(header) <= fits or "\n" in header:
        return header
    if " " in header:
        words = header.split(" ")
        width = max(max(cell_len(w) for w in words), fits + 1)
        lines = [words[0]]
        for word in words[1:]:
            if cell_len(lines[-1]) + 1 + cell_len(word) <= width:
                lines[-1] += " " + word
            else:
                lines.append(word)
        return "\n".join(lines)
    for bracket in ("（", "("):  # a remark in brackets goes under what it remarks on
        if bracket in header[1:]:
            cut = header.index(bracket, 1)
            return header[:cut] + "\n" + header[cut:]
    return two_lines(header, fits)

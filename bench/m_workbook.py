"""The monthly report written as a workbook (.xlsx), against openpyxl streaming the same cells plainly.

The report is computed once (every list read, the 12-month trend too), then written again and again: only
the writing is timed, as `save_report` does it after the Reports screen or `gridcare report` computed it.
The floor appends the same list rows' values (the lists hold nearly every cell of a workbook: a county's
~1.5 million of them) to a write-only openpyxl workbook, with no style, width or check, and saves it: what
openpyxl itself costs to write those cells. Workbook and floor alternate, so both see the same machine load.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from bench.core import Figure, Result


def _plain(lists: list[list[list]], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for rows in lists:
        ws = wb.create_sheet()
        for values in rows:
            ws.append(values)
    wb.save(path)


def measure(db_path: Path, label: str, reps: int) -> list[Result]:
    from storage.core.db import open_database
    from storage.reports.files import LIST_COLUMNS, cell_value, write_xlsx
    from storage.reports.monthly import LISTS, add_trend, monthly_report

    db = open_database(db_path)
    today = dt.date.today()
    report = monthly_report(db, today.year, today.month, today=today, with_lists=True)
    add_trend(db, report)
    lists = [[[cell_value(c, item, False) for c in LIST_COLUMNS[name]] for item in report.list_rows(name)]
             for name in LISTS]
    cells = sum(len(row) for rows in lists for row in rows)
    ours: list[float] = []
    floor: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        book, plain = Path(tmp) / "report.xlsx", Path(tmp) / "plain.xlsx"
        write_xlsx(report, book)  # warm-up: imports, the lists' sorting
        _plain(lists, plain)
        for _rep in range(reps):
            t0 = time.perf_counter()
            write_xlsx(report, book)
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            _plain(lists, plain)
            floor.append(time.perf_counter() - t0)
    db.dispose()
    return [Result(f"report workbook .xlsx ({label})", Figure("write_xlsx", ours),
                   Figure(f"openpyxl write-only, {cells:,} plain cells", floor),
                   note="the lists' cells streamed with no style, width or formula check; computing the "
                        "report is not timed (monthly report above)")]

"""Cells of the report's workbook, written as a stream (openpyxl's write-only mode).

A county's workbook holds some 800,000 cells: kept as openpyxl cell objects, styled one by one and then
scanned again for formulas, they took ~15 s to write. Streamed, each row goes to the file as it is
appended. What that asks of the sheets' code (openpyxl's "Optimised Modes" documentation):
- a sheet's column widths, frozen panes and sheet properties (fit to page) are set before its first row,
  and a row's height before that row: they are written ahead of the rows;
- a cell with a font, border, alignment or number format is a WriteOnlyCell; one of those on a merged
  range's other cells too (a plain sheet kept them as merged cells, styled: the boxed header's borders);
- text that would be a formula is made a text cell as it is appended (cell_safety.xlsx_value).
Print settings, merges and page breaks may be set at any time before the workbook is saved.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from typing import Any

from storage.reports.cell_safety import xlsx_value


def styled(ws: Any, value: Any = None, *, font: Any = None, border: Any = None, alignment: Any = None,
           number_format: str | None = None) -> Any:
    """A cell with its style, as a plain sheet's cell was after its font, border... were set."""
    from openpyxl.cell import WriteOnlyCell

    cell = xlsx_value(ws, value)
    if cell is value:
        cell = WriteOnlyCell(ws, value)
    if font is not None:
        cell.font = font
    if border is not None:
        cell.border = border
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell


def safe_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """A row of values as appended, text that would be a formula kept as text."""
    return [xlsx_value(ws, v) for v in values]


def merge(ws: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    from openpyxl.worksheet.cell_range import CellRange

    ws.merged_cells.add(CellRange(min_row=first_row, min_col=first_col, max_row=last_row, max_col=last_col))


def set_widths(ws: Any, widths: dict[int, int]) -> None:
    """Column widths from the widest text of each (0-based) column: 8 to 60 characters, 2 to spare."""
    from openpyxl.utils import get_column_letter

    for i, w in widths.items():
        ws.column_dimensions[get_column_letter(i + 1)].width = min(60, max(8, w + 2))


def close_unsaved(wb: Any) -> None:
    """A write-only workbook that was not saved (its file could not be written, or the work stopped): each sheet
    not yet closed is closed, in openpyxl's order (its rows, then its stream, then the sheet's temporary file).
    Left to the garbage collector, a sheet's rows were often closed after its stream had closed that file: an
    "I/O operation on closed file" raised in a generator nobody was running (48 such warnings in
    tests/test_write_errors.py)."""
    for ws in wb.worksheets:
        if not ws.closed:
            # a temporary file that cannot be finished either (the same full disk): the error being raised is the
            # one the user is told; this sheet is thrown away
            with contextlib.suppress(OSError):
                ws.close()
        _remove_temporary(ws)


def _remove_temporary(ws: Any) -> None:
    """The sheet's temporary file, removed now: it holds the list's names and ID numbers, and openpyxl removes it
    only at the program's exit (hours later in the app; never after a power cut). openpyxl has no public way to
    it: the sheet's writer (`_writer`, openpyxl 3.1), whose cleanup() also forgets it; tests/test_write_errors.py
    fails if a later openpyxl keeps the file elsewhere."""
    writer: Any = getattr(ws, "_writer", None)
    out = getattr(writer, "out", None)
    if isinstance(out, str) and os.path.exists(out):
        with contextlib.suppress(OSError, ValueError):  # (ValueError: openpyxl no longer lists it)
            writer.cleanup()


def save_workbook(wb: Any, fh: Any) -> None:
    """`wb.save(fh)` as openpyxl's save_workbook does it, the archive closed (its file thrown away) when writing
    fails: left open, the collector closed it after `fh` was closed, writing its end to a closed file ("seek of
    closed file", raised where nobody could catch it)."""
    import datetime as dt
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    archive = ZipFile(fh, "w", ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None)
    try:
        ExcelWriter(wb, archive).save()
    except BaseException:
        # its end cannot be written either (the same full disk), or a sheet was half added: the error being
        # raised is the one the user is told
        with contextlib.suppress(OSError, ValueError):
            archive.close()
        raise

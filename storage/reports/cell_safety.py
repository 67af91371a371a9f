"""Text from the register written into a spreadsheet stays text.

A name, village or note comes from a worker's laptop, and so from a bundle anyone can write. Excel,
WPS and LibreOffice run a CSV cell that starts with = + - or @ as a formula (=HYPERLINK can send the
row to a web address when the clerk clicks; older Excel ran DDE commands), and openpyxl stores any
text starting with '=' as a formula. Such text is written as a formula that yields the text itself:
every spreadsheet program shows exactly the characters the worker typed, and nothing runs. In a workbook,
such text is a text cell (xlsx_value).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    if value.startswith(FORMULA_START):
        return '="' + value.replace('"', '""') + '"'
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_text(v) if isinstance(v, str) else v for v in values]


def xlsx_value(ws: Any, value: Any) -> Any:
    """`value` as a streamed sheet's row takes it (storage/reports/xlsx_cells.py): text that openpyxl would
    store as a formula (any text starting with '=') as a cell that holds the text itself."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value

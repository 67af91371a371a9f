"""Text from the register written into a spreadsheet stays text.

A name, village or note comes from a worker's laptop, and so from a bundle anyone can write. Excel,
WPS and LibreOffice run a CSV cell that starts with = + - or @ as a formula (=HYPERLINK can send the
row to a web address when the clerk clicks; older Excel ran DDE commands), and openpyxl stores any
text starting with '=' as a formula. Such text is written as a formula that yields the text itself:
every spreadsheet program shows exactly the characters the worker typed, and nothing runs.
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


def no_formulas(wb: Any) -> None:
    """Every cell of the workbook that openpyxl took for a formula is written as the text it is."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"

"""Reading a roster file (.xlsx or .csv) into numbered rows of raw cells.

Cells keep their real types (numbers, dates, text): what a number in an ID
column means is decided by the column (storage/roster/columns.py), not here. The
header row is the first of the first rows that names at least two known
columns, so a merged title row ("XX镇留守儿童花名册") above it is skipped.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from storage.core.errors import UserError
from storage.core.i18n import _
from storage.roster.columns import cell_text, field_for_header

HEADER_SCAN_ROWS = 10
MIN_KNOWN_HEADERS = 2
CSV_DELIMITERS = (",", ";", "\t")


@dataclass
class RosterSheet:
    path: Path
    sheet_name: str | None  # None for CSV
    header_row: int  # as the spreadsheet numbers it (1-based)
    headers: list[str]  # cleaned header texts, one per column ("" for a blank header)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number, cells padded to the headers)
    encoding: str | None = None  # CSV only


def read_roster(path: str | Path, sheet: str | None = None) -> RosterSheet:
    path = Path(path)
    if not path.is_file():
        raise UserError(_("No such file: {path}").format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        name, raw = _read_xlsx(path, sheet)
        encoding = None
    elif suffix in (".csv", ".txt"):
        if sheet:
            raise UserError(_("A CSV file has no sheets; leave out --sheet."))
        raw, encoding = _read_csv(path)
        name = None
    elif suffix in (".xls", ".et", ".ods"):
        raise UserError(_("{suffix} files cannot be read: open the file in Excel or WPS and save it as .xlsx (or .csv).").format(suffix=suffix))
    else:
        raise UserError(_("A roster is an .xlsx or .csv file, not {suffix}.").format(suffix=suffix or path.name))
    return _with_header(path, name, raw, encoding)


def _read_xlsx(path: Path, sheet: str | None) -> tuple[str, list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook  # deferred, as all of openpyxl: only when an .xlsx is read
    from openpyxl.utils.exceptions import InvalidFileException

    # what a damaged .xlsx (a zip of XML files) raises, whether on opening or while rows are read; zipfile
    # raises NotImplementedError for an entry's unknown compression method, RuntimeError for one marked encrypted
    damaged = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, TypeError, IndexError,
               ParseError, InvalidFileException, NotImplementedError, RuntimeError)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except damaged as exc:
        raise UserError(_("{file} is not a readable .xlsx file ({error}).").format(file=path.name, error=exc)) from None
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise UserError(_("No sheet named {sheet}; the file has: {names}.").format(sheet=sheet, names=", ".join(names)))
        ws = wb[sheet] if sheet is not None else wb[names[0]]
        # generators often write a wrong <dimension>; without this, read-only mode cuts rows short
        ws.reset_dimensions()
        rows = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((number, list(values)))
        return ws.title, rows
    except damaged as exc:
        raise UserError(_("{file} is not a readable .xlsx file ({error}).").format(file=path.name, error=exc)) from None
    finally:
        wb.close()


def _decode(data: bytes) -> tuple[str, str]:
    # strict decoding: a GBK file is never valid UTF-8 beyond a few bytes, and GB18030 decodes any GBK
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UserError(_("The CSV file is neither UTF-8 nor GBK text: save it again as \"CSV UTF-8\"."))


def _sniff_delimiter(text: str) -> str:
    sample = [line for line in text.splitlines()[:HEADER_SCAN_ROWS + 5] if line.strip()]
    counts = {d: sum(line.count(d) for line in sample) for d in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> tuple[list[tuple[int, list[Any]]], str]:
    text, encoding = _decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    # numbered as a spreadsheet shows it: one row per record, even when a quoted cell spans lines
    return [(number, list(values)) for number, values in enumerate(reader, start=1)], encoding


def _known_count(values: list[Any]) -> int:
    return len({f for f in (field_for_header(v) for v in values if v not in (None, "")) if f})


def _with_header(path: Path, name: str | None, raw: list[tuple[int, list[Any]]],
                 encoding: str | None) -> RosterSheet:
    header_at = None
    for i, (_number, values) in enumerate(raw[:HEADER_SCAN_ROWS]):
        if _known_count(values) >= MIN_KNOWN_HEADERS:
            header_at = i
            break
    if header_at is None:
        raise UserError(_("No header row found in the first {n} rows: the roster needs a row of column names such as 姓名, 身份证号, 人员类别.").format(n=HEADER_SCAN_ROWS))
    header_number, header_values = raw[header_at]
    headers = [cell_text(v) for v in header_values]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows = []
    for number, values in raw[header_at + 1:]:
        cells = (list(values) + [None] * width)[:width]
        if any(not _blank(v) for v in values[width:]):
            # data beyond the last header: keep it as an unnamed column rather than drop it
            extra = [v for v in values[width:] if not _blank(v)]
            cells.append("; ".join(cell_text(v) for v in extra))
        if all(_blank(v) for v in cells):
            continue
        rows.append((number, cells))
    if any(len(cells) > width for _n, cells in rows):
        headers.append("")
        rows = [(n, cells + [None] * (width + 1 - len(cells))) for n, cells in rows]
    return RosterSheet(path, name, header_number, headers, rows, encoding)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())

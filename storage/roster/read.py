"""Reading a roster file (.xlsx or .csv) into numbered rows of raw cells.

Cells keep their real types (numbers, dates, text): what a number in an ID
column means is decided by the column (storage/roster/columns.py), not here. The
header row is found among the first rows: of the rows that name at least two
known columns (up to the first row below them that does not), the one with a
name column and the most known columns, so a merged title row
("XX镇留守儿童花名册") above it is skipped, and so is a row of group headings
(基本信息 | 联系方式 …) above the real one. A heading merged down over both rows
(序号, 备注) is in the upper row only: a blank heading takes the one above it
when that row is a row of headings (a CSV saved from such a sheet has the same
shape).

A roster comes from outside and may be hostile (issue #19, item 5), so its cost is bounded
before and while it is read: an .xlsx is a zip of XML files, and the sizes its entries declare
(which the zip reader never unpacks beyond) are checked before anything is parsed — a few
megabytes that unpack to gigabytes are refused at once; a CSV is at most MAX_CSV_BYTES; at most
MAX_ROWS rows and MAX_CELL characters a cell; what the .xlsx reader holds whole (the shared strings: their bytes and
their number, storage/roster/xlsx_zip.py) and the empty rows and padding cells it makes are bounded too. `open_roster` gives the rows as they are read (an
import holds a batch of them, not the file); `read_roster` a list, for a preview and the tests.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import logging
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from storage.core.errors import UserError
from storage.core.i18n import _, count_text, join_list
from storage.core.text import printable, storable
from storage.roster.columns import cell_text, field_for_header
from storage.roster.xlsx_zip import check_zip, too_big

log = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 10
MIN_KNOWN_HEADERS = 2
CSV_DELIMITERS = (",", ";", "\t")
MAX_ROWS = 100_000  # a township's roster has a few thousand; a county's key persons are ~120,000
MAX_CELL = 32_767  # characters: Excel's own limit for a cell
MAX_COLUMNS = 1_000  # a roster has a few dozen
MAX_CSV_BYTES = 64 * 1024 * 1024  # 100,000 rows of a roster are about 10 MB
MAX_CSV_LINE = 4 * 1024 * 1024  # a roster's line: a few hundred bytes (60 MB of commas took 655 MB as one row)
MAX_SHEET_ROW = 1_048_576  # a spreadsheet's last row: the reader makes an empty row for each one skipped up to a row
MAX_CELLS_READ = 20_000_000  # blank ones included: 100,000 rows of 200 columns; a roster has a few dozen
BLOCK = 1024 * 1024


@dataclass
class RosterSheet:
    path: Path
    sheet_name: str | None  # None for CSV
    header_row: int  # as the spreadsheet numbers it (1-based)
    headers: list[str]  # cleaned header texts, one per column ("" for a blank header)
    # (row number, cells padded to the headers): a list (read_roster), or read as iterated (open_roster)
    rows: Iterable[tuple[int, list[Any]]] = field(default_factory=list)
    encoding: str | None = None  # CSV only
    expected_rows: int | None = None  # about how many rows the file holds (for a progress bar)
    # open_roster: the last header is "" for data beyond the named columns; whether any row had such data
    extra_column: bool = False
    extra_seen: bool = False
    close: Callable[[], None] = lambda: None


def _too_many_rows(path: Path) -> UserError:
    return UserError(_("{file} has more than {n} rows, more than any roster: split it (a township's roster has a "
                       "few thousand).").format(file=printable(path.name), n=count_text(MAX_ROWS)))


def open_roster(path: str | Path, sheet: str | None = None) -> RosterSheet:
    """The file's header, and its rows as they are read (call `close()` when done, or read them all)."""
    path = Path(path)
    if not path.is_file():
        if path.is_dir():
            raise UserError(_("{path} is a folder: give the roster file in it.").format(path=printable(str(path))))
        if path.exists():  # a pipe or a device: "no such file" sent the clerk looking for a file that was there
            raise UserError(_("{path} is a pipe or a device, not a roster file.").format(path=printable(str(path))))
        raise UserError(_("No such file: {path}").format(path=printable(str(path))))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        name, raw, expected, close = _read_xlsx(path, sheet)
        encoding = None
    elif suffix in (".csv", ".txt"):
        if sheet:
            raise UserError(_("A CSV file has no sheets; leave out --sheet."))
        raw, encoding, expected, close = _read_csv(path)
        name = None
    elif suffix in (".xls", ".et", ".ods"):
        raise UserError(_("{suffix} files cannot be read: open the file in Excel or WPS and save it as .xlsx (or .csv).").format(suffix=suffix))
    else:
        raise UserError(_("A roster is an .xlsx or .csv file, not {suffix}.").format(suffix=suffix or path.name))
    try:
        return _with_header(path, name, raw, encoding, expected, close)
    except BaseException:
        close()
        raise


def read_roster(path: str | Path, sheet: str | None = None, limit: int | None = None) -> RosterSheet:
    """The file's header and (the first `limit` of) its rows, as a list."""
    data = open_roster(path, sheet)
    try:
        data.rows = list(itertools.islice(data.rows, limit))
    finally:
        data.close()
    if data.extra_column and not data.extra_seen:
        data.headers.pop()
        data.rows = [(n, cells[:-1]) for n, cells in data.rows]
    return data


# --- .xlsx ------------------------------------------------------------------------------------------


def why_unreadable(path: Path) -> str:
    """Why an .xlsx cannot be read, in the user's words (zipfile's own, "File is not a zip file", are English):
    empty, a text file named .xlsx (a CSV saved under the wrong name, as happens), or damaged."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        head = b""
    if not head:
        return _("the file is empty")
    if not head.startswith(b"PK"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:  # (a character cut at the end of the 4 kB read is no reason to think it binary)
                text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            except UnicodeDecodeError:
                continue
            if any(mark in text for mark in (",", "\t", "，")) and "\x00" not in text:
                return _("it looks like a CSV file: give it a name ending in .csv")
        return _("it is not an Excel workbook")
    return _("the file is damaged or incomplete: copy it again")


def _read_xlsx(path: Path, sheet: str | None) -> tuple[str, Iterator[tuple[int, list[Any]]], int | None, Callable[[], None]]:
    from openpyxl import load_workbook  # deferred, as all of openpyxl: only when an .xlsx is read
    from openpyxl.utils.exceptions import InvalidFileException

    # what a damaged .xlsx (a zip of XML files) raises, whether on opening or while rows are read; zipfile
    # raises NotImplementedError for an entry's unknown compression method, RuntimeError for one marked encrypted
    damaged = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, TypeError, IndexError,
               ParseError, InvalidFileException, NotImplementedError, RuntimeError)

    def unreadable(exc: BaseException) -> UserError:
        log.info("unreadable roster %s: %r", path, exc)  # the reader's own words, for whoever looks into it
        return UserError(_("{file} is not a readable .xlsx file ({error}).").format(
            file=printable(path.name), error=why_unreadable(path)))

    check_zip(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except damaged as exc:
        raise unreadable(exc) from None
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise UserError(_("No sheet named {sheet}; the file has: {names}.").format(
                sheet=printable(sheet), names=join_list([printable(n, limit=40) for n in names])))
        ws = wb[sheet] if sheet is not None else wb[names[0]]
        expected = ws.max_row  # what the file says (often wrong: only for a progress bar)
        # generators often write a wrong <dimension>; without this, read-only mode cuts rows short
        ws.reset_dimensions()
        title = ws.title
    except damaged as exc:
        wb.close()
        raise unreadable(exc) from None
    except BaseException:
        wb.close()
        raise

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, list(values)
        except damaged as exc:
            raise unreadable(exc) from None

    return title, rows(), expected if isinstance(expected, int) else None, wb.close


# --- .csv -------------------------------------------------------------------------------------------


def _encoding(path: Path) -> tuple[str, int]:
    """(the file's encoding, its number of lines), reading it a block at a time: UTF-8, else GB18030 (strict: a GBK
    file is never valid UTF-8 beyond a few bytes, and GB18030 decodes any GBK); refused: a line over MAX_CSV_LINE."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        lines = longest = 0
        try:
            with path.open("rb") as fh:
                line = 0  # the bytes of the line the block ends in
                while block := fh.read(BLOCK):
                    decoder.decode(block)
                    lines += block.count(b"\n")
                    first, *rest = block.split(b"\n")
                    longest = max(longest, line + len(first), *map(len, rest))
                    line = len(rest[-1]) if rest else line + len(first)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        if longest > MAX_CSV_LINE:
            raise UserError(_("{file} has a line of {mb} MB, longer than any roster's: check that it is the right "
                              "file.").format(file=printable(path.name), mb=count_text(-(-longest // 2**20))))
        return encoding, lines + 1
    raise UserError(_("The CSV file is neither UTF-8 nor GBK text: save it again as \"CSV UTF-8\"."))


def _records(path: Path, encoding: str) -> int:
    with path.open("r", encoding=encoding, newline="") as fh:
        try:
            return sum(1 for _row in csv.reader(_without_nul(fh)))
        except csv.Error:
            return 0  # the reading proper says what is wrong


def _without_nul(lines: Iterator[str]) -> Iterator[str]:
    """The lines without NUL, which no cell can store: Python 3.10's csv refuses a line holding one ("line contains
    NUL"), 3.11's reads it; the roster is read the same on both, the NUL dropped as a cell's would be."""
    return (line.replace("\x00", "") for line in lines)


def _sniff_delimiter(lines: list[str]) -> str:
    sample = [line for line in lines if line.strip()]
    counts = {d: sum(line.count(d) for line in sample) for d in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> tuple[Iterator[tuple[int, list[Any]]], str, int, Callable[[], None]]:
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise too_big(path, size)
    encoding, lines = _encoding(path)
    if lines > MAX_ROWS + HEADER_SCAN_ROWS and _records(path, encoding) > MAX_ROWS + HEADER_SCAN_ROWS:
        raise _too_many_rows(path)  # before any row is checked (a quoted cell may span lines: counted as records)
    fh = path.open("r", encoding=encoding, newline="")
    try:
        delimiter = _sniff_delimiter([fh.readline() for _ in range(HEADER_SCAN_ROWS + 5)])
        fh.seek(0)
    except BaseException:
        fh.close()
        raise

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # numbered as a spreadsheet shows it: one row per record, even when a quoted cell spans lines
        try:
            yield from enumerate(csv.reader(_without_nul(fh), delimiter=delimiter), start=1)
        except csv.Error as exc:  # a NUL byte, a cell longer than the csv module takes (131,072 characters)
            raise UserError(_("{file} is not a readable CSV file ({error}).").format(
                file=printable(path.name), error=printable(exc, limit=200))) from None

    return rows(), encoding, lines, fh.close


# --- the header and the rows below it ----------------------------------------------------------------


def _known(values: list[Any]) -> set[str]:
    return {f for f in (field_for_header(v) for v in values if not _blank(v)) if f}


def _merged_down(values: list[Any], above: list[Any] | None) -> list[Any]:
    """A heading row's cells, a blank one taking the heading above it (merged down over both rows).

    Only from a row of headings (two cells or more), never from a title above the header.
    """
    if above is None or sum(1 for v in above if not _blank(v)) < 2:
        return values
    width = max(len(values), len(above))
    padded = list(values) + [None] * (width - len(values))
    return [above[i] if _blank(v) and i < len(above) and not _blank(above[i]) else v for i, v in enumerate(padded)]


def _header_at(first: list[tuple[int, list[Any]]]) -> tuple[int, list[Any]] | None:
    """(the header row's index in `first`, its cells with the headings merged down into it), or None.

    The candidates are the rows naming at least MIN_KNOWN_HEADERS known columns, up to the first row below
    them that is neither blank nor one; the best (its headings merged down into it counted) has a name column,
    then the most known columns, then comes first.
    """
    best: tuple[tuple[bool, int], int, list[Any]] | None = None
    for i, (number, values) in enumerate(first):
        if len(_known(values)) < MIN_KNOWN_HEADERS:
            if best is not None and not all(_blank(v) for v in values):
                break  # the data below the header
            continue
        above = first[i - 1][1] if i and first[i - 1][0] == number - 1 else None
        cells = _merged_down(values, above)
        known = _known(cells)
        score = ("name" in known, len(known))
        if best is None or score > best[0]:
            best = (score, i, cells)
    return None if best is None else (best[1], best[2])


def _with_header(path: Path, name: str | None, raw: Iterator[tuple[int, list[Any]]], encoding: str | None,
                 expected: int | None, close: Callable[[], None]) -> RosterSheet:
    first = list(itertools.islice(raw, HEADER_SCAN_ROWS))
    found = _header_at(first)
    if found is None:
        raise UserError(_("No header row found in the first {n} rows: the roster needs a row of column names such as 姓名, 身份证号, 人员类别.").format(n=HEADER_SCAN_ROWS))
    header_at, header_values = found
    header_number = first[header_at][0]
    headers = [cell_text(v) for v in header_values[:MAX_COLUMNS]]
    while headers and not headers[-1]:
        headers.pop()
    # data beyond the last header is kept as an unnamed column rather than dropped (read_roster
    # takes the column away again if no row has any)
    headers.append("")
    data = RosterSheet(path, name, header_number, headers, encoding=encoding, close=close, extra_column=True,
                       expected_rows=None if expected is None else max(expected - header_number, 0))
    data.rows = _data_rows(data, itertools.chain(first[header_at + 1:], raw), len(headers) - 1)
    return data


def _data_rows(data: RosterSheet, raw: Iterable[tuple[int, list[Any]]], width: int) -> Iterator[tuple[int, list[Any]]]:
    count = seen = 0
    try:
        for number, values in raw:
            # (the reader's empty rows and padding cost as much as data: a row numbered 900,000,000 was still being read
            # after a minute)
            seen += len(values) or 1
            if number > MAX_SHEET_ROW or seen > MAX_CELLS_READ:
                raise UserError(_("{file} has rows or columns far beyond any roster's (row {row}): check that it is "
                                  "the right file.").format(file=printable(data.path.name), row=count_text(number)))
            # a cell's text as a form's is saved (storage/core/text.py storable): a CSV may hold NUL bytes, which
            # PostgreSQL refuses at the county and the merges refuse; seen in every column, so cleaned here once
            values = [storable(v) if type(v) is str else v for v in values]
            if len(values) > MAX_COLUMNS and any(not _blank(v) for v in values[MAX_COLUMNS:]):
                raise UserError(_("Row {row} of {file} has data in more than {n} columns: not a roster's.").format(
                    row=number, file=printable(data.path.name), n=count_text(MAX_COLUMNS)))
            if any(isinstance(v, str) and len(v) > MAX_CELL for v in values):
                raise UserError(_("Row {row} of {file} has a cell of more than {n} characters: not a roster's.").format(
                    row=number, file=printable(data.path.name), n=count_text(MAX_CELL)))
            cells = (list(values) + [None] * width)[:width]
            extra = [v for v in values[width:] if not _blank(v)]
            if extra:
                data.extra_seen = True
            cells.append("; ".join(cell_text(v) for v in extra) if extra else None)
            if all(_blank(v) for v in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise _too_many_rows(data.path)
            yield number, cells
    finally:
        data.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())

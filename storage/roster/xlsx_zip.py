"""What an .xlsx roster may hold, asked of its zip directory and of the parts the reader holds whole before any of
it is parsed (storage/roster/read.py reads it after): a few megabytes that unpack to gigabytes, more shared strings'
bytes, or more shared strings, than any roster has, are refused at once."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from storage.core.errors import UserError
from storage.core.i18n import _, count_text
from storage.core.text import printable

MAX_XLSX_UNPACKED = 512 * 1024 * 1024  # what an .xlsx may unpack to: 100,000 rows of 7 columns are 42 MB
MAX_XLSX_RATIO = 100  # unpacked bytes per packed byte of an entry (sheets: about 8)
# what the reader holds whole in memory (the shared strings, the styles, the workbook's own parts; a sheet is read as
# it goes): 100,000 rows of 7 columns made in Excel share about 15 MB of strings. A 31 MB file holding 277 MB of
# shared strings took two minutes and 1.9 GB; 64 MB of them, 35 s and 525 MB.
MAX_XLSX_READ_WHOLE = 32 * 1024 * 1024
# and how many strings they may define: each costs the reader a parse and a Python string (a file of 1.4 million short
# ones, 30 MB, took 14 s and 250 MB). A township's 6,000-row roster of 14 columns saved by Excel shares about 32,000
# (1 MB); this is 100,000 rows of five texts each. Counted only when those parts are over a few MB.
MAX_SHARED_STRINGS = 500_000
SHARED_STRINGS_COUNTED_FROM = 4 * 1024 * 1024
BLOCK = 1024 * 1024


def check_zip(path: Path) -> None:
    """Refuse an .xlsx whose entries declare more than a roster could unpack to, before anything is parsed.

    Python's zip reader stops at an entry's declared size, so the declared sizes bound the work;
    a file that is no zip at all is left to the reader, which says so.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            entries = zf.infolist()
            total = whole = 0
            for entry in entries:
                total += entry.file_size
                if entry.file_size > BLOCK and entry.file_size > MAX_XLSX_RATIO * max(entry.compress_size, 1):
                    raise too_big(path, entry.file_size)
                if entry.filename.endswith((".xml", ".rels")) and not entry.filename.startswith("xl/worksheets/"):
                    whole += entry.file_size
            if total > MAX_XLSX_UNPACKED:
                raise too_big(path, total)
            if whole > MAX_XLSX_READ_WHOLE:
                raise too_big(path, whole)
            strings = _shared_strings(zf, entries) if whole > SHARED_STRINGS_COUNTED_FROM else 0
    # NotImplementedError: an entry needing a newer zip version than Python reads (a flipped byte gave "8.4")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error):
        return
    if strings > MAX_SHARED_STRINGS:
        raise UserError(_("{file} holds {n} different texts, more than any roster: check that it is the right "
                          "file.").format(file=printable(path.name), n=count_text(strings)))


_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def _shared_strings(zf: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> int:
    """How many shared strings the parts the reader holds whole define (<si> elements, whatever their prefix),
    counted a block at a time without parsing: it is their number, not their bytes, that costs (a 32 MB part of
    short strings took 14 s and 250 MB)."""
    count = 0
    for entry in entries:
        if not entry.filename.endswith(".xml") or entry.filename.startswith("xl/worksheets/"):
            continue
        carry = b""
        with zf.open(entry) as fh:
            while block := fh.read(BLOCK):
                buf = carry + block
                cut = buf.rfind(b"<")  # no element's start tag spans it: the rest is read with the next block
                count += len(_SHARED_STRING.findall(buf, 0, max(cut, 0)))
                carry = buf[cut:] if cut >= 0 else b""
        count += len(_SHARED_STRING.findall(carry))
    return count


def too_big(path: Path, size: int) -> UserError:
    return UserError(_("{file} holds {mb} MB of data, more than any roster: check that it is the right file.").format(
        file=printable(path.name), mb=count_text(size // 2**20)))

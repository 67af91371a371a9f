"""A roster .xlsx is refused, before any XML is parsed, when it defines more shared strings than any roster has.

The reader holds every shared string before the first row, and it is their number that costs, not their bytes: under
the 32 MB bound on those bytes, a 3.6 MB file of 1.4 million short strings took 14 s and 250 MB before it was read
(storage/roster/xlsx_zip.py; bench/RESULTS-hostile.md)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bench.roster_files import xlsx_altered
from storage.core.errors import UserError
from storage.roster.importer import import_roster
from tests.foundation_helpers import make_db
from tests.roster_helpers import TODAY


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "t.db")


def _never_parsed(monkeypatch) -> list:
    import openpyxl

    opened: list = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    return opened


def test_an_xlsx_defining_more_shared_strings_than_any_roster_is_refused_before_parsing(tmp_path, db, monkeypatch):
    path = xlsx_altered(tmp_path / "strings.xlsx", 3, strings=510_000)  # 10 MB of them, under the bound on bytes
    opened = _never_parsed(monkeypatch)
    with pytest.raises(UserError, match=r"^strings.xlsx holds 510,000 different texts, more than any roster: check "
                                        r"that it is the right file\.$"):
        import_roster(db, path, today=TODAY)
    assert opened == []


def _prefixed(path: Path, out: Path) -> Path:
    """`path` with its shared strings written as <x:si> in a namespace prefix (XML allows any prefix)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b"<sst xmlns=", b"<x:sst xmlns:x=").replace(b"</sst>", b"</x:sst>")
                data = data.replace(b"<si>", b"<x:si>").replace(b"</si>", b"</x:si>")
                data = data.replace(b"<t>", b"<x:t>").replace(b"</t>", b"</x:t>")
            dst.writestr(item.filename, data)
    return out


@pytest.mark.parametrize("prefixed", [False, True], ids=["plain", "in a prefix"])
def test_shared_strings_are_counted_exactly_across_the_blocks_read(tmp_path, db, monkeypatch, prefixed):
    from storage.roster import xlsx_zip

    monkeypatch.setattr(xlsx_zip, "BLOCK", 4096)  # a <si> cut between two blocks is counted once
    monkeypatch.setattr(xlsx_zip, "SHARED_STRINGS_COUNTED_FROM", 0)
    monkeypatch.setattr(xlsx_zip, "MAX_SHARED_STRINGS", 3_000)
    made = [xlsx_altered(tmp_path / f"s{n}.xlsx", 3, strings=n) for n in (3_000, 3_001)]
    if prefixed:
        made = [_prefixed(p, p.with_name("x-" + p.name)) for p in made]
    xlsx_zip.check_zip(made[0])
    with pytest.raises(UserError, match=r"holds 3,001 different texts"):
        xlsx_zip.check_zip(made[1])

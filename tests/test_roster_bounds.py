"""Issue #19, item 5 on rosters: what a roster file may cost is bounded before and while it is read.

Files are made here (bench/roster_files.py, never committed). Work is what was parsed, memory
Python's own allocations (tracemalloc); the 100,000-row import's peak RSS and time are measured
in bench/ (python -m bench --only hostile), never timed here.
"""

from __future__ import annotations

import csv
import tracemalloc

import pytest
from sqlmodel import select

from bench.roster_files import csv_of_size, roster_rows, valid_roster, xlsx_altered, xlsx_bomb
from storage.core.errors import UserError
from storage.core.models import Resident
from storage.roster import importer as importer_module
from storage.roster import read as read_module
from storage.roster import xlsx_zip
from storage.roster.importer import import_roster
from tests.foundation_helpers import make_db
from tests.roster_helpers import TODAY


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "t.db")


def _residents(db) -> int:
    with db.session() as s:
        return len(s.exec(select(Resident.id)).all())


def test_an_xlsx_that_unpacks_to_far_more_than_it_weighs_is_refused_before_parsing(tmp_path, db, monkeypatch):
    """Before: a 7 MB .xlsx holding 3 GB of sheet XML ran for more than ten minutes. Here 48 MB in about 60 KB:
    the declared sizes of the zip's entries refuse it, and no XML is parsed."""
    path = xlsx_bomb(tmp_path / "bomb.xlsx", 48 * 1024 * 1024)
    assert path.stat().st_size < 200_000
    import openpyxl

    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a) or real(*a, **k))
    with pytest.raises(UserError, match="MB of data, more than any roster"):
        import_roster(db, path, today=TODAY)
    assert opened == []
    assert _residents(db) == 0


def test_an_xlsx_holding_more_shared_strings_than_any_roster_is_refused_before_parsing(tmp_path, db, monkeypatch):
    """Before: a 31 MB .xlsx holding 277 MB of shared strings (about 9 to 1, under the ratio refused above) took two
    minutes and 1.9 GB: the reader holds them all before the first row. Here the bound is 1 MB and they are 2 MB."""
    monkeypatch.setattr(xlsx_zip, "MAX_XLSX_READ_WHOLE", 1024 * 1024, raising=False)
    path = xlsx_altered(tmp_path / "strings.xlsx", 3, strings=110_000)
    import openpyxl

    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    with pytest.raises(UserError, match=r"strings.xlsx holds 2 MB of data, more than any roster"):
        import_roster(db, path, today=TODAY)
    assert opened == []


def test_a_row_numbered_beyond_a_spreadsheets_last_is_refused(tmp_path, db):
    """Before: one cell at row 900,000,000 in a 5 KB file was still being read after a minute: the reader makes an
    empty row for each one skipped. (Row 2,000,000 here: on the old code it was read, after two million empty rows.)"""
    path = xlsx_altered(tmp_path / "far.xlsx", 3, sheet_xml=b'<row r="2000000"><c r="A2000000" t="inlineStr">'
                                                              b'<is><t>x</t></is></c></row>')
    with pytest.raises(UserError, match=r"far.xlsx has rows or columns far beyond any roster's \(row 1,048,577\)"):
        import_roster(db, path, today=TODAY)
    assert _residents(db) == 0


def test_rows_padded_far_to_the_right_are_refused(tmp_path, db, monkeypatch):
    """Before: a blank cell in column ZZZ of each row made the reader pad every row to 18,278 cells, none of them
    counted as a row: 2,000 such rows took 4 s, the 8 million that fit in the bounds above would take days."""
    monkeypatch.setattr(read_module, "MAX_CELLS_READ", 100_000, raising=False)
    wide = b"".join(b'<row r="%d"><c r="ZZZ%d" t="inlineStr"><is><t> </t></is></c></row>' % (n, n) for n in range(5, 20))
    path = xlsx_altered(tmp_path / "wide.xlsx", 3, sheet_xml=wide)
    with pytest.raises(UserError, match=r"wide.xlsx has rows or columns far beyond any roster's \(row 10\)"):
        import_roster(db, path, today=TODAY)
    assert _residents(db) == 0
    monkeypatch.setattr(read_module, "MAX_CELLS_READ", 20_000_000, raising=False)
    assert import_roster(db, path, today=TODAY).imported  # blank all the same: read, as before


def test_a_csv_larger_than_any_roster_is_refused_before_reading(tmp_path, db, monkeypatch):
    """Before: a 50 MB CSV took 7.5 minutes and 1.58 GB. Here the cap is 1 MB and the file 2 MB."""
    monkeypatch.setattr(read_module, "MAX_CSV_BYTES", 1024 * 1024, raising=False)
    path = csv_of_size(tmp_path / "big.csv", 2 * 1024 * 1024)
    with pytest.raises(UserError, match="MB of data, more than any roster"):
        import_roster(db, path, today=TODAY)
    assert _residents(db) == 0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_are_capped_with_a_clear_message(tmp_path, db, monkeypatch, suffix):
    monkeypatch.setattr(read_module, "MAX_ROWS", 40, raising=False)
    path = valid_roster(tmp_path / f"many{suffix}", 45)
    with pytest.raises(UserError, match="has more than 40 rows, more than any roster: split it"):
        import_roster(db, path, today=TODAY)
    assert _residents(db) == 0
    assert import_roster(db, valid_roster(tmp_path / f"enough{suffix}", 40), today=TODAY).imported


def test_a_csv_line_longer_than_any_rosters_is_refused_before_it_is_read_as_a_row(tmp_path, db, monkeypatch):
    """Before: a 60 MB CSV of commas on one line was read as a row of 60 million cells: 655 MB. The line is measured
    as the encoding is checked, across the blocks it is read in (8 kB here, and a bound of 20 kB)."""
    monkeypatch.setattr(read_module, "BLOCK", 8 * 1024, raising=False)
    monkeypatch.setattr(read_module, "MAX_CSV_LINE", 20 * 1024, raising=False)
    rows = [list(r) for r in roster_rows(400)]
    path = tmp_path / "wide.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["序号", "姓名", "身份证号码", "性别", "人员类别", "联系电话", "家庭住址"], *rows])
    assert path.stat().st_size > 3 * 8 * 1024
    assert import_roster(db, path, dry_run=True, today=TODAY).count("new") == 400  # many short lines: a roster
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(",".join(map(str, rows[0])) + "," * 21_000 + "\n")
    with pytest.raises(UserError, match=r"wide.csv has a line of 1 MB, longer than any roster's"):
        import_roster(db, path, today=TODAY)
    assert _residents(db) == 0


def test_a_csv_with_too_many_rows_is_refused_before_any_row_is_checked(tmp_path, db, monkeypatch):
    monkeypatch.setattr(read_module, "MAX_ROWS", 40, raising=False)
    checked = []
    monkeypatch.setattr(importer_module, "check_row", lambda *a: checked.append(a))
    with pytest.raises(UserError, match="more than 40 rows"):
        import_roster(db, valid_roster(tmp_path / "many.csv", 60), today=TODAY)
    assert checked == []


@pytest.mark.parametrize("length, words", [(40_000, "a cell of more than 32,767 characters"),
                                           (200_000, "is not a readable CSV file")])
def test_cells_longer_than_a_spreadsheet_allows_are_refused(tmp_path, db, length, words):
    """Before: a CSV cell over 131,072 characters raised csv.Error (a crash, exit 70), and a shorter one of
    40,000 was read (a spreadsheet holds at most 32,767 in a cell)."""
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["姓名", "身份证号码", "家庭住址"])
        w.writerow(["王五", "", "地" * length])
    with pytest.raises(UserError, match=words) as caught:
        import_roster(db, path, today=TODAY)
    assert "long.csv" in str(caught.value) and "\n" not in str(caught.value)


def test_an_import_holds_a_batch_of_rows_not_the_file(tmp_path, db, monkeypatch, default_gc):
    """Before: about 6 KB held per row (612 MB for 100,000 rows). Now what a row leaves behind is its line
    of the report: well under 1.5 KB a row between 600 and 3,000 rows (batches of 200 here)."""
    monkeypatch.setattr(importer_module, "BATCH_ROWS", 200, raising=False)
    import_roster(db, valid_roster(tmp_path / "warm.csv", 50), today=TODAY)  # pypinyin's tables, loaded once
    small, large = valid_roster(tmp_path / "small.csv", 600, seed=1), valid_roster(tmp_path / "large.csv", 3_000, seed=2)
    peaks = []
    for path in (small, large):
        tracemalloc.start()
        try:
            assert import_roster(db, path, today=TODAY).imported
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert (peaks[1] - peaks[0]) / 2_400 < 1_500, peaks


def test_a_number_repeated_in_a_later_batch_leaves_both_rows_out(tmp_path, db, monkeypatch):
    """Rows are written a batch at a time: a row written before a later row repeats its ID number is taken
    back (skip_invalid), and without skip_invalid nothing at all is written."""
    monkeypatch.setattr(importer_module, "BATCH_ROWS", 10, raising=False)
    rows = [list(r) for r in roster_rows(30)]
    rows[25][1:] = rows[3][1:]  # row 27 of the file (after the header) repeats row 5's person
    path = tmp_path / "twice.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["序号", "姓名", "身份证号码", "性别", "人员类别", "联系电话", "家庭住址"])
        w.writerows(rows)
    report = import_roster(db, path, today=TODAY)
    assert not report.imported and report.count("invalid") == 2 and _residents(db) == 0
    bad = sorted(r.row for r in report.rows if r.status == "invalid")
    assert bad == [5, 27]
    assert all(f"rows {bad[0]}, {bad[1]}" in r.problems[-1].message for r in report.rows if r.status == "invalid")
    report = import_roster(db, path, skip_invalid=True, today=TODAY)
    assert report.imported and report.count("new") == 28 and report.count("invalid") == 2
    assert _residents(db) == 28
    with db.session() as s:
        numbers = set(s.exec(select(Resident.id_number)).all())
    assert rows[3][2] not in numbers


def test_the_report_lists_at_most_a_thousand_rows(tmp_path, db, capsys):
    from tui.cli import main

    path = valid_roster(tmp_path / "r.csv", 1_200)
    assert main(["--db", str(db.path), "--lang", "en", "roster", "import", "--dry-run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "200 more rows are not listed." in out
    assert "1,200 rows: 1,200 new" in out or "1200 rows: 1200 new" in out

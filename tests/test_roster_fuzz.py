"""The roster reader under bad input (docs/design.md §5): random bytes, mutated real files, huge and odd cells.

Every input either imports or is refused: refused with a UserError (one translated
line) or with invalid rows, and then nothing is written; imported, and then the
register holds exactly the rows reported new, each named as a cell of the file says.
Never another exception, never a hang, never a partial write. More examples with
GRIDCARE_TEST_PROFILE=thorough (tests/profiles.py).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from storage.core.errors import UserError
from storage.core.models import Resident
from storage.roster.importer import import_roster
from storage.sync.dump import dump_lines
from tests.foundation_helpers import make_db, scratch
from tests.profiles import quick_and_slow
from tests.roster_helpers import TODAY, good_rows, write_xlsx

# (and NUL: the import drops it, as every write does, no database storing it: storage/core/text.py storable)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\x00"))


def _text(value) -> str:
    """A cell as the register would hold a name: as typed (no NFKC), no invisible characters (zero-width spaces,
    soft hyphens, NUL), inner spaces single, integral floats whole."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return " ".join(str(value).translate(_INVISIBLE).split())


def _cells_of(path: Path) -> set[str]:
    """Every cell of the file, read here without the importer: what the file says."""
    cells: set[str] = set()
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            ws.reset_dimensions()
            cells |= {_text(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None}
        wb.close()
        return cells
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # the two a roster CSV may be in (docs: roster import)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        for delimiter in (",", ";", "\t"):
            cells |= {_text(v) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for v in row}
    return cells


def _import_or_refuse(name: str, data: bytes, *, names: list[str] | None = None) -> None:
    """Import `data` as file `name` into a new register and check the outcome against the file.

    `names`: when the test knows them, the names an import must register, one per data row.
    """
    with scratch() as folder:
        _check_import(Path(folder), name, data, names)


def _check_import(folder: Path, name: str, data: bytes, names: list[str] | None) -> None:
    db = make_db(folder / "register.db")
    before = list(dump_lines(db))
    path = folder / name
    path.write_bytes(data)
    try:
        report = import_roster(db, path, today=TODAY)
    except UserError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        assert list(dump_lines(db)) == before  # all or nothing
        db.dispose()
        return
    with db.session() as s:
        registered = sorted(r.name for r in s.execute(select(Resident)).scalars())
    db.dispose()
    if not report.imported:  # refused row by row: at least one invalid row, and nothing written
        assert report.count("invalid") >= 1
        assert registered == []
        return
    # a new register: every row that is not invalid is new, and the register holds exactly those rows
    assert [r.status for r in report.rows] == ["new"] * len(report.rows)
    assert registered == sorted(r.name for r in report.rows)
    cells = _cells_of(path)
    assert [n for n in registered if n not in cells] == []  # every name is a cell of the file
    if names is not None:
        assert registered == sorted(names)


def _random_bytes(sized):
    @sized
    @given(data=st.binary(max_size=4000), suffix=st.sampled_from([".xlsx", ".csv"]))
    def test(data, suffix):
        _import_or_refuse("roster" + suffix, data)

    return test


test_random_bytes_are_refused_or_read, test_random_bytes_at_scale = quick_and_slow("roster", _random_bytes)


def _good_csv() -> bytes:
    buf = io.StringIO()
    buf.write("姓名,身份证号码,性别,人员类别,联系电话\n")
    for row in good_rows():
        buf.write(",".join(str(c) for c in (row[1], row[2], row[3], row[4], row[5])) + "\n")
    return buf.getvalue().encode("utf-8-sig")


_BASE: dict[str, bytes] = {}


def _base(kind: str, folder) -> bytes:
    # built once: an .xlsx carries its creation time, and the mutations must replay identically
    if kind not in _BASE:
        _BASE[kind] = _good_csv() if kind == "csv" else write_xlsx(folder / "base.xlsx", good_rows()).read_bytes()
    return _BASE[kind]


def _mutated(sized):
    @sized
    @given(data=st.data())
    def test(tmp_path, data):
        kind = data.draw(st.sampled_from(["csv", "xlsx"]))
        original = _base(kind, tmp_path)
        mutated = bytearray(original)
        for _ in range(data.draw(st.integers(1, 5))):
            pos = data.draw(st.integers(0, max(0, len(mutated) - 1)))
            op = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
            if op == "flip" and mutated:
                mutated[pos] ^= data.draw(st.integers(1, 255))
            elif op == "insert":
                mutated[pos:pos] = data.draw(st.binary(min_size=1, max_size=16))
            elif op == "delete":
                del mutated[pos : pos + data.draw(st.integers(1, 16))]
            else:
                del mutated[pos:]
        _import_or_refuse(f"roster.{kind}", bytes(mutated))

    return test


test_mutated_csv_and_xlsx_are_refused_or_read, test_mutated_files_at_scale = quick_and_slow("roster", _mutated)


def test_a_nul_after_a_name_is_read_as_the_name_without_it():
    """A mutation drawn among 500 cases (CI runs 60): a NUL inserted after 张小明 in the CSV. The import registers 张小明
    (the NUL dropped), which the check above had taken for a name the file does not hold."""
    good = _good_csv()
    at = good.index("张小明".encode()) + len("张小明".encode())
    _import_or_refuse("roster.csv", good[:at] + b"\x00" + good[at:], names=[str(row[1]) for row in good_rows()])


_TEXT = st.characters(blacklist_categories=("Cc", "Cs"))  # what a worksheet cell can hold


def _odd_cells(sized):
    @sized
    @given(cells=st.lists(st.one_of(st.text(_TEXT, max_size=50), st.integers(), st.floats(allow_nan=True), st.none(),
                                    st.integers(5000, 40000).map(lambda n: "长" * n)), min_size=7, max_size=7),
           rows=st.integers(1, 3))
    # CI's draw: a name openpyxl writes as a formula, which holds no value until a spreadsheet computes it
    @example(cells=["", "=0", "", None, 0, None, ""], rows=2)
    def test(tmp_path, cells, rows):
        path = write_xlsx(tmp_path / "odd.xlsx", [cells] * rows)
        # written under HEADER: the name is the second cell, as the file holds it (an infinite float does not
        # survive the round trip); an imported row is registered under it, and a row without a name is either
        # refused (it has an ID number) or skipped (it has nothing). Its values, as the import reads them
        # (data_only): openpyxl writes a text beginning with "=" as a formula, which holds no value until a
        # spreadsheet computes it ("=0" drawn in CI was read as the name "=0" here, as no name by the import)
        from openpyxl import load_workbook

        held = [_text(v) for (v,) in load_workbook(path, data_only=True).active.iter_rows(
            min_row=2, min_col=2, max_col=2, values_only=True)]
        _import_or_refuse("odd.xlsx", path.read_bytes(), names=[name for name in held if name])

    return test


test_odd_and_huge_cells_are_refused_or_read, test_odd_cells_at_scale = quick_and_slow("roster", _odd_cells)


@pytest.mark.parametrize("damage", ["compression method", "encrypted", "zip version"])
def test_a_zip_entry_python_cannot_open_is_refused(tmp_path, damage):
    """What the fuzzing found: zipfile raises NotImplementedError / RuntimeError for these, not a zip error (a
    newer zip version than Python reads, 8.4 from one flipped byte, is raised on opening the file)."""
    data = bytearray(_base("xlsx", tmp_path))
    for signature, flags, method in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):  # local and central headers
        at = data.find(signature)
        while at != -1:
            if damage == "encrypted":
                data[at + flags] |= 1
            elif damage == "compression method":
                data[at + method : at + method + 2] = (99).to_bytes(2, "little")
            elif signature == b"PK\x01\x02":  # the central directory's "version needed to extract": 8.4
                data[at + 6] = 84
            at = data.find(signature, at + 4)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    db = make_db(tmp_path / "d.db")
    with pytest.raises(UserError, match="not a readable .xlsx"):
        import_roster(db, path, today=TODAY)
    db.dispose()


@pytest.mark.parametrize(("content", "said"), [
    (b"", "the file is empty"),
    ("序号,姓名,身份证号码\n1,张三,11010519491231002X\n".encode("gb18030"), "it looks like a CSV file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "it is not an Excel workbook"),
    (b"PK\x03\x04" + b"\x00" * 40, "the file is damaged or incomplete"),
])
def test_an_unreadable_xlsx_says_why_in_the_users_words(tmp_path, content, said):
    """Not zipfile's English ("File is not a zip file") inside a Chinese line: empty, a CSV named .xlsx, another
    kind of file, or a damaged copy (walk E, A2)."""
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(content)
    db = make_db(tmp_path / "d.db")
    with pytest.raises(UserError) as refused:
        import_roster(db, path, today=TODAY)
    db.dispose()
    assert said in str(refused.value) and "zip" not in str(refused.value).lower()

"""The roster reader under bad input (docs/design.md §5): random bytes, mutated real files, huge and odd cells.

Every input either imports or is refused with a UserError (one translated line):
never another exception, never a hang, never a partial write. More examples with
GRIDCARE_HYPOTHESIS_EXAMPLES.
"""

from __future__ import annotations

import io
import uuid
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.sync.dump import dump_lines
from storage.core.errors import UserError
from storage.roster.importer import import_roster

from tests.roster_helpers import TODAY, good_rows, write_xlsx
from tests.foundation_helpers import make_db

EXAMPLES = int(os.environ.get("GRIDCARE_HYPOTHESIS_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _import_or_refuse(tmp_path, name: str, data: bytes) -> None:
    db = make_db(tmp_path / f"{uuid.uuid4().hex}.db")
    before = list(dump_lines(db))
    path = tmp_path / name
    path.write_bytes(data)
    try:
        import_roster(db, path, today=TODAY)
    except UserError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        assert list(dump_lines(db)) == before  # all or nothing
    db.dispose()


@FUZZ
@given(data=st.binary(max_size=4000), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_random_bytes_are_refused_or_read(tmp_path, data, suffix):
    _import_or_refuse(tmp_path, "roster" + suffix, data)


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


@FUZZ
@given(data=st.data())
def test_mutated_csv_and_xlsx_are_refused_or_read(tmp_path, data):
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
    _import_or_refuse(tmp_path, f"roster.{kind}", bytes(mutated))


_TEXT = st.characters(blacklist_categories=("Cc", "Cs"))  # what a worksheet cell can hold


@FUZZ
@given(cells=st.lists(st.one_of(st.text(_TEXT, max_size=50), st.integers(), st.floats(allow_nan=True), st.none(),
                                st.integers(5000, 40000).map(lambda n: "长" * n)), min_size=7, max_size=7),
       rows=st.integers(1, 3))
def test_odd_and_huge_cells_are_refused_or_read(tmp_path, cells, rows):
    path = write_xlsx(tmp_path / "odd.xlsx", [cells] * rows)
    _import_or_refuse(tmp_path, "odd.xlsx", path.read_bytes())

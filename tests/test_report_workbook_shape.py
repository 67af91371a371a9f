"""The workbook, cell for cell, as the report wrote it before it was streamed (openpyxl's write-only mode).

tests/fixtures/report_workbook/ holds the text (tests/workbook_shape.py) of the test township's September
workbook as the plain openpyxl workbook of main f458e78 wrote it: every sheet, cell value and type, number
format, font, border, alignment, width, row height, merge, frozen pane, print setting and the chart. A
change to the workbook that is meant shows here as a diff of that text; write the new text with
`python -m tests.test_report_workbook_shape` and read the diff before committing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from storage.core.i18n import set_language
from storage.reports.files import save_report
from storage.reports.monthly import monthly_report
from tests.report_helpers import TODAY, build_township
from tests.workbook_shape import shape

FIXTURES = Path(__file__).parent / "fixtures" / "report_workbook"


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    db, _ids = build_township(tmp_path_factory.mktemp("town") / "t.db")
    return db, monthly_report(db, 2026, 9, today=TODAY)


def _written(town, folder: Path, lang: str) -> str:
    db, report = town
    set_language(lang)
    try:
        save_report(db, report, folder / f"{lang}.xlsx")
    finally:
        set_language("en")
    return shape(folder / f"{lang}.xlsx")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_workbook_is_cell_for_cell_the_one_written_before(town, tmp_path, lang):
    expected = (FIXTURES / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
    got = _written(town, tmp_path, lang).splitlines()
    # the first line that differs, with its neighbours, rather than a thousand-line diff
    for n, (a, b) in enumerate(zip(expected, got, strict=False)):
        assert a == b, "\n".join(got[max(0, n - 3):n + 1])
    assert len(got) == len(expected)


if __name__ == "__main__":  # the fixtures, from the code as it is now
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        built = build_township(Path(tmp) / "t.db")[0]
        pair = (built, monthly_report(built, 2026, 9, today=TODAY))
        for lang in ("zh_CN", "en"):
            (FIXTURES / f"{lang}.txt").write_text(_written(pair, Path(tmp), lang), encoding="utf-8")
            sys.stdout.write(f"wrote {FIXTURES / lang}.txt\n")

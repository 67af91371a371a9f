"""`gridcare report` on an 80-column terminal: every table fits, no column title or cell cut to "…"
(issue #13 leftovers: the "visits by worker" table came out as "网格… 探访 入户… 电话…")."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from storage.core.i18n import set_language
from storage.reports.monthly import monthly_report
from tests.report_helpers import TODAY, build_township
from tui.cmd_report import print_report

BOX = "─"  # the rule under a table's column titles: a table follows


@pytest.fixture(params=["zh_CN", "en"])
def lang(request):
    set_language(request.param)
    yield request.param
    set_language("en")


def _printed(db, width: int) -> list[str]:
    out = io.StringIO()
    report = monthly_report(db, 2026, 9, today=TODAY)
    print_report(report, limit=10, console=Console(file=out, width=width, color_system=None, legacy_windows=False))
    return out.getvalue().splitlines()


def test_every_table_fits_80_columns_and_nothing_is_cut(tmp_path, lang):
    db, _ids = build_township(tmp_path / "t.db")
    lines = _printed(db, 80)
    tables = [line for line in lines if line[:1] in BOX]
    assert tables and all(cell_len(line) <= 80 for line in lines)
    cut = [line for line in tables if "…" in line]
    assert not cut, "\n".join(cut)
    # the table of visits by worker is there with its workers and figures
    start = next(i for i, line in enumerate(lines) if ("网格员探访统计" if lang == "zh_CN" else "Visits by worker") in line)
    block = "\n".join(lines[start:start + 14])
    assert "王网格" in block and "李网格" in block


def test_a_wide_terminal_keeps_every_column(tmp_path, lang):
    db, _ids = build_township(tmp_path / "t.db")
    sex = "性别" if lang == "zh_CN" else "Sex"
    assert sex in "\n".join(_printed(db, 200)) and sex not in "\n".join(_printed(db, 80))


def test_dates_in_the_lists_are_written_as_in_the_apps_date_columns(tmp_path, lang):
    """The lists wrote last visits in the short form: 10/8/26 in English (month first), 2026/9/11 in Chinese."""
    import re

    db, _ids = build_township(tmp_path / "t.db")
    text = "\n".join(_printed(db, 80))
    assert re.search(r"\b2026-\d\d-\d\d\b", text), text
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d\d\b|\b20\d\d/\d{1,2}/\d{1,2}\b", text), text

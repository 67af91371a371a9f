"""Roster import: sheets shaped as townships make them (walk-B finding 4).

A two-row header (a row of group headings over the real one, 序号 and 备注 merged down over both), a
footer under the list (合计：7人, 填表人：… 审核人：…), and the row report's sentences joined as Chinese is.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.core.i18n import set_language
from storage.roster.importer import describe, import_roster, preview
from storage.roster.parse import map_columns
from storage.roster.read import read_roster
from tests.profiles import property_settings
from tests.roster_helpers import CHILD_ID, DISABLED_ID, ELDER_ID, TODAY, id_number, residents, township_db

GROUPS = ["序号", "基本信息", None, None, None, "联系方式", None, "类别信息", None, "备注"]
HEADINGS = [None, "姓名", "身份证号码", "性别", "出生日期", "联系电话", "家庭住址", "人员类别", "所属网格", None]


def people() -> list[list[Any]]:
    return [
        [1, "张小明", CHILD_ID, "男", dt.date(2016, 3, 5), "13800001234", "东村1号", "留守儿童", "G01", "新登记"],
        [2, "王桂英", ELDER_ID, "女", dt.date(1941, 1, 20), "", "东村2号", "独居老人", "G01", None],
        [3, "陈志强", DISABLED_ID, "男", "1975.8.30", "0571-8888777", "西村3号", "重度残疾人", "G02", None],
    ]


def two_row_header_xlsx(path: Path, rows: list[list[Any]], footer: Sequence[list[Any]] = ()) -> Path:
    """The township's shape: a merged title, a blank row, group headings (merged across), the real headings,
    序号 and 备注 merged down over both heading rows; then the people, two blank rows and the footer."""
    from openpyxl import Workbook

    wb = Workbook()
    ws: Any = wb.active
    ws.title = "花名册"
    ws.append(["新市镇重点对象花名册（2026年12月）"])
    ws.merge_cells("A1:J1")
    ws.append([])
    ws.append(GROUPS)
    ws.append(HEADINGS)
    for cells in ("B3:E3", "F3:G3", "H3:I3", "A3:A4", "J3:J4"):
        ws.merge_cells(cells)
    for row in rows:
        ws.append(row)
    if footer:
        ws.append([])
        ws.append([])
    for row in footer:
        ws.append(row)
    wb.save(path)
    return path


def two_row_header_csv(path: Path, rows: list[list[Any]], footer: Sequence[list[Any]] = ()) -> Path:
    """The same sheet saved as CSV: merged cells keep their text in the first cell, the others are blank."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["新市镇重点对象花名册（2026年12月）"] + [""] * 9)
        for row in (GROUPS, HEADINGS, *rows, *footer):
            w.writerow(["" if v is None else v for v in row])
    return path


def one_row_header(path: Path, rows: list[list[Any]], footer: Sequence[list[Any]] = ()) -> Path:
    """The usual shape (one header row), .xlsx or .csv by the path: the footer's tests run on it too."""
    from tests.roster_helpers import write_csv, write_xlsx

    header = ["序号", *(str(h) for h in HEADINGS[1:-1]), "备注"]
    blank: list[list[Any]] = [[None] * 10] * 2 if footer else []
    write = write_xlsx if path.suffix == ".xlsx" else write_csv
    return write(path, [*rows, *blank, *footer], header=header)


WRITERS = {"xlsx": two_row_header_xlsx, "csv": two_row_header_csv}
SHAPES = {"two rows": WRITERS, "one row": {"xlsx": one_row_header, "csv": one_row_header}}


@pytest.fixture
def db(tmp_path):
    return township_db(tmp_path / "t.db")


# --- the header row -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_two_row_header_reads_the_lower_row_with_the_headings_merged_down(db, tmp_path, kind):
    """Refused before: the first row naming two known columns (序号, 备注) was taken for the header."""
    path = WRITERS[kind](tmp_path / f"r.{kind}", people())
    sheet = read_roster(path)
    assert sheet.header_row == (4 if kind == "xlsx" else 3)
    assert sheet.headers == ["序号", *HEADINGS[1:-1], "备注"]
    assert [(c.header, c.field) for c in map_columns(sheet.headers)][::9] == [("序号", "_skip"), ("备注", "_notes")]
    report = import_roster(db, path, today=TODAY)
    assert report.imported and [r.status for r in report.rows] == ["new"] * 3
    people_ = residents(db)
    child = people_["张小明"]
    assert (child.id_number, child.sex, child.birth_date, child.phone, child.address, child.categories,
            child.grid_code) == (CHILD_ID, "M", dt.date(2016, 3, 5), "13800001234", "东村1号", ["left_behind_child"],
                                 "330521101-G01")
    assert child.notes == "新登记"  # 备注, merged down: the notes, and the running number (序号) not in them
    assert people_["王桂英"].notes == "" and people_["陈志强"].grid_code == "330521101-G02"


def test_the_row_with_the_name_column_wins_over_an_earlier_row_with_more_headings(tmp_path):
    from tests.roster_helpers import write_csv

    # a row of group headings naming three known columns (电话, 地址, 备注) over the real header
    path = write_csv(tmp_path / "r.csv", [["电话", "地址", "备注", ""], ["姓名", "身份证号", "类别", ""],
                                          ["张小明", CHILD_ID, "留守儿童", ""]], header=["序号", "", "", ""])
    sheet = read_roster(path)
    assert sheet.header_row == 3 and sheet.headers[:3] == ["姓名", "身份证号", "类别"]
    assert [n for n, _cells in sheet.rows] == [4]


def test_the_preview_screen_shows_the_columns_of_a_two_row_header(db, tmp_path):
    import asyncio

    from textual.widgets import DataTable, Static

    from screens.roster_import import RosterImportScreen
    from tests.pilot_helpers import settle
    from tests.register_helpers import HarnessApp

    path = two_row_header_xlsx(tmp_path / "r.xlsx", people(), footer=[[None, "合计：3人"]])

    async def flow() -> None:
        app = HarnessApp(db, RosterImportScreen, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            await pilot.press(*str(path), "enter")
            await settle(pilot)
            table = screen.query_one("#preview", DataTable)
            labels = [str(c.label) for c in table.columns.values()]
            assert labels[:3] == ["序号\n→ (not imported)", "姓名\n→ Name", "身份证号码\n→ ID number"]
            assert labels[-1] == "备注\n→ Notes" and not any("unknown" in label for label in labels)
            assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["张小明", "王桂英", "陈志强"]
            summary = str(screen.query_one("#summary", Static).content)
            assert "3 new" in summary and "0 invalid" in summary
            assert "Row 10 is the sheet's footer" in summary  # people in rows 5-7, two blank rows, then 合计

    asyncio.run(flow())


# --- the footer ---------------------------------------------------------------------------------------------

FOOTERS = [
    [None, "合计：7人"], ["合计", None, None, None, None, None, None, None, None, "7"], [None, "总计 7 人"],
    [None, "小计：3"], [None, "共 7 人"], [None, "共七人"], ["以下空白"], [None, "填表人：王网格", None, None, None, "审核人：李文书"],
    ["审核人：李文书"], [None, None, None, None, None, "制表日期：2026年12月1日"], ["8", "合计：7人"],
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_footer_rows_are_skipped_and_named_not_imported(db, tmp_path, kind, shape):
    """Before: 合计：7人 was read as a resident with errors, and the whole file was refused."""
    path = SHAPES[shape][kind](tmp_path / f"r.{kind}", people(), footer=FOOTERS)
    report = import_roster(db, path, today=TODAY)
    assert report.imported and report.count("invalid") == 0
    assert [r.name for r in report.rows] == ["张小明", "王桂英", "陈志强"] and set(residents(db)) == {"张小明", "王桂英", "陈志强"}
    # two blank rows before the footer, but in a CSV saved from the township's sheet (two_row_header_csv)
    first = report.rows[-1].row + (1 if (kind, shape) == ("csv", "two rows") else 3)
    assert report.footer == list(range(first, first + len(FOOTERS))) and report.skipped == []
    assert report.footer_text().startswith(f"Rows {first}, {first + 1}, ")


def test_a_person_is_never_a_footer_row():
    """Names may begin as a footer's words do (共青, 小计 is nobody's): with an ID number or a name, a person."""
    from storage.roster.parse import is_footer  # (new with footers: imported here, so the other tests run without)

    columns = map_columns(["序号", "姓名", "身份证号码", "出生日期", "人员类别"])
    assert not is_footer(columns, [1, "共青", None, "1950-01-01", "独居老人"])
    assert not is_footer(columns, [None, "合计", id_number(dt.date(1950, 1, 1), 11), None, None])
    assert not is_footer(columns, ["合计：", "张三", None, None, None])  # a name in the name cell
    assert is_footer(columns, [None, "合计：2人", None, None, None])


_FOOTER_WORDS = st.sampled_from(["合计", "总计", "小计", "共计", "以下空白", "填表人：", "审核人：", "制表日期：",
                                 "制表：", "注：", "填报单位（盖章）"])
_TAIL = st.text(st.sampled_from("0123456789人户名：: 王李张网格年月日"), max_size=8)


@st.composite
def _footer_row(draw) -> list[Any]:
    row: list[Any] = [None] * 10
    at = draw(st.sampled_from([0, 1]))  # under 序号 or under 姓名
    row[at] = draw(_FOOTER_WORDS) + draw(_TAIL)
    for column in draw(st.lists(st.sampled_from([5, 6, 7, 9]), max_size=2, unique=True)):  # sign-offs further on
        row[column] = draw(_FOOTER_WORDS) + draw(_TAIL)
    return row


_DB: dict[str, Any] = {}


@property_settings("roster", slow=False)
@given(kind=st.sampled_from(["xlsx", "csv"]), shape=st.sampled_from(sorted(SHAPES)),
       footer=st.lists(_footer_row(), min_size=1, max_size=4))
def test_footer_rows_appended_to_a_roster_never_change_who_is_imported(kind, shape, footer):
    if "db" not in _DB:  # one register for every case: each import is a dry run
        _DB["dir"] = tempfile.TemporaryDirectory()
        _DB["db"] = township_db(Path(_DB["dir"].name) / "t.db")
    with tempfile.TemporaryDirectory() as folder:
        path = SHAPES[shape][kind](Path(folder) / f"r.{kind}", people(), footer=footer)
        report = import_roster(_DB["db"], path, today=TODAY, dry_run=True)
    assert [(r.name, r.status) for r in report.rows] == [("张小明", "new"), ("王桂英", "new"), ("陈志强", "new")]
    assert len(report.footer) == len(footer) and report.skipped == []


# --- sentences ----------------------------------------------------------------------------------------------

def test_a_rows_problem_and_the_summary_join_chinese_sentences_without_a_space(db, tmp_path):
    """Seen: 所属网格：网格为空。 请填写所属网格。 (and 有误 1。 试运行…)."""
    rows = people()
    rows[2][8] = None
    set_language("zh_CN")
    report = import_roster(db, one_row_header(tmp_path / "r.csv", rows), today=TODAY, dry_run=True)
    text = describe(report.rows[2])
    assert text.startswith("所属网格：") and "。请" in text and "。 " not in text
    assert "。试运行" in report.summary() and "。 " not in report.summary()
    set_language("en")
    from storage.core.i18n import join_sentences

    assert join_sentences("The grid is empty.", "", "Name the resident's grid.") == ("The grid is empty. Name the "
                                                                                    "resident's grid.")


def test_preview_of_a_two_row_header(tmp_path):
    sheet, columns = preview(two_row_header_xlsx(tmp_path / "r.xlsx", people()), rows=2)
    assert [n for n, _cells in sheet.rows] == [5, 6] and columns[1].field == "name"

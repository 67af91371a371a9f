"""Roster import, cell by cell: headers as people write them, messy cells as spreadsheets hold them, columns and categories."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.errors import UserError
from storage.roster.columns import field_for_header, parse_categories, parse_date
from storage.roster.importer import import_roster
from storage.roster.read import read_roster
from tests.foundation_helpers import make_db
from tests.roster_helpers import (
    CHILD_ID,
    DISABLED_ID,
    ELDER_ID,
    HEADER,
    TODAY,
    benefit_kinds,
    by_row,
    good_rows,
    id_number,
    residents,
    write_csv,
    write_xlsx,
)


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "t.db")


# --- headers -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header, field", [
    ("姓名", "name"), ("名字", "name"), ("Name", "name"), ("身份证号", "id_number"), ("身份证号码", "id_number"),
    ("公民身份号码", "id_number"), ("证件号码", "id_number"), ("ID Number", "id_number"), ("性别", "sex"),
    ("Gender", "sex"), ("出生年月", "birth_date"), ("出生日期", "birth_date"), ("手机号", "phone"),
    ("联系电话", "phone"), ("所属网格", "_grid"), ("村（社区）", "_village"), ("村(社区)", "_village"),
    ("人员类别", "_categories"), ("类别", "_categories"), ("监护人", "guardian_name"),
    ("监护人联系电话", "guardian_phone"), ("与被监护人关系", "guardian_relation"), ("残疾证号", "disability_card"),
    ("残疾类别", "_disability_category"), ("残疾等级", "_disability_grade"), ("风险等级", "_risk"),
    ("家庭住址", "address"), ("备注", "_notes"), ("* 姓 名：", "name"), ("身份证号（必填）", "id_number"),
    ("ＮＡＭＥ", "name"), ("民族", None),
])
def test_header_variants(header, field):
    assert field_for_header(header) == field



def test_english_headers_import(db, tmp_path):
    path = write_xlsx(tmp_path / "en.xlsx", [["Zhang Wei", CHILD_ID, "M", "left-behind child", "13800001234"]],
                      header=["Name", "ID number", "Sex", "Category", "Phone"])
    report = import_roster(db, path, today=TODAY)
    assert report.imported and [r.status for r in report.rows] == ["new"]
    r = residents(db)["Zhang Wei"]
    assert r.categories == ["left_behind_child"] and r.phone == "13800001234" and r.sex == "M"


# --- messy cells ---------------------------------------------------------------------------------------

def test_merged_title_row_above_the_header_is_skipped(db, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", good_rows(), title="新市镇重点人员花名册")
    sheet = read_roster(path)
    assert sheet.header_row == 2 and sheet.headers[:3] == HEADER[:3]
    report = import_roster(db, path, today=TODAY)
    assert [(r.row, r.status) for r in report.rows] == [(3, "new"), (4, "new"), (5, "new")]


@pytest.mark.parametrize("cell", [
    float(int(CHILD_ID[:17] + "0")),  # stored as a number: 3.30521201603050e+17
    330106200101011000.0,  # Excel kept 15 significant digits
    330106200101011000,  # the same, read back as an integer
    "3.30106E+17",  # the scientific notation as CSV text
])
def test_id_stored_as_a_number_is_refused_with_the_reason(db, tmp_path, cell):
    path = write_xlsx(tmp_path / "r.xlsx", [[1, "张小明", cell, "男", "留守儿童", "", ""]])
    report = import_roster(db, path, today=TODAY)
    (row,) = report.rows
    assert row.status == "invalid" and not report.imported
    assert row.problems[0].column == "身份证号码"
    assert "stored as a number" in row.problems[0].message


@pytest.mark.parametrize("cell, expected", [
    (42156, dt.date(2015, 6, 1)),  # an Excel serial in a General-formatted column
    (dt.datetime(2015, 6, 1), dt.date(2015, 6, 1)),
    (dt.date(2015, 6, 1), dt.date(2015, 6, 1)),
    ("2015-06-01", dt.date(2015, 6, 1)),
    ("2015/6/1", dt.date(2015, 6, 1)),
    ("2015.6.1", dt.date(2015, 6, 1)),
    ("2015年6月1日", dt.date(2015, 6, 1)),
    ("20150601", dt.date(2015, 6, 1)),
    (20150601, dt.date(2015, 6, 1)),
    ("２０１５年６月１日", dt.date(2015, 6, 1)),
])
def test_birth_dates_as_spreadsheets_hold_them(db, tmp_path, cell, expected):
    path = write_xlsx(tmp_path / "r.xlsx", [["李小花", cell, "女", "留守儿童"]], header=["姓名", "出生日期", "性别", "人员类别"])
    report = import_roster(db, path, today=TODAY)
    assert report.imported, report.rows[0].problems
    assert residents(db)["李小花"].birth_date == expected


def test_date_parser_month_only_and_nonsense():
    assert parse_date("2015.06") == (2015, 6)
    assert parse_date("2015年6月") == (2015, 6)
    with pytest.raises(UserError):
        parse_date("去年")


def test_birth_month_must_match_the_id_number(db, tmp_path):
    rows = [["张小明", CHILD_ID, "2016.03", "留守儿童"], ["张小红", id_number(dt.date(2015, 1, 2), 22), "2015.02", "留守儿童"],
            ["张小刚", "", "2016.03", "留守儿童"]]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows, header=["姓名", "身份证号", "出生年月", "类别"]), today=TODAY)
    statuses = {r.name: r.status for r in report.rows}
    assert statuses == {"张小明": "new", "张小红": "invalid", "张小刚": "invalid"}
    assert by_row(report)[3].problems[0].column == "出生年月"


def test_stray_and_full_width_spaces_and_digits(db, tmp_path):
    wide_id = CHILD_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [[1, "\u3000张 小明 ", f" {wide_id} ", " 男 ", "留守儿童 ", "１３８ 0000 1234", "  新市镇  东村1号 "]]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows), today=TODAY)
    assert report.imported, report.rows[0].problems
    r = residents(db)["张小明"]  # the clerk's padding inside a name is gone (issue #12: a search for 张小明 found nobody)
    assert r.id_number == CHILD_ID and r.phone == "13800001234" and r.address == "新市镇 东村1号"


@pytest.mark.parametrize("encoding, delimiter", [
    ("utf-8-sig", ","), ("utf-8", ","), ("gbk", ","), ("gb18030", ";"), ("utf-8", "\t"),
])
def test_csv_encodings_and_delimiters(db, tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "r.csv", good_rows(), encoding=encoding, delimiter=delimiter)
    sheet = read_roster(path)
    assert sheet.headers == HEADER and sheet.rows[0][1][1] == "张小明"
    report = import_roster(db, path, today=TODAY)
    assert report.imported and report.count("new") == 3
    # 低保 in the category cell: a benefit record since a date nobody wrote, not a flag
    assert residents(db)["王桂英"].flags == []
    assert benefit_kinds(db, residents(db)["王桂英"]) == [("dibao", None)]


def test_csv_that_is_neither_utf8_nor_gbk_is_refused(db, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("姓名,身份证号\n".encode() + b"\xff\xfe\xff,1\n")
    with pytest.raises(UserError, match="UTF-8"):
        import_roster(db, path, today=TODAY)


def test_no_header_row_or_no_name_column(db, tmp_path):
    with pytest.raises(UserError, match="header row"):
        import_roster(db, write_xlsx(tmp_path / "a.xlsx", [["x", "y"]], header=["甲", "乙"]), today=TODAY)
    with pytest.raises(UserError, match="name column"):
        import_roster(db, write_xlsx(tmp_path / "b.xlsx", [[CHILD_ID, "男"]], header=["身份证号", "性别"]), today=TODAY)


def test_sheets(db, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", good_rows(), sheet="花名册", extra_sheets=("说明",))
    with pytest.raises(UserError, match="花名册, 说明"):
        import_roster(db, path, sheet="Sheet9", today=TODAY)
    with pytest.raises(UserError, match="header row"):
        import_roster(db, path, sheet="说明", today=TODAY)
    assert import_roster(db, path, sheet="花名册", today=TODAY).count("new") == 3


# --- columns and categories -------------------------------------------------------------------------------

def test_unknown_columns_are_reported_and_kept_in_notes(db, tmp_path):
    header = HEADER + ["民族", "备注", "学校"]
    rows = [row + ["汉族", "父母在杭州务工", None] for row in good_rows()]
    rows[0][-1] = "东村小学"
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows, header=header), today=TODAY)
    assert report.unknown_columns == ["民族", "学校"]
    assert residents(db)["张小明"].notes == "父母在杭州务工\n民族: 汉族\n学校: 东村小学"
    assert residents(db)["王桂英"].notes == "父母在杭州务工\n民族: 汉族"


@pytest.mark.parametrize("cell, cats, flags, subtype", [
    ("留守儿童、低保", ["left_behind_child"], [], None),
    ("农村留守儿童", ["left_behind_child"], [], None),
    ("困境儿童（孤儿）", ["child_in_difficulty"], [], "orphan"),
    ("事实无人抚养儿童", ["child_in_difficulty"], [], "de_facto_unsupported"),
    ("独居老人,高龄，特困", ["solitary_elder"], [], None),
    ("空巢老人/低保户", ["empty_nest_elder"], [], None),
    ("孤寡老人、重病", ["widowed_childless_elder", "seriously_ill"], [], None),
    ("农村留守妇女", ["left_behind_woman"], [], None),
    ("农村留守老年人 失能", ["left_behind_elder"], ["disabled_care"], None),
    ("重残", ["severely_disabled"], [], None),
    ("Elder living alone", ["solitary_elder"], [], None),
])
def test_categories_as_written(cell, cats, flags, subtype):
    assert parse_categories(cell) == (cats, flags, subtype)


def test_unknown_category_is_a_row_problem(db, tmp_path):
    rows = good_rows()
    rows[1][4] = "退役军人"
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows), today=TODAY)
    problem = by_row(report)[3].problems[0]
    assert problem.column == "人员类别" and "退役军人" in problem.message


def test_disability_risk_parents_and_guardian(db, tmp_path):
    header = ["姓名", "身份证号", "人员类别", "残疾证号", "残疾类别", "残疾等级", "风险等级", "监护人", "监护人电话",
              "与被监护人关系", "父亲姓名", "父亲状态", "母亲姓名", "母亲情况"]
    rows = [["陈志强", DISABLED_ID, "重度残疾人", DISABLED_ID + "41", "肢体", "一级", "高", "", "", "", "", "", "", ""],
            ["张小明", CHILD_ID, "留守儿童", "", "", "", "红", "张爷爷", "139 0000 5678", "祖孙", "张大", "外出务工",
             "李二", "去世"]]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows, header=header), today=TODAY)
    assert report.imported, [r.problems for r in report.rows]
    people = residents(db)
    assert (people["陈志强"].disability_category, people["陈志强"].disability_grade, people["陈志强"].risk_level) == (4, 1, "high")
    child = people["张小明"]
    assert (child.risk_level, child.guardian_phone, child.father_status, child.mother_status) == \
        ("emergency", "13900005678", "away", "deceased")


def test_disability_grade_column_disagreeing_with_the_card(db, tmp_path):
    header = ["姓名", "身份证号", "人员类别", "残疾证号", "残疾等级"]
    rows = [["陈志强", DISABLED_ID, "重度残疾人", DISABLED_ID + "41", "三级"]]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows, header=header), today=TODAY)
    assert report.rows[0].status == "invalid" and report.rows[0].problems[0].column == "残疾等级"


def test_validation_problems_name_the_users_column(db, tmp_path):
    rows = [[1, "张小明", CHILD_ID, "女", "留守儿童", "12345", ""], [2, "", ELDER_ID, "女", "留守儿童", "", ""]]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows), today=TODAY)
    assert {p.column for p in by_row(report)[2].problems} == {"性别", "联系电话"}
    assert {p.column for p in by_row(report)[3].problems} == {"姓名", "人员类别"}  # no name; an elder is no child


def test_the_problems_printed_at_80_columns_are_wrapped_as_chinese_is_set(db, tmp_path, capsys, monkeypatch):
    # Rich folded the ID's reason at the last cell that fit: "……（科学计数⏎法）" was fine, but at other widths a line
    # of the Problems column began with "，" or "："
    from tui.cli import main
    from tui.line_breaks import NO_LINE_START

    path = write_xlsx(tmp_path / "r.xlsx", [[1, "张小明", 330106200101011000, "男", "留守儿童", "", ""]])
    for columns in range(60, 101):
        monkeypatch.setenv("COLUMNS", str(columns))
        assert main(["--lang", "zh_CN", "--db", str(db.path), "roster", "import", str(path), "--dry-run"]) == 1
        out = capsys.readouterr().out
        problems = [line.split("│")[-1].strip() for line in out.splitlines() if line.count("│") == 3]
        assert "（科学计数法），末尾几位已丢失" in "".join(problems)
        assert not [p for p in problems if p and p[0] in NO_LINE_START], (columns, problems)

"""Roster columns of issue #15: statuses (低保, 特困 ...), 两项补贴, 残疾类别/等级, the paired helper, and warnings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage.core.models import Benefit, Resident
from storage.roster.benefit_cells import parse_disability, parse_status, parse_subsidies
from storage.roster.columns import field_for_header, read_categories
from storage.roster.importer import import_roster
from storage.roster.report import describe
from tests.foundation_helpers import make_db
from tests.roster_helpers import CHILD_ID, DISABLED_ID, ELDER_ID, TODAY, id_number, write_xlsx


@pytest.fixture
def db(tmp_path):
    d = make_db(tmp_path / "t.db")
    yield d
    d.dispose()


def _people(db) -> dict[str, Resident]:
    with db.session() as s:
        return {r.name: r for r in s.execute(select(Resident)).scalars()}


def _benefits(db) -> dict[str, list[tuple[str, object]]]:
    with db.session() as s:
        names = {r.id: r.name for r in s.execute(select(Resident)).scalars()}
        out: dict[str, list] = {}
        for b in s.execute(select(Benefit).where(Benefit.deleted == False)).scalars():  # noqa: E712
            out.setdefault(names[b.resident_id], []).append((b.kind, b.start_on))
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.parametrize("header, field", [
    ("低保", "_dibao"), ("是否低保", "_dibao"), ("特困", "_tekun"), ("特困人员", "_tekun"),
    ("低保边缘家庭", "_dibao_edge"), ("低收入人口", "_low_income"), ("支出型困难家庭", "_expenditure_hardship"),
    ("两项补贴", "_subsidies"), ("残疾类别/等级", "_disability"), ("残疾类别及等级", "_disability"),
    ("结对帮扶人", "helper_name"), ("帮扶人", "helper_name"), ("帮扶人电话", "helper_phone"),
    ("结对帮扶人电话", "helper_phone"), ("帮扶单位", "helper_unit"), ("结对时间", "_helper_since"),
])
def test_new_headers(header, field):
    assert field_for_header(header) == field


@pytest.mark.parametrize("cell, expected", [
    ("是", (True, None)), ("否", (False, None)), ("无", (False, None)), ("√", (True, None)), ("A类", (True, None)),
    ("全额", (True, None)), ("2024-03-01", (True, dt.date(2024, 3, 1))), ("2024年3月", (True, dt.date(2024, 3, 1))),
    (dt.datetime(2023, 5, 6), (True, dt.date(2023, 5, 6))),
])
def test_status_cells(cell, expected):
    assert parse_status(cell, "_dibao") == expected


def test_status_and_subsidy_cells_that_say_something_else_are_row_problems():
    from storage.core.errors import ValidationError

    with pytest.raises(ValidationError, match="待审"):
        parse_status("待审", "_dibao")
    with pytest.raises(ValidationError, match="养老金"):
        parse_subsidies("护理补贴、养老金")
    with pytest.raises(ValidationError):
        parse_disability("肢体")


def test_subsidy_and_disability_cells():
    assert parse_subsidies("生活补贴、护理补贴") == ["living_subsidy", "care_subsidy"]
    assert parse_subsidies("两项补贴") == ["living_subsidy", "care_subsidy"]
    assert parse_subsidies("重度残疾人护理补贴") == ["care_subsidy"]
    assert parse_subsidies("无") == []
    assert parse_disability("肢体二级") == (4, 2)
    assert parse_disability("智力 三级") == (5, 3)
    assert parse_disability("二级精神残疾") == (6, 2)
    assert parse_disability("精神残疾四级") == (6, 4)


def test_category_cell_names_statuses_and_derived_categories():
    cell = read_categories("独居老人、高龄、低保、五保户")
    assert (cell.categories, cell.flags, cell.benefits, cell.derived) == (
        ["solitary_elder"], [], ["dibao", "tekun"], ["advanced_age"])


HEADER = ["姓名", "身份证号", "人员类别", "低保", "特困", "残疾类别/等级", "两项补贴", "结对帮扶人", "帮扶人电话",
          "帮扶单位", "结对时间"]
MENTAL_ID = id_number(dt.date(1980, 2, 2), 46)


def _rows():
    return [
        ["王桂英", ELDER_ID, "独居老人", "2024-03-01", "否", "", "", "李梅", "13800002222", "东村村委会", "2025-01-01"],
        ["陈志强", DISABLED_ID, "重度残疾人", "是", "", "肢体一级", "护理补贴", "", "", "", ""],
        ["刘明", MENTAL_ID, "三四级智力精神残疾人", "否", "", "精神三级", "无", "", "", "", ""],
    ]


def test_benefits_helper_and_disability_columns_import_and_reimport_changes_nothing(db, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", _rows(), header=HEADER)
    report = import_roster(db, path, today=TODAY)
    assert report.imported, [describe(r) for r in report.rows]
    people = _people(db)
    assert _benefits(db) == {"王桂英": [("dibao", dt.date(2024, 3, 1))],
                             "陈志强": [("care_subsidy", None), ("dibao", None)]}
    elder = people["王桂英"]
    assert (elder.helper_name, elder.helper_phone, elder.helper_unit, elder.helper_since) == (
        "李梅", "13800002222", "东村村委会", dt.date(2025, 1, 1))
    assert (people["陈志强"].disability_category, people["陈志强"].disability_grade) == (4, 1)
    assert (people["刘明"].disability_category, people["刘明"].disability_grade) == (6, 3)
    assert people["刘明"].categories == ["disabled_3_4_intellectual_mental"]
    again = import_roster(db, path, today=TODAY)
    assert [r.status for r in again.rows] == ["unchanged"] * 3
    assert len(_benefits(db)["陈志强"]) == 2


def test_a_status_added_on_reimport_is_an_update_naming_its_column(db, tmp_path):
    import_roster(db, write_xlsx(tmp_path / "a.xlsx", _rows(), header=HEADER), today=TODAY)
    rows = _rows()
    rows[2][4] = "是"  # 刘明: now 特困
    report = import_roster(db, write_xlsx(tmp_path / "b.xlsx", rows, header=HEADER), today=TODAY)
    assert [r.status for r in report.rows] == ["unchanged", "unchanged", "update"]
    assert report.rows[2].changed == ["特困"]
    assert _benefits(db)["刘明"] == [("tekun", None)]


def test_grade_3_4_category_with_a_grade_2_is_a_row_problem(db, tmp_path):
    rows = _rows()
    rows[2][5] = "精神二级"
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows, header=HEADER), today=TODAY)
    assert report.rows[2].status == "invalid" and "grade 2" in describe(report.rows[2])


def test_left_behind_child_with_both_parents_at_home_is_warned_not_refused(db, tmp_path):
    header = ["姓名", "身份证号", "人员类别", "父亲状态", "母亲状态"]
    rows = [["张小明", CHILD_ID, "留守儿童", "在家", "在家"]]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows, header=header), today=TODAY)
    row = report.rows[0]
    assert report.imported and row.status == "new"
    assert len(row.warnings) == 1 and "Check: 人员类别:" in describe(row) and "parent" in describe(row)
    rows = [["张小明", CHILD_ID, "留守儿童", "外出务工", "重病"]]
    report = import_roster(db, write_xlsx(tmp_path / "s.xlsx", rows, header=header), today=TODAY)
    assert report.rows[0].warnings == []


def test_advanced_age_word_for_someone_under_80_is_warned(db, tmp_path):
    young = id_number(dt.date(1955, 5, 5), 57)
    rows = [["王大爷", young, "空巢老人、高龄"], ["王奶奶", ELDER_ID, "独居老人、高龄"]]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows, header=["姓名", "身份证号", "人员类别"]), today=TODAY)
    assert report.imported
    assert "80" in describe(report.rows[0]) and report.rows[1].warnings == []
    assert _people(db)["王大爷"].categories == ["empty_nest_elder"]

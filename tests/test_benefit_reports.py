"""The monthly report's benefit and pairing lists: the same rows as Home, in the workbook and the CSV files."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from storage.core.i18n import _, set_language
from storage.register.benefits import record_benefit
from storage.register.residents import register_resident
from storage.reports.files import csv_list_path, save_report
from storage.reports.monthly import monthly_report
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)
CARD_ID = "11010519491231002X"


@pytest.fixture
def db(tmp_path):
    d = make_db(tmp_path / "w.db")
    disabled = register_resident(d, {"name": "赵淑珍", "id_number": CARD_ID, "disability_card": CARD_ID + "52",
                                     "categories": ["severely_disabled"], "registered_on": dt.date(2026, 1, 5)},
                                 today=TODAY)
    record_benefit(d, disabled.id, "dibao", start_on="2026-01-01", end_on="2026-12-10", today=TODAY)
    record_benefit(d, disabled.id, "living_subsidy", start_on="2026-02-01", today=TODAY)
    register_resident(d, {"name": "单丽", "birth_date": dt.date(2012, 7, 9), "categories": ["child_in_difficulty"],
                          "registered_on": dt.date(2026, 1, 5)}, today=TODAY)
    yield d
    d.dispose()


def test_the_report_lists_unclaimed_ending_and_unpaired_on_the_report_day(db):
    report = monthly_report(db, 2026, 11, today=TODAY)
    unclaimed = report.list_rows("unclaimed_benefits")
    assert [(r.name, r.benefit) for r in unclaimed] == [("赵淑珍", "care_subsidy")]
    assert unclaimed[0].village == "" and unclaimed[0].grid == "一网格"
    assert [(r.name, r.benefit, r.end_on) for r in report.list_rows("benefits_ending")] == [
        ("赵淑珍", "dibao", dt.date(2026, 12, 10))]
    assert [r.name for r in report.list_rows("unpaired")] == ["单丽"]
    # in October the 低保 period did not yet end within 30 days (report day: October 31st)
    october = monthly_report(db, 2026, 10, today=TODAY)
    assert october.list_rows("benefits_ending") == []


def test_the_workbook_and_csv_carry_the_lists_in_chinese(db, tmp_path):
    from openpyxl import load_workbook

    set_language("zh_CN")
    report = monthly_report(db, 2026, 11, today=TODAY)
    path = tmp_path / "r.xlsx"
    save_report(db, report, path)
    wb = load_workbook(path)
    assert {"两项补贴应享未享", "30天内到期的救助补贴", "未落实结对帮扶"} <= set(wb.sheetnames)
    rows = list(wb["两项补贴应享未享"].iter_rows(values_only=True))
    assert rows[1][0] == "赵淑珍" and "重度残疾人护理补贴" in rows[1] and "一级或二级残疾" in rows[1][-1]
    written = save_report(db, report, tmp_path / "r.csv")
    target = csv_list_path(tmp_path / "r.csv", "unpaired")
    assert target in written
    with target.open(encoding="utf-8-sig", newline="") as fh:
        assert [row[0] for row in csv.reader(fh)] == [_("Name"), "单丽"]

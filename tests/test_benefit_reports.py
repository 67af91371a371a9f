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
    assert unclaimed[0].village == _("No village") and unclaimed[0].grid == "一网格"  # as in the other lists
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


def test_the_lists_name_the_village_as_the_reports_other_lists_do(tmp_path):
    """A resident registered on screen has no village of its own: it is in its grid's. The benefit and pairing
    lists showed it blank, and a village known only by name as its id ("330521101-柳溪村"); the township's
    workbook now names 柳溪村 on every list, as the overdue and unvisited lists always did."""
    from storage.core.db import open_database
    from storage.core.identity import init_worker
    from storage.sync.devices import enroll
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.sync_helpers import make_township

    t = make_township(tmp_path)
    code = enroll(t.db, "G01", "王芳")[0]
    worker = open_database(tmp_path / "g01.db")
    init_worker(worker, "330521101", "新市镇", "G01", "柳溪村第一网格", "王芳", t.key, village_name="柳溪村",
                enroll_code=code)
    child = register_resident(worker, {"name": "张小宇", "birth_date": dt.date(2015, 6, 12),
                                       "categories": ["left_behind_child"]}, today=TODAY)
    record_benefit(worker, child.id, "dibao", start_on="2026-01-01", end_on="2026-12-10", today=TODAY)
    bundle = export_bundle(worker, tmp_path / "out").path
    assert merge_paths(t.db, [bundle]).refused == []
    for db in (worker, t.db):
        report = monthly_report(db, 2026, 11, today=TODAY)
        listed = {p.id: p.village for p in report.listed}
        assert listed[child.id] == "柳溪村"
        for name in ("benefits_ending", "unpaired"):
            rows = report.list_rows(name)
            assert [(r.name, r.village) for r in rows] == [("张小宇", "柳溪村")], name
    worker.dispose()
    t.db.dispose()

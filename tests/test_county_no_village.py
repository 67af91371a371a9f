"""At a county, each township's key persons with no village yet are a row of their own in the village table,
below that township's name (镇101无所属村), as its villages and grids are: they were one 无所属村 row for the
whole county, counting two townships' people together and drilling down to both."""

from __future__ import annotations

import csv

from openpyxl import load_workbook
from textual.widgets import DataTable, Select

from storage.core.i18n import set_language
from storage.register.villages import set_grid_village
from storage.reports.files import save_report
from storage.reports.monthly import monthly_report
from storage.sync.merge import merge_paths
from tests.county_helpers import TODAY, busy_township, elder, make_county
from tests.pilot_helpers import run_async, settle
from tests.test_cli import run

VILLAGE = "330521101201"


def _county(tmp_path, db_target):
    """Two townships of two grids each (two key persons a grid): 镇101's G01 in 王家村, the rest in no village."""
    key = tmp_path / "county.pub"
    county = make_county(db_target, key)
    t1 = busy_township(tmp_path / "t1", "330521101", key, county=county)
    t2 = busy_township(tmp_path / "t2", "330521102", key, county=county)
    set_grid_village(t1.db, "G01", "王家村", VILLAGE)
    elder(t2.workers["G02"], "赵六")  # a third key person in 镇102's no-village row
    t2.collect()
    for t in (t1, t2):
        assert merge_paths(county, [t.to_county(tmp_path / f"up-{t.code}")]).refused == []
    return county, (t1, t2)


def test_each_townships_people_with_no_village_are_its_own_row(tmp_path, db_target):
    (tmp_path / "t1").mkdir()
    (tmp_path / "t2").mkdir()
    county, sites = _county(tmp_path, db_target)
    try:
        set_language("zh_CN")
        report = monthly_report(county, 2026, 11, today=TODAY)
        rows = [(r.shown_label, r.key_persons) for r in report.rows["village"]]
        assert rows == [("镇101王家村", 2), ("镇101无所属村", 2), ("镇102无所属村", 5)]
        by_label = {r.shown_label: r.key for r in report.rows["village"]}
        for label, town in (("镇101无所属村", "镇101"), ("镇102无所属村", "镇102")):
            people = report.behind("village", by_label[label], "key_persons")
            assert people and {p.township for p in people} == {town} and all(not p.village_code for p in people)
            assert {p.village for p in people} == {label}  # the lists name it as the table does
        # the coverage sheet's and the assessment sheet's villages too
        assert [v for v, _g, _c, _s in report.places.values()] == ["镇101王家村", "镇101无所属村", "镇102无所属村",
                                                                    "镇102无所属村"]
        assert [(r.label, r.key_persons) for r in report.followup.assessment_rows] == [
            ("镇101王家村", 2), ("镇101无所属村", 2), ("镇102无所属村", 5)]
        save_report(county, report, tmp_path / "r.xlsx")
        cells = {c.value for ws in load_workbook(tmp_path / "r.xlsx").worksheets for row in ws.iter_rows() for c in row}
        assert {"镇101无所属村", "镇102无所属村"} <= cells and "无所属村" not in cells
        fields = []
        for path in save_report(county, report, tmp_path / "r.csv"):
            with open(path, encoding="utf-8-sig", newline="") as fh:
                fields += [f for row in csv.reader(fh) for f in row]
        assert {"镇101无所属村", "镇102无所属村"} <= set(fields) and "无所属村" not in fields
        out = run("--db", str(db_target), "--lang", "zh_CN", "report", "--month", "2026-11", tmp_path=tmp_path)
        assert out.returncode == 0, out.stderr
        assert "镇101无所属村" in out.stdout and "镇102无所属村" in out.stdout
        assert not any(line.strip().startswith("无所属村") for line in out.stdout.splitlines())
    finally:
        set_language("zh_CN")
        county.dispose()
        for t in sites:
            t.close()


@run_async
async def test_the_reports_screen_at_a_county_drills_down_to_one_townships_no_village_row(tmp_path):
    """In Chinese at 80x24: the village table has 镇101无所属村 and 镇102无所属村, and Enter on 镇102's lists
    only 镇102's residents."""
    from screens.reports import ReportsScreen
    from tests.register_helpers import HarnessApp

    (tmp_path / "t1").mkdir()
    (tmp_path / "t2").mkdir()
    county, sites = _county(tmp_path, str(tmp_path / "county.db"))
    set_language("zh_CN")
    try:
        app = HarnessApp(county, ReportsScreen, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
            screen = app.screen
            screen.query_one("#grouping", Select).value = "village"
            await settle(pilot, lambda: screen.grouping == "village")
            await settle(pilot)
            table = screen.query_one("#summary", DataTable)
            labels = [str(table.get_row_at(i)[0]).strip() for i in range(table.row_count)]
            assert labels == ["镇101王家村", "镇101无所属村", "镇102无所属村", "合计"]
            # who places the grids: the townships (the county's Home has no villages screen)
            assert "无所属村：网格尚未归入村（由各乡镇归入）。" in str(screen.query_one("#report-notes").render())
            table.focus()
            table.move_cursor(row=2, column=1)  # 镇102无所属村's key persons
            await pilot.press("enter")
            await settle(pilot, lambda: app.screen is not screen)
            listing = app.screen.query_one("#list", DataTable)
            await settle(pilot, lambda: listing.row_count == 5)
            names = {str(listing.get_row_at(i)[0]).strip() for i in range(listing.row_count)}
            assert names == {"王芳1020", "王芳1021", "李强1020", "李强1021", "赵六"}
    finally:
        county.dispose()
        for t in sites:
            t.close()

"""The report files read back: the same numbers as monthly_report, real dates, masked IDs, audit entries."""

from __future__ import annotations

import csv
import datetime as dt
import os

import pytest

from storage.core.audit import entries
from storage.core.errors import UserError
from storage.core.i18n import _, set_language
from storage.reports.files import LIST_COLUMNS, csv_list_path, display_width, save_report
from storage.reports.monthly import LISTS, monthly_report
from tests.report_helpers import TODAY, build_township

D = dt.date


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    db, ids = build_township(tmp_path_factory.mktemp("town") / "t.db")
    return db, ids, monthly_report(db, 2026, 9, today=TODAY)


def _load(path):
    from openpyxl import load_workbook

    return load_workbook(path)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_xlsx_sheets_headers_and_cell_types(town, tmp_path, lang):
    db, ids, report = town
    set_language(lang)
    path = tmp_path / "r.xlsx"
    assert save_report(db, report, path) == [path]
    wb = _load(path)
    assert wb.sheetnames == [_("Visit rates"), _("Summary"), _("12-month trend")] + [_(t)[:31] for t in LISTS.values()] + [_("Six-dimension assessment")]
    if lang == "zh_CN":
        assert "超龄退出" in wb.sheetnames  # "Aged out", from the real Chinese catalog (the glossary: not 超龄 alone)
    summary = wb[_("Summary")]
    assert summary.freeze_panes == "A5"
    header = [c.value for c in summary[4]]
    assert header == [_("Village"), _("Key persons"), _("Visited"), _("Visit rate"), _("Overdue"),
                      _("Emergency + high risk"), _("Open referrals"), _("Aged out")]
    rows = {r[0]: r[1:] for r in summary.iter_rows(min_row=5, max_row=8, values_only=True)}
    assert rows["柳溪村"] == (6, 4, pytest.approx(4 / 6), 0, 1, 1, 1)
    assert rows[_("Total")] == (10, 7, pytest.approx(7 / 10), 1, 2, 2, 1)
    assert all(type(v) is int for v in rows[_("Total")][:2])
    assert summary.cell(5, 4).number_format == "0.0%"
    for name, title in LISTS.items():
        sheet = wb[_(title)[:31]]
        assert sheet.freeze_panes == "A2"
        assert [c.value for c in sheet[1]] == [_(c.header) for c in LIST_COLUMNS[name]]
        assert sheet.max_row - 1 == len(report.list_rows(name))
    overdue = wb[_(LISTS["overdue"])]
    first = [c.value for c in overdue[2]]
    assert first[0] == "周九" and first[-2:] == [dt.datetime(2026, 9, 29), 1]
    assert overdue.cell(2, len(first) - 1).number_format == "yyyy-mm-dd"
    # CJK text counts double: the 3-character village column is wider than "Age"
    assert summary.column_dimensions["A"].width >= display_width("柳溪村") + 2
    # the sheets a clerk signs and files name no path of the project's own docs (walk G, 9)
    texts = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert texts and not [t for t in texts if "docs/" in t or ".md" in t]


def test_ids_are_masked_unless_asked(town, tmp_path):
    db, ids, report = town
    masked, full = tmp_path / "m.xlsx", tmp_path / "f.xlsx"
    sheet = _(LISTS["not_visited"])
    # 张一 holds the one ID number; nobody has been visited in October yet, so he is on that list
    october = monthly_report(db, 2026, 10, today=TODAY)
    save_report(db, october, masked)
    save_report(db, october, full, full_ids=True)

    def cells(p):
        return {row[0]: row[1] for row in _load(p)[sheet].iter_rows(min_row=2, values_only=True)}

    assert cells(masked)["张一"] == "1101**********002X"
    assert cells(full)["张一"] == "11010519491231002X"
    assert oct(os.stat(masked).st_mode & 0o777) == "0o600"


def test_csv_has_a_bom_and_parses_back(town, tmp_path):
    db, ids, report = town
    path = tmp_path / "r.csv"
    written = save_report(db, report, path)
    assert written == [path] + [csv_list_path(path, n) for n in LISTS] + [
        tmp_path / "r-assessment.csv", tmp_path / "r-visit-rates.csv", tmp_path / "r-trend.csv"]
    assert csv_list_path(path, "aged_out").name == "r-aged-out.csv"
    for p in written:
        assert p.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[4] == [_("Village"), _("Key persons"), _("Visited"), _("Visit rate"), _("Overdue"),
                       _("Emergency + high risk"), _("Open referrals"), _("Aged out")]
    assert rows[5] == ["柳溪村", "6", "4", "66.7%", "0", "1", "1", "1"]
    assert ["Total", "10", "7", "70.0%", "1", "2", "2", "1"] in rows
    with csv_list_path(path, "open_referrals").open(encoding="utf-8-sig", newline="") as fh:
        refs = list(csv.DictReader(fh))
    assert [(r["Name"], r["Opened on"], r["Days open"]) for r in refs] == [
        ("郑十一", "2026-09-01", "29"), ("陈六", "2026-09-03", "27")]


def test_csv_files_are_named_in_chinese_as_the_workbook_sheets(town, tmp_path, capsys):
    """A clerk sends the CSV files on to the county: in Chinese they are named as the workbook's sheets
    (r11-本月未探访.csv), and the command lists them with 、 (walk E, B2)."""
    from tui.cli import main

    db, ids, report = town
    path = tmp_path / "十一月.csv"
    set_language("zh_CN")
    written = save_report(db, report, path)
    names = [p.name for p in written]
    assert names[:3] == ["十一月.csv", "十一月-本月未探访.csv", "十一月-逾期.csv"]
    assert names[-3:] == ["十一月-六维度评估.csv", "十一月-探访率汇总表.csv", "十一月-近12个月探访率.csv"]
    assert len(set(names)) == len(names) == len(LISTS) + 4
    assert all(p.exists() and not set(p.name) & set('\\/:*?"<>|') for p in written)
    assert all("-" not in p.stem.removeprefix("十一月-") or p == path for p in written[1:])  # no English slug left
    set_language("en")
    assert main(["--db", str(db.path), "--lang", "zh_CN", "report", "--month", "2026-09", "--out",
                 str(tmp_path / "r9.csv")]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'r9.csv'}、{tmp_path / 'r9-本月未探访.csv'}、" in out


def test_every_file_written_is_audited(town, tmp_path):
    db, ids, report = town
    path = tmp_path / "audited.csv"
    save_report(db, report, path)
    entry = next(e for e in entries(db) if e.file == str(path))
    assert entry.action == "report" and entry.actor == "王网格"
    # the summary, 10 lists, the assessment, the table to sign and the trend
    assert entry.counts == {"month": "2026-09", "key_persons": 10, "visited": 7, "overdue": 1,
                            "emergency_high": 2, "open_referrals": 2, "aged_out": 1, "files": 16, "full_ids": False}


def test_other_file_types_are_refused(town, tmp_path):
    db, ids, report = town
    with pytest.raises(UserError, match=".xlsx or .csv"):
        save_report(db, report, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_cli_report_to_file_and_terminal(town, tmp_path, capsys):
    from tui.cli import main

    db, ids, report = town
    out = tmp_path / "cli.xlsx"
    assert main(["--db", str(db.path), "--lang", "en", "report", "--month", "2026-09", "--out", str(out)]) == 0
    rows = {r[0]: r[1:] for r in _load(out)["Summary"].iter_rows(min_row=5, max_row=8, values_only=True)}
    assert rows["Total"][:2] == (10, 7)
    assert f"Report for Sep 2026 written: {out}" in capsys.readouterr().out  # (it said 2026-09)
    assert main(["--db", str(db.path), "--lang", "en", "report", "--month", "2026-09"]) == 0
    printed = capsys.readouterr().out
    assert "Overdue (1)" in printed and "周九" in printed
    assert main(["--db", str(db.path), "--lang", "en", "report", "--month", "2026-10"]) == 0
    printed = capsys.readouterr().out  # nobody visited in October: 张一 is on the not-visited list, masked
    assert "1101**********002X" in printed and "11010519491231002X" not in printed
    assert main(["--db", str(db.path), "report", "--month", "2999-01"]) == 1
    capsys.readouterr()
    assert main(["--db", str(db.path), "report", "--month", "2026-13"]) == 2  # no month: a bad argument, one line
    assert capsys.readouterr().err.count("\n") == 1


def test_the_first_sheet_is_the_county_table_on_a4_landscape(town, tmp_path):
    """Per village and grid, per category: key persons, visited in person / by phone or video, not visited, rate."""
    db, ids, report = town
    set_language("zh_CN")
    path = tmp_path / "county.xlsx"
    save_report(db, report, path)
    ws = _load(path).worksheets[0]
    assert ws.title == "探访率汇总表"
    assert ws["A1"].value == "新市镇2026年9月重点对象探访情况"
    assert ws["A2"].value == "统计期间：2026年9月1日至2026年9月30日（统计日：2026年9月30日）"
    assert "默认探访制度" in ws["A3"].value and "电话探访：联系到本人时计入" in ws["A3"].value
    assert [c.value for c in ws[4]] == ["村（社区）", "网格", "对象类别", "重点对象数", "已探访", None, "未探访", "探访率"]
    assert [c.value for c in ws[5]][4:6] == ["入户探访", "电话、视频探访"]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=6, max_col=8)]
    table = [r for r in rows if r[3] is not None]
    # G01 (柳溪村): A B C D E F; B (phone) the only one visited by phone; C and E not visited
    assert ("柳溪村", "柳溪一网格", "小计", 6, 3, 1, 2, pytest.approx(4 / 6)) in table
    assert ("柳溪村", "柳溪一网格", "农村留守儿童", 2, 1, 1, 0, 1) in table  # B by phone, F in person
    # J lives in 石桥村 but belongs to grid G02: a row of its own; J was reached by video
    assert ("石桥村", "桃源一网格", "独居老年人", 1, 0, 1, 0, 1) in table
    assert table[-1] == ("合计", None, None, 10, 5, 2, 3, pytest.approx(0.7))
    assert ("合计", None, "重度残疾人", 2, 2, 0, 0, 1) in table  # D and I: a category's township total
    assert ws.cell(6, 8).number_format == "0.0%"
    # each row of the table boxed over its eight columns, its rate a percentage; the totals in bold
    for n in range(6, 6 + len(rows)):
        if ws.cell(n, 4).value is not None:
            assert all(ws.cell(n, col).border.left.style == "thin" for col in range(1, 9)), n
            assert ws.cell(n, 9).border.left.style is None
            assert ws.cell(n, 8).number_format == "0.0%"
            # (a grid's subtotal and the township's total; not the township's row of a category, 合计 too)
            assert ws.cell(n, 1).font.b == (ws.cell(n, 3).value in ("小计", None)), n
    # printed: A4 landscape, one page wide, the two header rows on every page
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$4:$5" and ws.print_area == f"'探访率汇总表'!$A$1:$H${ws.max_row}"


def test_the_trend_sheet_holds_twelve_months_per_grid_and_a_native_chart(town, tmp_path):
    db, ids, report = town
    set_language("en")
    path = tmp_path / "trend.xlsx"
    save_report(db, report, path)
    ws = _load(path)[_("12-month trend")]
    header = [c.value for c in ws[3]]
    assert header[0] == "Grid" and header[-1] == "Sep 2026" and header[1] == "Oct 2025" and len(header) == 13
    body = {r[0]: r[1:] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
    assert body["Total"][-1] == pytest.approx(report.totals.visit_rate)  # the last point is the report's rate
    assert body["柳溪一网格"][-1] == pytest.approx(4 / 6) and body["桃源一网格"][-1] == pytest.approx(3 / 4)
    # August: A B C D+M E G L in G01... as the rule counts them, the same as the report of August
    august = monthly_report(db, 2026, 8, today=TODAY)
    assert body["Total"][-2] == pytest.approx(august.totals.visit_rate)
    charts = ws._charts
    assert len(charts) == 1 and charts[0].tagname == "lineChart" and len(charts[0].series) == 3  # 2 grids + total
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4


@pytest.mark.parametrize(("lang", "first", "last"), [("zh_CN", "2025年10月", "2026年9月"), ("en", "Oct 2025", "Sep 2026")])
def test_the_trend_sheets_months_are_written_as_a_clerk_reads_a_month(town, tmp_path, lang, first, last):
    """The trend's columns said "2026/1" (Babel's short form, read as a date), in columns 10 wide: now the month as
    the report's title writes it, each column wide enough for its month, in the workbook and its CSV."""
    from openpyxl.utils import get_column_letter

    db, _ids, report = town
    set_language(lang)
    try:
        save_report(db, report, tmp_path / "r.xlsx")
        ws = _load(tmp_path / "r.xlsx")[_("12-month trend")]
        trend_csv = save_report(db, report, tmp_path / "r.csv")[-1]
        with trend_csv.open(encoding="utf-8-sig") as fh:
            csv_header = next(row for row in csv.reader(fh) if row and row[0] == _("Grid"))
    finally:
        set_language("en")
    header = [c.value for c in ws[3]]
    assert (header[1], header[-1]) == (first, last) and len(header) == 13, header
    assert csv_header == header, csv_header
    for col, month in enumerate(header[1:], start=2):
        assert ws.column_dimensions[get_column_letter(col)].width >= display_width(month) + 2, month


def test_an_xlsx_sheet_is_written_in_time_linear_in_its_rows(town, tmp_path, monkeypatch):
    """openpyxl's max_row and max_column scan every cell written so far: asked once per row (as it was) a
    sheet's writing grew with the square of its rows (a township's month: 85 s as XLSX against 2 s as CSV,
    walk-E; a county's first sheet, ws[n] per row: 20 s). Asked a fixed number of times, five times the list
    rows and the first sheet's rows cost no more calls."""
    import copy

    from openpyxl.worksheet.worksheet import Worksheet

    import storage.reports.xlsx_sheets as sheets

    db, ids, report = town
    calls = []
    for scan in ("max_row", "max_column"):  # (ws[n] asks max_column)
        real = getattr(Worksheet, scan).fget
        monkeypatch.setattr(Worksheet, scan, property(lambda ws, real=real: calls.append(1) or real(ws)))

    def asked(rep, name):
        calls.clear()
        save_report(db, rep, tmp_path / name)
        return len(calls)

    once = asked(report, "once.xlsx")
    bigger = copy.copy(report)
    rows = {name: report.list_rows(name) * 5 for name in LISTS}
    assert sum(map(len, rows.values())) >= 50
    bigger.list_rows = rows.__getitem__
    table = sheets.coverage_rows(report)
    monkeypatch.setattr(sheets, "coverage_rows", lambda rep: table * 5)  # the first sheet's table as long again
    assert asked(bigger, "five.xlsx") == once
    wb = _load(tmp_path / "five.xlsx")
    for name, title in LISTS.items():
        sheet = wb[_(title)[:31]]
        assert sheet.max_row - 1 == len(rows[name])
        dates = [i + 1 for i, c in enumerate(LIST_COLUMNS[name]) if c.kind == "date"]
        for row in sheet.iter_rows(min_row=2):
            for col in dates:
                if row[col - 1].value is not None:
                    assert row[col - 1].number_format == "yyyy-mm-dd"


def test_the_csv_holds_the_workbooks_table_to_sign_and_its_trend(town, tmp_path):
    """walk-E B1: a clerk on CSV handed up the summary and the lists, not 探访率汇总表 nor 近12个月探访率: now the
    same rows as the workbook's first two sheets, value for value."""
    db, ids, report = town
    set_language("zh_CN")
    save_report(db, report, tmp_path / "r.xlsx")
    save_report(db, report, tmp_path / "r.csv")
    wb = _load(tmp_path / "r.xlsx")

    def sheet(ws, rates):  # the cells as the CSV writes them: a rate (1 or 0.7 in the workbook) as 100.0%, 70.0%
        return [["" if v is None else f"{v * 100:.1f}%" if i in rates and isinstance(v, int | float) else str(v)
                 for i, v in enumerate(row)] for row in ws.iter_rows(values_only=True)]

    def csv_rows(name):
        with (tmp_path / name).open(encoding="utf-8-sig", newline="") as fh:
            return [row for row in csv.reader(fh) if any(row)]

    coverage = csv_rows("r-探访率汇总表.csv")
    assert coverage[0] == ["新市镇2026年9月重点对象探访情况"]
    table = [row[:8] for row in sheet(wb.worksheets[0], {7})[3:] if row[3]]
    assert [row for row in coverage[3:] if row[3]] == table
    assert ["合计", "", "", "10", "5", "2", "3", "70.0%"] in coverage
    trend = csv_rows("r-近12个月探访率.csv")
    def trimmed(row):  # (a sheet's rows are as wide as its widest)
        while row and row[-1] == "":
            row = row[:-1]
        return row

    sheet_rows = [trimmed(row) for row in sheet(wb[_("12-month trend")], set(range(1, 13))) if any(row)]
    assert trend == sheet_rows and len(trend) >= 4
    assert trend[-1][0] == "合计" and len(trend[-1]) == 13


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_writing_a_report_tells_how_far_it_is(town, tmp_path, suffix):
    """A county's workbook takes 15 s to write: the terminal shows a bar, moved after each list and at the end."""
    db, ids, report = town
    steps: list[tuple[int, int]] = []
    save_report(db, report, tmp_path / f"r{suffix}", progress=lambda done, total: steps.append((done, total)))
    assert len(steps) >= len(LISTS) + 2, steps
    assert len({total for _done, total in steps}) == 1, steps  # the same end all along
    done = [d for d, _total in steps]
    assert done == sorted(done) and done[-1] == steps[-1][1] and done[0] < done[-1], steps


@pytest.mark.parametrize(("lang", "closed_later", "still_open"), [
    ("en", "Closed on Oct 2, 2026, after the report day", "Pending"),
    ("zh_CN", "统计日后办结（2026年10月2日）", "待办理")])
def test_an_open_referral_closed_after_the_report_day_does_not_read_closed(town, tmp_path, lang, closed_later,
                                                                           still_open):
    # K's police referral was closed on 10-02: open on 09-30, so September's 未办结转介 lists it; its status
    # had read 已办结 in a list of referrals not closed
    db, ids, report = town
    set_language(lang)
    path = tmp_path / "r.csv"
    save_report(db, report, path)
    with csv_list_path(path, "open_referrals").open(encoding="utf-8-sig", newline="") as fh:
        refs = list(csv.DictReader(fh))
    assert [r[_("Status")] for r in refs] == [closed_later, still_open]

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
    assert wb.sheetnames == [_("Summary")] + [_(t)[:31] for t in LISTS.values()]
    if lang == "zh_CN":
        assert "超龄" in wb.sheetnames  # "Aged out", from the real Chinese catalog
    summary = wb[_("Summary")]
    assert summary.freeze_panes == "A4"
    header = [c.value for c in summary[3]]
    assert header == [_("Village"), _("Key persons"), _("Visited"), _("Visit rate"), _("Overdue"),
                      _("Emergency + high risk"), _("Open referrals"), _("Aged out")]
    rows = {r[0]: r[1:] for r in summary.iter_rows(min_row=4, max_row=7, values_only=True)}
    assert rows["柳溪村"] == (6, 4, pytest.approx(4 / 6), 2, 1, 1, 1)
    assert rows[_("Total")] == (11, 7, pytest.approx(7 / 11), 3, 2, 2, 2)
    assert all(type(v) is int for v in rows[_("Total")][:2])
    assert summary.cell(4, 4).number_format == "0.0%"
    for name, title in LISTS.items():
        sheet = wb[_(title)[:31]]
        assert sheet.freeze_panes == "A2"
        assert [c.value for c in sheet[1]] == [_(c.header) for c in LIST_COLUMNS[name]]
        assert sheet.max_row - 1 == len(report.list_rows(name))
    overdue = wb[_(LISTS["overdue"])]
    first = [c.value for c in overdue[2]]
    assert first[0] == "王三" and first[-2:] == [dt.datetime(2026, 8, 31), 30]
    assert overdue.cell(2, len(first) - 1).number_format == "yyyy-mm-dd"
    # CJK text counts double: the 3-character village column is wider than "Age"
    assert summary.column_dimensions["A"].width >= display_width("柳溪村") + 2


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
    assert written == [path] + [csv_list_path(path, n) for n in LISTS]
    assert csv_list_path(path, "aged_out").name == "r-aged-out.csv"
    for p in written:
        assert p.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[3] == [_("Village"), _("Key persons"), _("Visited"), _("Visit rate"), _("Overdue"),
                       _("Emergency + high risk"), _("Open referrals"), _("Aged out")]
    assert rows[4] == ["柳溪村", "6", "4", "66.7%", "2", "1", "1", "1"]
    assert ["Total", "11", "7", "63.6%", "3", "2", "2", "2"] in rows
    with csv_list_path(path, "open_referrals").open(encoding="utf-8-sig", newline="") as fh:
        refs = list(csv.DictReader(fh))
    assert [(r["Name"], r["Opened on"], r["Days open"]) for r in refs] == [
        ("郑十一", "2026-09-01", "29"), ("陈六", "2026-09-03", "27")]


def test_every_file_written_is_audited(town, tmp_path):
    db, ids, report = town
    path = tmp_path / "audited.csv"
    save_report(db, report, path)
    entry = next(e for e in entries(db) if e.file == str(path))
    assert entry.action == "report" and entry.actor == "王网格"
    assert entry.counts == {"month": "2026-09", "key_persons": 11, "visited": 7, "overdue": 3,
                            "emergency_high": 2, "open_referrals": 2, "aged_out": 2, "files": 7, "full_ids": False}


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
    rows = {r[0]: r[1:] for r in _load(out)["Summary"].iter_rows(min_row=4, max_row=7, values_only=True)}
    assert rows["Total"][:2] == (11, 7)
    assert main(["--db", str(db.path), "--lang", "en", "report", "--month", "2026-09"]) == 0
    printed = capsys.readouterr().out
    assert "Overdue (3)" in printed and "王三" in printed
    assert main(["--db", str(db.path), "--lang", "en", "report", "--month", "2026-10"]) == 0
    printed = capsys.readouterr().out  # nobody visited in October: 张一 is on the not-visited list, masked
    assert "1101**********002X" in printed and "11010519491231002X" not in printed
    assert main(["--db", str(db.path), "report", "--month", "2999-01"]) == 1
    with pytest.raises(SystemExit) as bad:
        main(["--db", str(db.path), "report", "--month", "2026-13"])
    assert bad.value.code == 2

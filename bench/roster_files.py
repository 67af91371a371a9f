"""Roster files for the bench and the tests of issue #19 (item 5): valid ones of any size, and hostile ones.

    valid_roster(path, rows)        a township's roster: names, ID numbers with their check character,
                                    sex, categories, phones, addresses (.xlsx or .csv by the suffix)
    xlsx_bomb(path, sheet_bytes)    a small .xlsx whose one sheet unpacks to `sheet_bytes` of XML
    csv_of_size(path, size)         a CSV of `size` bytes: a header, then rows of long cells
    xlsx_altered(path, rows, ...)   a valid roster of `rows` rows with XML rows added to its sheet and/or `strings`
                                    shared strings (the reader holds them all in memory)
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import zipfile
from pathlib import Path

HEADER = ["序号", "姓名", "身份证号码", "性别", "人员类别", "联系电话", "家庭住址"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰玉明华建国志强丽芳伟敏静军平刚德文"
CATEGORIES = (("独居老人", 61, 95), ("空巢老人", 61, 95), ("留守儿童", 3, 14), ("重度残疾人", 20, 70))


def _id_number(born: dt.date, seq: int, region: str) -> str:
    from storage.register.idnumbers import check_char

    first17 = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_char(first17)


def roster_rows(rows: int, seed: int = 19):
    """Rows of a valid roster: every ID number distinct (region code varies with the row)."""
    rng = random.Random(seed)
    today = dt.date(2026, 11, 24)
    for n in range(1, rows + 1):
        category, low, high = CATEGORIES[n % len(CATEGORIES)]
        age = rng.randint(low, high)
        born = dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        region = f"33{(n // 1000) % 100:02d}{(n // 100_000) % 100:02d}"  # 1,000 numbers per region and day
        number = _id_number(born, n, region)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        sex = "男" if int(number[16]) % 2 else "女"
        phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
        yield [n, name, number, sex, category, phone, f"新市镇{rng.choice(GIVEN)}村{n % 200 + 1}号"]


def valid_roster(path: Path, rows: int, seed: int = 19) -> Path:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(HEADER)
            out.writerows(roster_rows(rows, seed))
        return path
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(HEADER)
    for row in roster_rows(rows, seed):
        ws.append(row)
    wb.save(path)
    return path


def xlsx_bomb(path: Path, sheet_bytes: int) -> Path:
    """A valid workbook (it opens in Excel) whose sheet is one header row and then `sheet_bytes` of empty
    rows: deflate packs the repetition about 1000 to 1, so 3 GB of XML fit in a few megabytes."""
    from openpyxl import Workbook

    small = path.with_suffix(".small.xlsx")
    wb = Workbook()
    wb.active.append(HEADER)
    wb.save(small)
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, data)
                continue
            head, _sep, tail = data.partition(b"</sheetData>")
            entry = zipfile.ZipInfo(item.filename)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(entry, "w", force_zip64=True) as fh:
                fh.write(head)
                block = row * (1024 * 1024 // len(row))
                written = 0
                while written < sheet_bytes:
                    fh.write(block)
                    written += len(block)
                fh.write(b"</sheetData>" + tail)
    small.unlink()
    return path


def csv_of_size(path: Path, size: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        n = 0
        while fh.tell() < size:
            n += 1
            out.writerow([n, "王" + "五" * 500, "", "", "独居老人", "", "地址" * 2000])
    return path



def xlsx_altered(path: Path, rows: int, *, sheet_xml: bytes = b"", strings: int = 0) -> Path:
    """A valid roster of `rows` rows, `sheet_xml` (rows of the sheet's XML) added after them, and `strings` short
    shared strings in xl/sharedStrings.xml (a part the reader loads whole before any row is read)."""
    small = valid_roster(path.with_suffix(".small.xlsx"), rows)
    part = b"xl/sharedStrings.xml"
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("worksheets/sheet1.xml"):
                head, sep, tail = data.partition(b"</sheetData>")
                data = head + sheet_xml + sep + tail
            elif strings and item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdStrings" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            elif strings and item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/' + part + b'" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            dst.writestr(item.filename, data)
        if strings:
            with dst.open(part.decode(), "w") as fh:
                fh.write(b'<?xml version="1.0" encoding="UTF-8"?>'
                         b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                for start in range(0, strings, 10_000):
                    fh.write(b"".join(b"<si><t>%d</t></si>" % n for n in range(start, min(strings, start + 10_000))))
                fh.write(b"</sst>")
    small.unlink()
    return path

"""A roster's words are stored as the clerk typed them, as the form stores them: full-width only in codes is made plain.

A township roster of 新市镇 wrote "城东路8号（东）"; the import stored "城东路8号(东)", and the next import of the
same file found nothing to change only because it changed the file's text the same way, while the record
typed on screen with the same address was "updated" to half-width brackets.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.changes import writer
from storage.register.residents import register_resident
from storage.roster.columns import cell_text
from storage.roster.importer import import_roster, preview
from tests.foundation_helpers import make_db
from tests.roster_helpers import CHILD_ID, ELDER_ID, TODAY, id_number, residents, township_db, write_csv, write_xlsx

HEADER = ["姓名", "身份证号码", "人员类别", "联系电话", "家庭住址", "监护人", "与被监护人关系"]
OTHER_IDS = [id_number(dt.date(2017, 4, 1), 51), id_number(dt.date(2018, 9, 9), 62)]
WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "t.db")


@pytest.mark.parametrize("write", [write_xlsx, write_csv])
def test_address_and_names_keep_their_full_width_brackets(db, tmp_path, write):
    row = ["张小明", CHILD_ID.translate(WIDE), "留守儿童", "１３８ 0000 1234", "  城东路8号（东）  ３幢 ",
           "张（大）伟", "父子（继父）"]
    report = import_roster(db, write(tmp_path / ("r." + write.__name__.removeprefix("write_")), [row], header=HEADER), today=TODAY)
    assert report.imported, report.rows[0].problems
    r = residents(db)["张小明"]
    assert r.address == "城东路8号（东） ３幢"  # trimmed, its inner spaces one, otherwise as typed
    assert (r.guardian_name, r.guardian_relation) == ("张（大）伟", "父子（继父）")
    assert (r.id_number, r.phone) == (CHILD_ID, "13800001234")  # codes: full-width digits made plain, as on the form


def test_a_roster_row_and_the_same_record_typed_on_screen_are_the_same(db, tmp_path):
    """What the form stores (register_resident, the form's rules) and what the roster gives compare equal: the
    import finds nothing to change, where it used to rewrite the typed brackets half-width."""
    register_resident(db, {"name": "王桂英", "id_number": ELDER_ID, "categories": ["empty_nest_elder"],
                           "address": " 城东路8号（东）\u200b", "guardian_relation": "女儿（长女）"}, today=TODAY)
    row = ["王桂英", ELDER_ID, "空巢老年人", "", "城东路8号（东）", "", "女儿（长女）"]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", [row], header=HEADER), today=TODAY)
    assert [r.status for r in report.rows] == ["unchanged"], report.rows[0].changes
    assert residents(db)["王桂英"].address == "城东路8号（东）"


def test_a_grid_is_found_whichever_brackets_and_digits_either_side_wrote(tmp_path):
    db = township_db(tmp_path / "t.db")
    with db.write() as s:
        for code, name in (("G03", "城东（一）网格"), ("G04", "城西(二)网格"), ("G05", "Ｇ５网格")):
            writer(s).write("grid", f"330521101-{code}", {"code": code, "name": name, "township_code": "330521101"})
    rows = [["张小明", CHILD_ID, "留守儿童", "城东(一)网格"], ["王桂英", ELDER_ID, "空巢老年人", "城西（二）网格"],
            ["李大伟", OTHER_IDS[0], "留守儿童", "Ｇ０４"], ["陈小红", OTHER_IDS[1], "留守儿童", "g5网格"]]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows, header=["姓名", "身份证号码", "人员类别", "所属网格"]),
                           today=TODAY)
    assert [r.problems for r in report.rows] == [[]] * 4
    grids = {name: r.grid_code[-3:] for name, r in residents(db).items()}
    assert grids == {"张小明": "G03", "王桂英": "G04", "李大伟": "G04", "陈小红": "G05"}


def test_the_import_screen_shows_the_cells_as_the_file_holds_them(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [["张小明", CHILD_ID, "留守儿童", "", "城东路8号（东）", "", ""]], header=HEADER)
    sheet, _columns = preview(path)
    assert [cell_text(v) for v in sheet.rows[0][1]][4] == "城东路8号（东）"  # as screens/roster_import.py shows it

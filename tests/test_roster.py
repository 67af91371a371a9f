"""Roster import: the all-or-nothing rule, re-import and updates, grids, the command line and the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from storage.core.errors import UserError
from storage.core.fold import rebuild_all
from storage.core.models import Event, Resident, RiskAssessment
from storage.roster.importer import import_roster, preview
from storage.sync.dump import dump_lines
from tests.foundation_helpers import make_db
from tests.roster_helpers import (
    CHILD_ID,
    DISABLED_ID,
    HEADER,
    TODAY,
    benefit_kinds,
    event_count,
    good_rows,
    residents,
    township_db,
    write_csv,
    write_xlsx,
)


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "t.db")


# --- the import rules --------------------------------------------------------------------------------------

def test_one_bad_row_means_nothing_is_imported(db, tmp_path):
    rows = good_rows()
    rows[2][2] = DISABLED_ID[:17] + ("0" if DISABLED_ID[17] != "0" else "1")  # wrong check character
    before = list(dump_lines(db))
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows), today=TODAY)
    assert not report.imported and report.count("invalid") == 1 and report.count("new") == 2
    assert list(dump_lines(db)) == before


def test_a_rows_problem_names_its_column_with_the_languages_colon(db, tmp_path):
    """Seen on the import screen in Chinese: 身份证号码: 身份证号为18位… (an ASCII colon, written in the code)."""
    from storage.core.i18n import set_language
    from storage.roster.importer import describe

    rows = good_rows()
    rows[2][2] = "123456"
    set_language("zh_CN")  # (every test starts in English again: tests/conftest.py)
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows), today=TODAY, dry_run=True)
    bad = [describe(row) for row in report.rows if row.status == "invalid"]
    assert len(bad) == 1 and bad[0].startswith(f"{HEADER[2]}：") and ": " not in bad[0]


def test_skip_invalid_imports_the_good_rows(db, tmp_path):
    rows = good_rows()
    rows[2][4] = "不知道"
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows), skip_invalid=True, today=TODAY)
    assert report.imported and set(residents(db)) == {"张小明", "王桂英"}
    assert "invalid" in report.summary()


def test_duplicate_id_numbers_in_the_file_make_both_rows_invalid(db, tmp_path):
    rows = good_rows()
    rows[2][2] = CHILD_ID.lower().replace("x", "x")
    rows[2][4] = "留守儿童"
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows), skip_invalid=True, today=TODAY)
    assert [r.status for r in report.rows] == ["invalid", "new", "invalid"]
    assert "rows 2, 4" in report.rows[0].problems[0].message
    assert set(residents(db)) == {"王桂英"}


def test_dry_run_changes_nothing(db, tmp_path):
    before = list(dump_lines(db))
    events = event_count(db)
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", good_rows()), dry_run=True, today=TODAY)
    assert report.count("new") == 3 and not report.imported
    assert list(dump_lines(db)) == before and event_count(db) == events


def test_reimport_changes_nothing(db, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", good_rows())
    import_roster(db, path, today=TODAY)
    before, events = list(dump_lines(db)), event_count(db)
    again = import_roster(db, path, today=TODAY)
    assert [r.status for r in again.rows] == ["unchanged"] * 3
    assert list(dump_lines(db)) == before and event_count(db) == events


def test_reimport_of_rows_without_id_numbers_changes_nothing(db, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [["李小花", "2015-06-01", "留守儿童"], ["王大爷", "1940-01-01", "独居老人"]],
                      header=["姓名", "出生日期", "类别"])
    assert import_roster(db, path, today=TODAY).count("new") == 2
    assert [r.status for r in import_roster(db, path, today=TODAY).rows] == ["unchanged", "unchanged"]


def test_a_landline_with_or_without_its_dash_is_no_change(db, tmp_path):
    """Walked: a resident saved on screen with 05728012345, the roster's 0572-8012345: the import reported the phone
    as changed (normalize_phone keeps the dash it is typed with; the number is the same)."""
    rows = good_rows()
    rows[0][5] = "05728012345"
    import_roster(db, write_xlsx(tmp_path / "a.xlsx", rows), today=TODAY)
    rows[0][5] = "0572-8012345"
    report = import_roster(db, write_xlsx(tmp_path / "b.xlsx", rows), today=TODAY)
    assert [r.status for r in report.rows] == ["unchanged"] * 3
    assert residents(db)["张小明"].phone == "05728012345"  # as it was saved
    rows[0][5] = "0572-8012346"  # another number: a change
    assert import_roster(db, write_xlsx(tmp_path / "c.xlsx", rows), today=TODAY).rows[0].changed == ["联系电话"]


def test_update_of_an_existing_resident_writes_only_the_changed_fields(db, tmp_path):
    import_roster(db, write_xlsx(tmp_path / "a.xlsx", good_rows()), today=TODAY)
    before = residents(db)["张小明"]
    rows = good_rows()
    rows[0][5] = "13900009999"  # new phone
    rows[0][6] = ""  # address left empty: not blanked
    rows[1][4] = "独居老人、失能、高龄"  # a flag is added; 高龄 is derived; 低保 left out ends nothing
    report = import_roster(db, write_xlsx(tmp_path / "b.xlsx", rows), today=TODAY)
    assert [r.status for r in report.rows] == ["update", "update", "unchanged"]
    assert report.rows[0].changed == ["联系电话"] and report.rows[0].resident_id == before.id
    with db.session() as s:
        ev = s.execute(select(Event).where(Event.record_id == before.id).order_by(Event.hlc.desc())).scalars().first()
        assert ev.fields == {"phone": "13900009999"} and ev.base_hlc > 0
    after = residents(db)
    assert after["张小明"].phone == "13900009999" and after["张小明"].address == "新市镇东村1号"
    assert after["王桂英"].flags == ["disabled_care"]
    assert benefit_kinds(db, after["王桂英"]) == [("dibao", None)]


def test_risk_change_on_reimport_is_one_risk_event(db, tmp_path):
    header = HEADER + ["风险等级"]
    import_roster(db, write_xlsx(tmp_path / "a.xlsx", [r + ["中"] for r in good_rows()], header=header), today=TODAY)
    rows = [r + ["中"] for r in good_rows()]
    rows[0][-1] = "紧急"
    report = import_roster(db, write_xlsx(tmp_path / "b.xlsx", rows, header=header), today=TODAY)
    assert [r.status for r in report.rows] == ["update", "unchanged", "unchanged"]
    assert report.rows[0].changed == ["风险等级"]
    assert residents(db)["张小明"].risk_level == "emergency"
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(RiskAssessment)).scalar() == 4


def test_imported_state_is_what_the_change_log_folds_to(db, tmp_path):
    import_roster(db, write_xlsx(tmp_path / "a.xlsx", [r + ["高"] for r in good_rows()], header=HEADER + ["风险"]), today=TODAY)
    rows = good_rows()
    rows[1][5] = "13700001111"  # (a rename by roster is refused since walk-E A4: a phone is changed instead)
    assert import_roster(db, write_xlsx(tmp_path / "b.xlsx", rows), today=TODAY).count("update") == 1
    before = list(dump_lines(db))
    with db.write() as s:
        rebuild_all(s)
    assert list(dump_lines(db)) == before
    assert residents(db)["王桂英"].phone == "13700001111"
    assert residents(db)["王桂英"].name_initials.startswith("wgy")


def test_rows_without_name_and_id_are_skipped_and_reported(db, tmp_path):
    rows = good_rows() + [[None, None, None, None, None, None, None], ["填表人：王网格", None, None, None, None, None, None],
                          [None, None, None, "男", None, None, None]]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows), today=TODAY)
    # the sign-off is the sheet's footer, named as such (tests/test_roster_sheet_shapes.py); row 7 is nobody
    assert report.imported and report.skipped == [7] and report.footer == [6]


def test_preview_maps_columns(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [r + ["汉族"] for r in good_rows()], header=HEADER + ["民族"])
    sheet, columns = preview(path, rows=2)
    assert len(sheet.rows) == 2
    assert [(c.header, c.field) for c in columns][:3] == [("序号", "_skip"), ("姓名", "name"), ("身份证号码", "id_number")]
    assert columns[-1].field is None


# --- grids ------------------------------------------------------------------------------------------------

def test_worker_rows_of_another_grid_are_invalid(db, tmp_path):
    rows = [r + [g] for r, g in zip(good_rows(), ["一网格", "G01", "二网格"], strict=True)]
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", rows, header=HEADER + ["所属网格"]), today=TODAY)
    assert [r.status for r in report.rows] == ["new", "new", "invalid"]
    assert report.rows[2].problems[0].column == "所属网格"


def test_township_import_places_residents_in_the_named_grids(tmp_path):
    db = township_db(tmp_path / "t.db")
    rows = [r + [g] for r, g in zip(good_rows(), ["东村一网格", "G02", "北村"], strict=True)]
    path = write_xlsx(tmp_path / "r.xlsx", rows, header=HEADER + ["所属网格"])
    report = import_roster(db, path, skip_invalid=True, today=TODAY)
    assert [r.status for r in report.rows] == ["new", "new", "invalid"]
    people = residents(db)
    assert people["张小明"].grid_code == "330521101-G01" and people["王桂英"].grid_code == "330521101-G02"
    with pytest.raises(UserError, match="grid column"):
        import_roster(db, write_xlsx(tmp_path / "n.xlsx", good_rows()), today=TODAY)
    # the row naming no grid says where the grids are listed and where a new one is made: on screen first, the
    # command in brackets (walk G, 9: the import screen told the clerk to type gridcare villages)
    from storage.core.i18n import set_language

    set_language("zh_CN")
    try:
        report = import_roster(db, path, skip_invalid=True, dry_run=True, today=TODAY)
    finally:
        set_language("en")
    problem = report.rows[2].problems[0]
    assert problem.message == "没有叫 北村 的网格。"
    assert problem.hint.startswith("请使用“村”页列出的网格代码或名称") and "在“设备”页登记其网格员" in problem.hint


# --- command line -----------------------------------------------------------------------------------------

def test_cli_exit_codes(db, tmp_path, capsys):
    from tui.cli import main

    good = write_xlsx(tmp_path / "good.xlsx", good_rows())
    rows = good_rows()
    rows[0][4] = "???"
    bad = write_xlsx(tmp_path / "bad.xlsx", rows)
    base = ["--lang", "en", "--db", str(db.path), "roster", "import"]
    assert main([*base, str(bad)]) == 1
    out = capsys.readouterr()
    assert "--skip-invalid" in out.err and "Nothing was imported." in out.out and "???" in out.out
    assert main([*base, str(good), "--dry-run"]) == 0
    assert "Dry run" in capsys.readouterr().out and residents(db) == {}
    assert main([*base, str(good)]) == 0
    assert "3 rows: 3 new" in capsys.readouterr().out
    assert main([*base, str(bad), "--skip-invalid"]) == 0
    assert "2 unchanged, 1 invalid" in capsys.readouterr().out
    assert main([*base, str(tmp_path / "missing.xlsx")]) == 1
    assert "No such file" in capsys.readouterr().err
    assert main([*base, str(good), "--sheet", "Nope"]) == 1
    assert "Sheet1" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_a_folder_or_a_pipe_given_as_the_roster_is_named_as_what_it_is(db, tmp_path, capsys, kind):
    """h-hostile: a named pipe given as the roster was answered "没有这个文件" (no such file), and a folder too."""
    import os

    from tui.cli import main

    path = tmp_path / "roster.xlsx"
    if kind == "folder":
        path.mkdir()
    elif not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    else:
        os.mkfifo(path)
    assert main(["--lang", "zh_CN", "--db", str(db.path), "roster", "import", str(path)]) == 1
    err = capsys.readouterr().err
    said = {"folder": "是一个文件夹", "pipe": "是管道或设备"}[kind]
    assert said in err and "没有这个文件" not in err and len(err.strip().splitlines()) == 1, err


# --- the screen -------------------------------------------------------------------------------------------

def _cell_texts(table) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def test_roster_import_screen_checks_then_imports(db, tmp_path):
    import asyncio

    from textual.widgets import Checkbox, DataTable

    from screens.roster_import import RosterImportScreen
    from tests.pilot_helpers import settle
    from tests.register_helpers import HarnessApp

    rows = [r + ["汉族"] for r in good_rows()]
    rows[2][4] = "不知道"
    path = write_xlsx(tmp_path / "r.xlsx", rows, header=HEADER + ["民族"], title="东村花名册")

    async def flow() -> None:
        app = HarnessApp(db, RosterImportScreen, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, RosterImportScreen)
            await pilot.press(*str(path), "enter")
            await settle(pilot)
            preview_table = screen.query_one("#preview", DataTable)
            labels = [str(c.label) for c in preview_table.columns.values()]
            assert labels[1] == "姓名\n→ Name" and labels[-1] == "民族\n→ notes (unknown)"
            assert preview_table.row_count == 3
            report = screen.query_one("#report", DataTable)
            assert _cell_texts(report)[0][:3] == ["5", "陈志强", "Invalid"]  # problems first
            from tests.test_walkthrough import screen_text

            # on one line at 80 columns: the status column was 6 wide and showed "Invali" over "d"
            assert any(row.split()[:3] == ["5", "陈志强", "Invalid"] for row in screen_text(app, " ").splitlines()
                       if row.split())
            summary = str(screen.query_one("#summary").content)
            assert "Dry run" in summary and "tick the box" in summary
            await pilot.press("ctrl+s")  # refused: an invalid row and the box not ticked
            await settle(pilot)
            assert residents(db) == {}
            screen.query_one("#skip", Checkbox).value = True
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert set(residents(db)) == {"张小明", "王桂英"}
            assert "Imported the valid rows" in str(screen.query_one("#summary").content)

    asyncio.run(flow())


def test_a_wrong_id_number_is_one_problem_not_three(db, tmp_path):
    report = import_roster(db, write_xlsx(tmp_path / "r.xlsx", [[1, "张小明", 3.3052120160305e17, "", "留守儿童", "", ""]]),
                           today=TODAY)
    assert [p.column for p in report.rows[0].problems] == ["身份证号码"]


def test_a_registered_id_number_under_another_name_is_a_problem_not_a_rename(db, tmp_path, capsys):
    """An ID number typed wrong in the clerk's sheet, or copied from the row above, matched someone else and
    renamed them, shown only as one more 更新 (walk-E A4). Now the row is invalid and names who it is."""
    from tui.cli import main

    import_roster(db, write_xlsx(tmp_path / "a.xlsx", good_rows()), today=TODAY)
    before = list(dump_lines(db))
    rows = good_rows()
    rows[0][1] = "钱大妈"  # 张小明's ID number
    path = write_xlsx(tmp_path / "b.xlsx", rows)
    report = import_roster(db, path, today=TODAY)
    assert [r.status for r in report.rows] == ["invalid", "unchanged", "unchanged"] and not report.imported
    assert "张小明" in report.rows[0].problems[0].message
    assert main(["--lang", "zh_CN", "--db", str(db.path), "roster", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "钱大妈" in out and "张小明" in out and "身份证号" in out
    assert list(dump_lines(db)) == before and set(residents(db)) == {"张小明", "王桂英", "陈志强"}
    rows[0][1] = " 张小明 "  # the same name, spaced as a spreadsheet may: the same person
    assert import_roster(db, write_xlsx(tmp_path / "c.xlsx", rows), today=TODAY).rows[0].status == "unchanged"


def test_the_roster_summary_wraps_as_chinese_is_set(db, tmp_path):
    """The summary under the import's check: Rich broke it at the space before a number ("…第 6、7⏎行是表尾…"),
    leaving its first line short; Chinese fills each line to the edge (tui/line_breaks.py)."""
    import asyncio

    from rich.cells import cell_len
    from textual.geometry import Region

    from screens.roster_import import RosterImportScreen
    from storage.core.i18n import set_language
    from tests.pilot_helpers import settle
    from tests.register_helpers import HarnessApp
    from tui.line_breaks import NO_LINE_START

    rows = [*good_rows(), [None, "合计", "", "", "", "", ""], [None, "填表人：王芳", "", "", "", "", ""]]
    path = write_xlsx(tmp_path / "r.xlsx", rows, title="东村花名册")

    async def flow() -> tuple[list[str], int]:
        app = HarnessApp(db, RosterImportScreen, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*str(path), "enter")
            await settle(pilot)
            summary = app.screen.query_one("#summary")
            assert "表尾" in str(summary.content)
            strips = summary.render_lines(Region(0, 0, *summary.size))
            return [s.text.strip() for s in strips if s.text.strip()], summary.size.width

    set_language("zh_CN")
    try:
        lines, width = asyncio.run(flow())
    finally:
        set_language("en")
    assert cell_len(lines[0]) >= width - 3, lines  # the counts, then the footer rows: full to the edge
    assert not any(line[0] in NO_LINE_START for line in lines), lines


def test_a_worker_roster_row_of_a_resident_the_township_merged_away_changes_nothing(tmp_path):
    """Walked: the township merged 张秀英 of G02 into G01's record; G02's roster import then updated the merged-away
    record's phone ("更新：联系电话"), the township merged it without a conflict, and the register (which shows the
    kept record) never showed the new number. The row is refused now, saying why; at the township, which holds
    the kept record, the row updates that one."""
    from storage.register.duplicates import merge_residents
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.sync_helpers import elder, make_township

    number = "330521194503120025"
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    kept = elder(a, "张秀英", id_number=number, phone="13800000001", birth_date=dt.date(1945, 3, 12))
    gone = elder(b, "张秀英", id_number=number, phone="13800000001", birth_date=dt.date(1945, 3, 12))
    assert not merge_paths(t.db, [export_bundle(a, tmp_path / "a").path, export_bundle(b, tmp_path / "b").path]).refused
    merge_residents(t.db, kept.id, gone.id)
    assert not merge_paths(b, [export_bundle(t.db, tmp_path / "back", grid_code="G02").path]).refused
    row = [["1", "张秀英", number, "女", "独居老年人", "13900000099", ""]]

    report = import_roster(b, write_csv(tmp_path / "b.csv", row), today=TODAY, skip_invalid=True)
    assert [r.status for r in report.rows] == ["invalid"]
    assert "The township merged 张秀英 into a record of another grid" in " ".join(p.message for p in report.rows[0].problems)
    with b.session() as s:
        assert s.get(Resident, gone.id).phone == "13800000001"

    at_township = write_csv(tmp_path / "t.csv", [[*row[0], "G01"]], header=[*HEADER, "所属网格"])
    report = import_roster(t.db, at_township, today=TODAY)
    assert [(r.status, r.resident_id) for r in report.rows] == [("update", kept.id)]
    with t.db.session() as s:
        assert (s.get(Resident, kept.id).phone, s.get(Resident, gone.id).phone) == ("13900000099", "13800000001")

"""The clerk's review of a person registered in two grids: both records side by side, the one with the
worker's history proposed as the one to keep, reachable from Home and from the command palette.

The path a person walks: two workers register the same elder from their rosters (with the values a roster
gives), one visits her, both export, the township merges; the clerk opens the duplicates on screen, sees
where each record is and which one holds the visit, keeps that one and merges the other into it.
"""

from __future__ import annotations

import datetime as dt
import os

from rich.console import Console
from sqlmodel import select
from textual.widgets import DataTable, Static

from storage.register.duplicates import possible_duplicates, review
from storage.register.idnumbers import check_char
from storage.register.residents import register_resident
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import make_township
from tui.app import make_app

TODAY = dt.date(2026, 12, 2)
ID = "33052119440312002" + check_char("33052119440312002")


def _shown(widget: Static) -> str:
    console = Console(width=200, record=True, file=open(os.devnull, "w", encoding="utf-8"))
    console.print(widget.content)
    return console.export_text()


def _township_with_one_person_in_two_grids(tmp_path, east_name: str = "陈桂英"):
    t = make_township(tmp_path)
    west, east = t.worker("王芳", "G01"), t.worker("李明", "G02")
    # the second grid's record comes first (a smaller id would be proposed to keep, were ids the rule)
    later = register_resident(east, {"name": east_name, "id_number": ID, "categories": ["solitary_elder"],
                                     "address": "东山村1号", "phone": "13857201234"}, today=TODAY)
    visited = register_resident(west, {"name": "陈桂英", "id_number": ID, "categories": ["solitary_elder"],
                                       "address": "柳溪村上坞3号", "phone": "13857201235"}, today=TODAY)
    log_visit(west, visited.id, {"visit_date": TODAY, "notes": "血压偏高"}, today=TODAY)
    report = merge_paths(t.db, [export_bundle(east, tmp_path / "east").path,
                                export_bundle(west, tmp_path / "west").path])
    assert report.refused == [] and report.duplicates == 1
    return t, visited, later


def test_the_record_with_the_visits_is_proposed_to_keep_and_both_are_described(tmp_path):
    t, visited, later = _township_with_one_person_in_two_grids(tmp_path)
    (pair,), merged = review(t.db)
    _, keep, dup = pair
    assert (keep.id, dup.id) == (visited.id, later.id) and merged == []
    assert (keep.visits, keep.last_visit, dup.visits, dup.last_visit) == (1, TODAY, 0, None)
    assert (keep.address, dup.address) == ("柳溪村上坞3号", "东山村1号")
    assert (keep.phone, dup.phone) == ("13857201235", "13857201234")
    assert keep.grid_code.endswith("-G01") and dup.grid_code.endswith("-G02")
    assert keep.categories == dup.categories == ("solitary_elder",)
    assert keep.birth_date == dt.date(1944, 3, 12) and keep.sex == "F"  # from the ID number, as the form fills them


def test_a_closed_record_is_not_proposed_to_keep_over_one_on_the_register(tmp_path):
    from storage.register.residents import close_case

    t, visited, later = _township_with_one_person_in_two_grids(tmp_path)
    close_case(t.db, visited.id, "moved_away", closed_on=TODAY, today=TODAY)
    (pair,), _merged = review(t.db)
    assert (pair[1].id, pair[1].status, pair[2].id) == (later.id, "active", visited.id)


@run_async
async def test_the_clerk_compares_the_two_records_and_keeps_the_visited_one(tmp_path):
    t, visited, later = _township_with_one_person_in_two_grids(tmp_path)
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await settle(pilot, lambda: "疑似重复（按 c，再按 d）" in _shown(app.screen.query_one("#progress", Static)))
        await pilot.press("c")
        await on_screen(pilot, "ConflictsScreen")
        await pilot.press("d")
        await on_screen(pilot, "DuplicatesScreen")
        compare = app.screen.query_one("#compare", Static)
        await settle(pilot, lambda: "柳溪村上坞3号" in _shown(compare))
        lines = _shown(compare).splitlines()
        address = next(line for line in lines if "家庭住址" in line)
        assert address.index("柳溪村上坞3号") < address.index("东山村1号")  # the kept record on the left
        assert any("探访" in line and "尚无探访" in line for line in lines)
        assert compare.region.bottom <= app.screen.region.bottom - 1  # all of it above the footer at 80×24

        await pilot.press("s")  # the clerk keeps the other one
        await settle(pilot, lambda: _shown(compare).index("东山村1号") < _shown(compare).index("柳溪村上坞3号"))
        await pilot.press("s")
        await settle(pilot, lambda: _shown(compare).index("柳溪村上坞3号") < _shown(compare).index("东山村1号"))
        await pilot.press("m")
        await on_screen(pilot, "ConfirmScreen")  # asked first; the names are the same: no warning
        assert "名字不同" not in _shown(app.screen.query_one("#dialog-message", Static))
        # what the kept record does not take from the other is said (walked: a merge dropped a phone and a category
        # without a word)
        said = "".join(_shown(app.screen.query_one("#dialog-message", Static)).split())
        assert "合并后以保留的这条为准，另一条的这些内容不会并入：联系电话13857201234、家庭住址东山村1号。" in said, said
        await pilot.press("y")
        await on_screen(pilot, "DuplicatesScreen")
        await settle(pilot, lambda: app.screen.query_one("#merged", DataTable).row_count == 1)

        # the kept resident's page tells the clerk whose grid she is in and that a second record was merged
        from screens.resident import ResidentScreen

        app.push_screen(ResidentScreen(visited.id))
        await on_screen(pilot, ResidentScreen)
        page = app.screen.query_one("#profile", Static)
        await settle(pilot, lambda: "G02网格的记录已合并到这里" in _shown(page))
        assert "网格：G01网格 · 网格员 王芳" in _shown(page)
    assert possible_duplicates(t.db) == []
    with t.db.session() as s:
        from storage.core.models import Resident

        assert s.get(Resident, later.id).merged_into == visited.id


@run_async
async def test_the_palette_opens_the_duplicates_at_a_township(tmp_path):
    t, _visited, _later = _township_with_one_person_in_two_grids(tmp_path)
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"重复")
        await settle(pilot)
        await pilot.press("enter")
        await on_screen(pilot, "DuplicatesScreen")


def test_a_worker_is_told_which_residents_the_township_merged_away(tmp_path, capsys):
    """The worker's own record merged into another grid's: the merge says so, and why she left the list."""
    from storage.core.db import open_database
    from storage.register.duplicates import merge_residents
    from tests.sync_helpers import elder
    from tui.cli import main as run

    t, visited, later = _township_with_one_person_in_two_grids(tmp_path)
    merge_residents(t.db, visited.id, later.id)  # the G02 record goes into the visited G01 one
    east = open_database(tmp_path / "G02.db")  # the second worker's, as _township_with… left it
    once = elder(east, "王桂英")
    twice = elder(east, "王桂英")  # the same elder registered twice on this grid, without an ID number
    merge_paths(t.db, [export_bundle(east, tmp_path / "east2").path])
    merge_residents(t.db, once.id, twice.id)
    back = export_bundle(t.db, tmp_path / "back", grid_code="G02").path
    assert run(["--db", str(east.path), "--lang", "zh_CN", "merge", str(back)]) == 0
    out = capsys.readouterr().out
    assert "重复登记的对象，乡镇已合并到其他网格的记录：陈桂英。今后由该网格探访" in out
    assert "本网格重复登记的对象，乡镇已合并为一条记录：王桂英。" in out
    # merged again: nothing new to say
    assert run(["--db", str(east.path), "--lang", "zh_CN", "merge", str(back)]) == 0
    assert "乡镇已合并" not in capsys.readouterr().out


def test_the_command_line_lists_merges_and_undoes_as_the_screen_does(tmp_path, capsys):
    from tui.cli import main

    t, visited, later = _township_with_one_person_in_two_grids(tmp_path)
    db = str(t.db.path)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db, "--lang", "zh_CN", "duplicates", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _err = run()
    lines = out.splitlines()
    assert code == 0 and lines[0] == "身份证号相同"
    assert lines[1].startswith(f"  保留：{visited.id} · 陈桂英 · 3305**********0028") and "1 次探访" in lines[1]
    assert lines[2].startswith(f"  合并：{later.id} · 陈桂英") and "0 次探访" in lines[2]
    assert lines[3] == f"  gridcare duplicates merge {visited.id} {later.id}"  # the line to run, as proposed
    assert ID not in out and ID in run("--full-ids")[1]

    assert run("merge", visited.id, later.id)[0] == 0
    assert possible_duplicates(t.db) == []
    code, out, _err = run()
    assert code == 0 and out.startswith("没有疑似重复登记的对象。") and f"{later.id} · 陈桂英" in out
    code, _out, err = run("merge", visited.id, later.id)  # again: a user's error, one line
    assert code == 1 and err.count("\n") == 1 and "已经合并到另一条记录" in err
    code, _out, err = run("undo", "0123456789abcdef")  # no such record: said as that, not as "never merged"
    assert code == 1 and err.count("\n") == 1 and "没有记录编号或姓名为 0123456789abcdef 的已合并记录" in err, err
    assert run("undo", later.id[:8])[0] == 0 and len(possible_duplicates(t.db)) == 1  # the start of its id will do
    assert run("merge", visited.id, later.id)[0] == 0
    assert run("undo", "陈桂英")[0] == 0 and len(possible_duplicates(t.db)) == 1  # and so will its name
    code, _out, err = run("undo", later.id)  # put back already
    assert code == 1 and "这个对象没有被合并过" in err


@run_async
async def test_two_names_under_one_id_number_are_shown_and_warned_of_before_merging(tmp_path):
    """Seen with the 40-grid township: 吴宇航 (9网格) and 徐梓豪 (38网格), one ID number. The comparison had no name
    line, and m merged at once: one mistyped number made two children one, with no word."""
    t, visited, later = _township_with_one_person_in_two_grids(tmp_path, east_name="陈秀英")
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        app.open_screen("duplicates")
        await on_screen(pilot, "DuplicatesScreen")
        compare = app.screen.query_one("#compare", Static)
        await settle(pilot, lambda: "陈秀英" in _shown(compare))
        name = next(line for line in _shown(compare).splitlines() if "姓名" in line)
        assert name.index("陈桂英") < name.index("陈秀英")
        await pilot.press("m")
        await on_screen(pilot, "ConfirmScreen")
        message = _shown(app.screen.query_one("#dialog-message", Static))
        assert "名字不同" in message and "陈秀英" in message, message
        await pilot.press("enter")  # the focused answer: Cancel
        await on_screen(pilot, "DuplicatesScreen")
        await settle(pilot)
    assert review(t.db)[1] == []  # nothing merged


def test_a_worker_laptop_is_told_the_clerk_merges_duplicates(tmp_path, capsys):
    """Its township refuses a worker's bundle that merges residents (tests/test_trust_writes.py): the laptop says so
    before writing the merge, which would otherwise keep every later bundle of the worker from being merged."""
    from storage.sync.dump import dump_lines
    from tui.cli import main

    west = make_township(tmp_path).worker("王芳", "G01")
    one, two = (register_resident(west, {"name": "王桂英", "categories": ["solitary_elder"]}, today=TODAY)
                for _ in range(2))
    before = list(dump_lines(west))
    for args in (["merge", one.id, two.id], ["undo", two.id]):
        assert main(["--db", str(west.path), "--lang", "zh_CN", "duplicates", *args]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "由乡镇民政助理员合并" in err, err
    assert list(dump_lines(west)) == before


def test_a_merge_an_earlier_release_let_a_worker_write_stays_on_the_laptop(tmp_path):
    """The command line let a worker merge duplicates before its township refused such bundles: its next bundle
    leaves the merge out and is merged, instead of being refused, with every full one after it, for good."""
    from storage.core.models import Event, Resident
    from storage.register.duplicates import merge_residents

    t = make_township(tmp_path)
    west = t.worker("王芳", "G01")
    keep = register_resident(west, {"name": "王桂英", "categories": ["solitary_elder"]}, today=TODAY)
    dup = register_resident(west, {"name": "王桂英", "categories": ["solitary_elder"], "phone": "13857201235"},
                            today=TODAY)
    merge_residents(west, keep.id, dup.id)  # as `gridcare duplicates merge` did on a worker's laptop
    for full in (False, True):
        report = merge_paths(t.db, [export_bundle(west, tmp_path / f"w{full}", full=full).path])
        assert [b.status for b in report.bundles] == ["new"], report.bundles[0].message
    with t.db.session() as s:
        assert s.get(Resident, dup.id).merged_into is None  # the clerk's to merge
        assert s.get(Resident, keep.id).phone == "13857201235"  # what the merge carried is the worker's own edit
    with west.session() as s:  # the laptop's own events stay as written
        assert any(e.fields.get("merged_into") == keep.id for e in s.exec(select(Event)).all())


def test_a_merge_left_on_the_laptop_is_not_counted_as_waiting_to_be_sent(tmp_path):
    """The sync screen said one person waited to be sent, and the export then said nothing new, until the
    worker wrote something else: the merge an earlier release let a worker write is never sent."""
    import pytest

    from storage.core.errors import UserError
    from storage.register.duplicates import merge_residents
    from storage.register.residents import update_resident
    from storage.sync.export import pending_counts

    t = make_township(tmp_path)
    west = t.worker("王芳", "G01")
    keep = register_resident(west, {"name": "王桂英", "categories": ["solitary_elder"]}, today=TODAY)
    dup = register_resident(west, {"name": "王桂英", "categories": ["solitary_elder"]}, today=TODAY)
    export_bundle(west, tmp_path / "one")
    merge_residents(west, keep.id, dup.id)  # as `gridcare duplicates merge` did on a worker's laptop
    assert pending_counts(west) == {}
    with pytest.raises(UserError):
        export_bundle(west, tmp_path / "two")
    update_resident(west, dup.id, {"phone": "13857201235"}, today=TODAY)
    assert pending_counts(west) == {"resident": 1}  # the edit is sent, the merge still is not


def test_what_a_merge_leaves_behind_is_the_others_differing_phone_address_and_categories():
    from types import SimpleNamespace

    from storage.register.duplicates import not_carried

    kept = SimpleNamespace(phone="13600000001", address="柳溪村3号", categories=("solitary_elder",))
    other = SimpleNamespace(phone="13600000002", address="", categories=("empty_nest_elder", "solitary_elder"))
    assert not_carried(kept, other) == [("phone", "13600000002"), ("categories", ["empty_nest_elder"])]
    assert not_carried(kept, SimpleNamespace(phone="13600000001", address="", categories=())) == []


def test_an_older_bundles_edit_of_a_record_merged_away_is_named_to_the_clerk(tmp_path, capsys):
    """G02's worker changed 陈桂英's phone before she learnt the township had merged her record into G01's: the
    change lands on the record merged away, which no list shows, so the merge says so (walk of stop 47)."""
    from storage.core.db import open_database
    from storage.register.duplicates import merge_residents
    from storage.register.residents import update_resident
    from tests.sync_helpers import elder
    from tui.cli import main as run

    t, visited, later = _township_with_one_person_in_two_grids(tmp_path)
    merge_residents(t.db, visited.id, later.id)
    east = open_database(tmp_path / "G02.db")
    update_resident(east, later.id, {"notes": "女儿在杭州"}, today=TODAY)
    update_resident(east, later.id, {"address": "柳溪村上坞3号"}, today=TODAY)  # what the kept record says: no news
    # her phone differs from the record kept, untouched since the clerk's merge (which said so then): no news either
    elder(east, "王桂英")  # and a record of her own, not merged: nothing to say of it
    bundle = export_bundle(east, tmp_path / "east2").path
    assert run(["--db", str(t.db.path), "--lang", "zh_CN", "merge", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "数据包修改了陈桂英，而乡镇已把此人合并到陈桂英的记录：备注 → 女儿在杭州。" in out
    said = out.split("数据包修改了")[1]
    assert "地址" not in said and "电话" not in said and "王桂英" not in out
    # merged again: nothing new came, nothing to say
    assert run(["--db", str(t.db.path), "--lang", "zh_CN", "merge", str(bundle)]) == 0
    assert "数据包修改了" not in capsys.readouterr().out


@run_async
async def test_once_the_last_pair_is_merged_the_screen_says_there_are_none_and_offers_no_m_or_s(tmp_path):
    from tests.test_drop_down_drawn import drawn_lines

    t, _visited, _later = _township_with_one_person_in_two_grids(tmp_path)
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        app.open_screen("duplicates")
        await on_screen(pilot, "DuplicatesScreen")
        await settle(pilot, lambda: app.screen.query_one("#pairs", DataTable).row_count == 1)
        assert "m 合并" in drawn_lines(app)[-1] and "s 交换保留哪一条" in drawn_lines(app)[-1]
        await pilot.press("m")
        await on_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await on_screen(pilot, "DuplicatesScreen")
        await settle(pilot, lambda: app.screen.query_one("#merged", DataTable).row_count == 1)
        screen = "\n".join(drawn_lines(app))
        assert "没有疑似重复登记的对象。" in screen, screen
        assert "疑似重复：同一个人登记了两次？" not in screen and "m 合并" not in screen.splitlines()[-1]
        assert "交换保留哪一条" not in screen and "u 撤销合并" in screen.splitlines()[-1]  # the merge can be undone
        await pilot.press("m", "s")  # nothing to merge: no question asked
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicatesScreen"


@run_async
async def test_a_township_with_no_duplicates_is_told_so_and_offered_no_keys_for_a_row(tmp_path):
    from tests.test_drop_down_drawn import drawn_lines

    t = make_township(tmp_path)
    app = make_app(t.db.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        app.open_screen("duplicates")
        await on_screen(pilot, "DuplicatesScreen")
        await settle(pilot, lambda: "没有疑似重复登记的对象。" in "\n".join(drawn_lines(app)))
        screen = drawn_lines(app)
        assert not any("疑似重复：" in line or "对疑似重复" in line for line in screen), screen
        assert not any(word in screen[-1] for word in ("m 合并", "交换", "撤销")), screen[-1]


@run_async
async def test_the_comparison_names_the_categories_the_residents_pages_show_advanced_age_too(tmp_path):
    """Walked in English: 单秀兰, 81, registered in two grids with no box ticked; each page said "Advanced age (80+)",
    the comparison "Categories —" on both sides (the stored categories only, 高龄 being derived from the birth date)."""
    t, visited, later = _township_with_one_person_in_two_grids(tmp_path)  # born 1944: 82 on TODAY
    app = make_app(t.db.path, lang="en", today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        app.open_screen("duplicates")
        await on_screen(pilot, "DuplicatesScreen")
        compare = app.screen.query_one("#compare", Static)
        await settle(pilot, lambda: "Categories" in _shown(compare))
        line = next(line for line in _shown(compare).splitlines() if line.lstrip().startswith("Categories"))
        assert line.count("Advanced age (80+)") == 2 and line.count("Elder living alone") == 2, line

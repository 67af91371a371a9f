"""The Sync, Conflicts and Duplicates screens, driven from the keyboard on real databases."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from screens.conflicts import ConflictsScreen
from screens.duplicates import DuplicatesScreen
from screens.sync import SyncScreen
from storage.core.i18n import set_language
from storage.core.models import Resident
from storage.register.duplicates import possible_duplicates, resident_ids_for
from storage.register.residents import update_resident
from storage.sync.conflicts import open_conflicts
from storage.sync.export import export_bundle, pending_counts
from storage.sync.merge import merge_paths
from tests.pilot_helpers import folder_read, run_async, settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import elder, folder_with_a_copy, make_township


def _text(screen, selector) -> str:
    return str(screen.query_one(selector, Static).content)


@run_async
async def test_worker_exports_to_the_folder_typed(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    usb = tmp_path / "usb"
    usb.mkdir()
    app = HarnessApp(a, SyncScreen)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.pending_summary == "Ready to go: 1 resident, 1 grid record."
        screen.query_one("#folder", Input).value = str(usb)
        await pilot.press("ctrl+o")  # browse: the folder picker opens on the folder typed, Esc closes it
        await pilot.pause()
        from screens.path_picker import PathPickerScreen

        assert isinstance(app.screen, PathPickerScreen) and app.screen.folder == usb
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Bundle 1 written" in _text(screen, "#result")
        assert "Nothing new" in screen.pending_summary
    assert len(list(usb.glob("*.gcb"))) == 1 and pending_counts(a) == {}


@run_async
async def test_clerk_lists_the_folder_and_merges_it(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
    elder(a, "张三")
    elder(b, "李四")
    usb = tmp_path / "usb"
    usb.mkdir()
    export_bundle(a, usb)
    export_bundle(b, usb)
    (usb / "broken.gcb").write_bytes(b"not a bundle")
    app = HarnessApp(t.db, SyncScreen)
    async with app.run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        await folder_read(pilot, screen, usb)
        table = screen.query_one("#bundles", DataTable)
        assert table.row_count == 3
        assert "2 new bundles to merge" in _text(screen, "#result")
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = _text(screen, "#result")
        assert "REFUSED" in result and "broken.gcb" in result and "enrolled with its code" in result
        assert "Records added" in result
        statuses = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert statuses.count("already merged") == 2
    with t.db.session() as s:
        assert {r.name for r in s.exec(select(Resident)).all()} == {"张三", "李四"}


@run_async
async def test_after_a_merge_the_next_folder_is_typed_at_once(tmp_path, monkeypatch):
    """Enter lists a folder, Enter merges it; the next grid's folder is typed straight away (walk G: the keys went
    to the 合并 button, where typing did nothing, until the box was tabbed to)."""
    t = make_township(tmp_path)
    for worker, grid, name, folder in (("王芳", "G01", "张三", "usb"), ("李强", "G02", "李四", "usb2")):
        (tmp_path / folder).mkdir()
        w = t.worker(worker, grid)
        elder(w, name)
        export_bundle(w, tmp_path / folder)
    monkeypatch.chdir(tmp_path)  # a folder typed as a name is found beside the app, as a path would be
    app = HarnessApp(t.db, SyncScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        box = screen.query_one("#folder", Input)
        box.value = ""
        box.focus()
        for folder in ("usb", "usb2"):
            await pilot.press(*folder, "enter")  # (after the first merge: the old path, selected, is typed over)
            await settle(pilot)
            assert "1 new bundle to merge" in _text(screen, "#result"), folder
            await pilot.press("enter")
            await settle(pilot)
            assert "Records added" in _text(screen, "#result")
            assert screen.focused is box and box.value == folder
    with t.db.session() as s:
        assert {r.name for r in s.exec(select(Resident)).all()} == {"张三", "李四"}


@run_async
async def test_the_folder_of_the_last_merge_is_listed_on_opening_and_one_enter_merges_it(tmp_path):
    """The list was on the screen, but Enter only listed the folder again (walk D 5): one Enter merges now."""
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    usb = tmp_path / "usb"
    usb.mkdir()
    elder(a, "张三")
    merge_paths(t.db, [export_bundle(a, usb).path])  # last week's merge: the folder is remembered
    elder(a, "李四")
    export_bundle(a, usb)
    app = HarnessApp(t.db, SyncScreen)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#folder", Input).value == str(usb) and screen.focused is screen.query_one("#folder")
        assert "1 new bundle to merge" in _text(screen, "#result")
        assert "Enter merges the bundles listed" in _text(screen, "#folder-hint")
        await pilot.press("enter")
        await settle(pilot)
        assert "Records added" in _text(screen, "#result")
    with t.db.session() as s:
        assert {r.name for r in s.exec(select(Resident)).all()} == {"张三", "李四"}


@run_async
async def test_clerk_takes_the_other_value_from_the_keyboard(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", phone="13800000001")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"phone": "13800000002"})
    update_resident(t.db, r.id, {"phone": "13800000003"})
    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    (view,) = open_conflicts(t.db)
    other = view.conflict.loser_value
    app = HarnessApp(t.db, ConflictsScreen)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one(DataTable).row_count == 1
        assert "张三" in _text(screen, "#detail") and "13800000002" in _text(screen, "#detail")
        decisions = {"keep", "take", "type_value"}
        assert decisions <= {b.binding.action for b in screen.active_bindings.values()}
        await pilot.press("t")
        await settle(pilot)
        assert screen.query_one(DataTable).row_count == 0
        assert "No conflicts" in _text(screen, "#summary")
        assert not decisions & {b.binding.action for b in screen.active_bindings.values()}  # nothing left to decide
    with t.db.session() as s:
        assert s.get(Resident, r.id).phone == other


@run_async
async def test_the_list_masks_id_numbers_and_the_conflict_being_decided_shows_them(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"id_number": "11010519491231002X"})
    update_resident(t.db, r.id, {"id_number": "440524188001010014"})
    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    app = HarnessApp(t.db, ConflictsScreen)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        cells = " ".join(rows)  # the ID number's conflict, and those of the birth date and sex it gives
        assert "1101**********002X" in cells and "4405**********0014" in cells
        assert "11010519491231002X" not in cells and "440524188001010014" not in cells
        table.move_cursor(row=next(i for i, row in enumerate(rows) if "002X" in row))
        await settle(pilot)
        detail = _text(app.screen, "#detail")
        assert "11010519491231002X" in detail and "440524188001010014" in detail


@run_async
async def test_clerk_types_a_value_and_a_bad_one_is_explained(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三", phone="13800000001")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    update_resident(a, r.id, {"birth_date": "1944-01-01"})
    update_resident(t.db, r.id, {"birth_date": "1946-01-01"})
    merge_paths(t.db, [export_bundle(a, tmp_path / "2.gcb").path])
    app = HarnessApp(t.db, ConflictsScreen)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("e")
        await settle(pilot, lambda: app.screen is not screen)  # the dialog for the value
        dialog = app.screen
        dialog.query_one("#value", Input).value = "someday"
        await pilot.press("enter")
        await settle(pilot)
        # refused in the dialog, beside the value, which stays to be mended (it closed and the value was lost)
        assert app.screen is dialog and dialog.query_one("#value", Input).value == "someday"
        assert "date" in _text(dialog, "#dialog-message").lower()
        assert screen.query_one(DataTable).row_count == 1
        dialog.query_one("#value", Input).value = "1945-03-03"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.query_one(DataTable).row_count == 0
        assert "Decision saved" in _text(screen, "#status")
    with t.db.session() as s:
        assert str(s.get(Resident, r.id).birth_date) == "1945-03-03"


@run_async
async def test_duplicates_are_merged_and_unmerged_from_the_keyboard(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    one, two = elder(a, "王桂英"), elder(a, "王桂英")
    app = HarnessApp(a, DuplicatesScreen)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#pairs", DataTable).row_count == 1
        await pilot.press("m")  # asked first, the two told apart (one name, one grid, no ID number: walk G, 6)
        await settle(pilot)
        question = str(app.screen.message)
        assert question.count("王桂英 · G01网格 · no ID number · ") == 3 and "No visits yet" in question, question
        await pilot.press("y")
        await settle(pilot)
        assert screen.query_one("#pairs", DataTable).row_count == 0
        assert screen.query_one("#merged", DataTable).row_count == 1
        keep, dup = sorted([one.id, two.id])
        assert resident_ids_for(a, keep) == [keep, dup]
        await pilot.press("u")  # asked too (it undid at once)
        await settle(pilot)
        assert "Undo the merge of" in str(app.screen.message)
        await pilot.press("n")
        await settle(pilot)
        assert screen.query_one("#merged", DataTable).row_count == 1
        await pilot.press("u", "y")
        await settle(pilot)
        assert screen.query_one("#merged", DataTable).row_count == 0
    assert len(possible_duplicates(a)) == 1



def test_pending_counts_people_not_their_edits(tmp_path):
    """A resident registered and edited twice is one person to send (the Sync screen said "3 人员")."""
    from storage.sync.export import pending_counts

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    r = elder(a, "张三")
    update_resident(a, r.id, {"phone": "13800000001"})
    update_resident(a, r.id, {"address": "东村5号"})
    assert pending_counts(a)["resident"] == 1


def test_pending_line_in_chinese_is_joined_with_the_chinese_list_mark():
    from screens.sync_counts import pending_text

    set_language("zh_CN")
    try:
        assert pending_text({"visit": 3734, "resident": 302}) == "待导出：302 人、3,734 次探访。"
    finally:
        set_language("en")


def test_the_screens_merge_result_counts_the_bundles_the_list_shows_and_names_the_refused():
    """40 bundles gave 160 lines under the list, the totals far below at 80×24: the list already shows each
    bundle's status, so the result counts them and names only those refused or waiting."""
    from screens.sync import merge_lines
    from storage.core.i18n import set_language
    from storage.sync.merge import BundleOutcome, MergeReport

    set_language("zh_CN")
    try:
        report = MergeReport(bundles=[BundleOutcome(f"g{i}.gcb", "new", worker="王芳", seq=1, events_new=9)
                                      for i in range(40)]
                             + [BundleOutcome("old.gcb", "already", device_id="ab12cd34", seq=1),
                                BundleOutcome("bad.gcb", "refused", message="bad.gcb：这个文件已损坏。")],
                             added=120, updated=3)
        lines = merge_lines(report)
        assert lines[:3] == ["已拒收  bad.gcb：这个文件已损坏。", "已合并 40 个新数据包。", "1 个数据包以前已合并过。"]
        assert lines[3].startswith("新增记录：120；更新：3") and len(lines) == 4
    finally:
        set_language("en")


def test_the_folder_of_an_export_typed_as_a_relative_path_is_offered_whole(tmp_path, monkeypatch):
    """`gridcare export --out usb` typed in one folder; the Sync screen, opened from another, offered `usb` (walk G, 11)."""
    from storage.sync.folder import suggested_folder

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    (tmp_path / "usb").mkdir()
    monkeypatch.chdir(tmp_path)
    export_bundle(a, tmp_path.joinpath("usb").relative_to(tmp_path))
    monkeypatch.chdir(tmp_path / "usb")
    assert suggested_folder(a, "export") == tmp_path / "usb"


@run_async
async def test_the_exported_files_name_is_whole_on_its_line_at_80_columns(tmp_path):
    """Walk G: a long folder wrapped the file's name in two (`…/gridcar` / `e-330521101…`) on the Sync screen."""
    set_language("zh_CN")
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    usb = tmp_path / "媒体" / "U盘 2026年12月" / "柳溪村第一网格王芳的数据包导出文件夹" / "第二层目录名称很长"
    usb.mkdir(parents=True)
    app = HarnessApp(a, SyncScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#folder", Input).value = str(usb)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "已写入" in _text(screen, "#result"))
        (written,) = usb.glob("*.gcb")
        result = screen.query_one("#result", Static)
        lines = [strip.text for strip in result.render_lines(result.content_region.reset_offset)]
        assert any(line.strip() == written.name for line in lines), lines


@run_async
async def test_a_waiting_device_after_a_merge_says_how_to_reach_the_devices_screen(tmp_path):
    """Walk cwalk: the merge said to approve the device "on the Devices screen"; the Sync screen has no key for it
    and the clerk looked for it there. The line names the way: Esc, then d on Home, then a."""
    t = make_township(tmp_path)
    w = t.worker("赵敏", "G03", enrolled=False)
    elder(w, "王五")
    usb = tmp_path / "usb"
    usb.mkdir()
    export_bundle(w, usb)
    app = HarnessApp(t.db, SyncScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await folder_read(pilot, screen, usb)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "Devices screen" in _text(screen, "#result"))
        assert "Esc, then d on Home; there, a" in _text(screen, "#result")


@run_async
async def test_a_copy_of_a_bundle_beside_it_is_not_counted_twice_before_the_merge(tmp_path):
    """Walk cwalk: a folder with a bundle and its copy (副本-….gcb) listed "5 new bundles to merge", and the merge
    then said 4 merged and 1 merged before. The copy is listed as what the merge will say of it, naming the file."""
    t, usb, _name = folder_with_a_copy(tmp_path)
    app = HarnessApp(t.db, SyncScreen)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await folder_read(pilot, screen, usb)
        assert "1 new bundle to merge" in _text(screen, "#result"), _text(screen, "#result")
        table = screen.query_one("#bundles", DataTable)
        rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert sum("A copy of" in row for row in rows) == 1 and any(row.startswith("new") for row in rows), rows
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "Records added" in _text(screen, "#result"))
        assert "1 new bundle merged." in _text(screen, "#result"), _text(screen, "#result")

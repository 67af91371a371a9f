"""A worker merges what the township sent back (export --grid) from the Sync screen, not only with
`gridcare merge`: the USB stick also carries the other workers' bundles, which are left alone."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Button, Input, Static

from storage.core.models import Resident
from storage.register.duplicates import merge_residents, review
from storage.register.idnumbers import check_char
from storage.register.residents import register_resident
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.folder import for_this_database
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.sync_helpers import make_township
from tui.app import make_app

TODAY = dt.date(2026, 12, 2)
ID = "33052119440312002" + check_char("33052119440312002")


def _stick(tmp_path):
    """A township that merged the same elder from G01 (visited) and G02, kept G01's, and wrote G02's bundle back
    to the stick that holds every worker's bundles."""
    t = make_township(tmp_path)
    west, east = t.worker("王芳", "G01"), t.worker("李明", "G02")
    register_resident(east, {"name": "陈桂英", "id_number": ID, "categories": ["solitary_elder"]}, today=TODAY)
    kept = register_resident(west, {"name": "陈桂英", "id_number": ID, "categories": ["solitary_elder"]}, today=TODAY)
    log_visit(west, kept.id, {"visit_date": TODAY}, today=TODAY)
    stick = tmp_path / "stick"
    merge_paths(t.db, [export_bundle(w, stick).path for w in (west, east)])
    (_pair, keep, dup), = review(t.db)[0]
    merge_residents(t.db, keep.id, dup.id)
    back = export_bundle(t.db, stick, grid_code="G02").path
    return t, east, stick, back, dup.id


def test_only_the_township_bundles_to_grids_are_a_workers_to_merge(tmp_path):
    t, east, stick, back, _dup = _stick(tmp_path)
    export_bundle(t.db, tmp_path / "elsewhere", grid_code="G01")  # not on the stick
    assert for_this_database(east, [stick]).paths == [back]
    (stick / "broken.gcb").write_bytes(b"not a bundle")
    taken = for_this_database(east, [stick])
    assert taken.paths == [back] and [b.path.name for b in taken.unreadable] == ["broken.gcb"]
    assert taken.left == 2  # the two workers' bundles (the damaged file is named apart, not counted among them)


@run_async
async def test_the_worker_merges_the_townships_bundle_from_the_sync_screen(tmp_path):
    _t, east, stick, _back, dup = _stick(tmp_path)
    app = make_app(east.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("s")
        await on_screen(pilot, "SyncScreen")
        folder = app.screen.query_one("#folder", Input)
        folder.value = str(stick)
        assert app.screen.query_one("#merge-returned", Button).display
        await pilot.press("ctrl+r")  # from the folder box, where the cursor is
        result = app.screen.query_one("#result", Static)
        await settle(pilot, lambda: "新增记录" in str(result.content))
        text = str(result.content)
        assert "重复登记的对象，乡镇已合并到其他网格的记录：陈桂英。" in text
        assert "已拒收" not in text and "王芳" not in text  # the other worker's bundle was not touched
    with east.session() as s:
        assert s.get(Resident, dup).merged_into is not None


def test_gridcare_merge_at_a_worker_takes_the_townships_bundle_from_a_shared_folder(tmp_path, capsys):
    from tui.cli import main

    t, east, stick, back, dup = _stick(tmp_path)
    export_bundle(t.db, stick, grid_code="G01")  # the clerk's bundle to the other grid, on the same stick
    code = main(["--db", str(east.path), "--lang", "zh_CN", "merge", str(stick)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.startswith("已跳过文件夹中 3 个不是乡镇发给本网格的数据包")  # its own, G01's, the clerk's to G01
    assert "已拒收" not in out.out and back.name in out.out
    # the township was set up without a clerk's name, in English: its office is named in the reader's language
    assert "（乡镇民政助理员，第 1 个数据包）" in out.out and "Township clerk" not in out.out
    with east.session() as s:
        assert s.get(Resident, dup).merged_into is not None
    # a file named on its own is merged or refused as it is: another worker's is refused, exit 1
    west_bundle = next(p for p in stick.iterdir() if "-G01-王芳-" in p.name)
    assert main(["--db", str(east.path), "--lang", "zh_CN", "merge", str(west_bundle)]) == 1
    assert "已拒收" in capsys.readouterr().out


def test_a_worker_is_told_the_clerk_decides_a_field_both_changed(tmp_path, capsys):
    """At a worker there is no conflict to review (the clerk decides): the merge says so, not 待审核冲突."""
    from storage.register.residents import update_resident
    from tui.cli import main

    t = make_township(tmp_path)
    west = t.worker("王芳", "G01")
    r = register_resident(west, {"name": "刘小军", "birth_date": dt.date(2015, 6, 1), "sex": "M",
                                 "categories": ["child_in_difficulty"]}, today=TODAY)
    merge_paths(t.db, [export_bundle(west, tmp_path / "up").path])
    update_resident(t.db, r.id, {"phone": "13900001111"}, today=TODAY)  # the clerk's correction
    update_resident(west, r.id, {"phone": "13900002222"}, today=TODAY)  # the worker's, unseen by the clerk
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01").path
    assert main(["--db", str(west.path), "--lang", "zh_CN", "merge", str(back)]) == 0
    out = capsys.readouterr().out
    assert "有 1 个字段本机和乡镇都改过：由乡镇民政助理员决定保留哪个值" in out
    assert "待审核冲突" not in out and "疑似重复对象" not in out and "新增记录：" in out


def _damaged(back):
    """The township's bundle to this grid, cut short on the stick (pulled out while copying): its header is gone."""
    back.write_bytes(back.read_bytes()[:40])
    return back


def test_a_damaged_bundle_from_the_township_is_named_not_passed_over(tmp_path, capsys):
    """Before, `gridcare merge STICK` at the worker counted it among the files not for this grid, and said no
    bundle from the township was there: the worker never heard that the township's was on the stick, damaged."""
    from tui.cli import main

    _t, east, stick, back, _dup = _stick(tmp_path)
    _damaged(back)
    code = main(["--db", str(east.path), "--lang", "zh_CN", "merge", str(stick)])
    out = capsys.readouterr()
    assert out.out.startswith("已跳过文件夹中 2 个不是乡镇发给本网格的数据包")  # the two workers'
    assert f"未合并：{back.name}：" in out.out and "请乡镇民政助理员重新导出" in out.out
    assert code == 1 and "那里没有乡镇发给本网格的数据包" in out.err


@run_async
async def test_the_sync_screen_names_a_damaged_bundle_from_the_township(tmp_path):
    _t, east, stick, back, _dup = _stick(tmp_path)
    _damaged(back)
    app = make_app(east.path, lang="zh_CN", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("s")
        await on_screen(pilot, "SyncScreen")
        app.screen.query_one("#folder", Input).value = str(stick)
        await pilot.press("ctrl+r")
        result = app.screen.query_one("#result", Static)
        await settle(pilot, lambda: "未合并" in str(result.content))
        text = str(result.content)
        assert f"未合并：{back.name}：" in text and "请乡镇民政助理员重新导出" in text
        assert text.startswith(f"{stick} 里没有乡镇发给本网格的数据包。")

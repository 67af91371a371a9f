"""The Conflicts screen's footer for a case's closing (walk h-walk, 2): two laptops of one grid closed one resident
with different reasons; the closing is decided by sides only, yet the footer offered "e 输入新值", which answered
that the value cannot be typed. A phone's conflict, below it, still offers e."""

from __future__ import annotations

import datetime as dt

from storage.core.i18n import set_language
from storage.register.residents import close_case, update_resident
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import TODAY
from tests.sync_helpers import elder, make_township
from tests.test_walkthrough import screen_text
from tui.app import make_app


def _two_kinds(tmp_path):
    t = make_township(tmp_path)
    a, b = t.worker("王芳", "G01", path=tmp_path / "a.db"), t.worker("张强", "G01", path=tmp_path / "b.db")
    him, her = elder(a, "李德福", registered_on=dt.date(2026, 10, 8)), elder(a, "刘桂英", phone="13800000001")
    merge_paths(t.db, [export_bundle(a, tmp_path / "a1.gcb").path])
    merge_paths(t.db, [export_bundle(b, tmp_path / "b1.gcb").path])  # b's first bundle: the township knows it
    merge_paths(b, [export_bundle(t.db, tmp_path / "back", grid_code="G01").path])
    close_case(a, him.id, "deceased", dt.date(2026, 11, 20), "病故", today=TODAY)
    close_case(b, him.id, "moved_away", dt.date(2026, 11, 21), "去女儿家", today=TODAY)
    update_resident(a, her.id, {"phone": "13900000001"})
    update_resident(b, her.id, {"phone": "13700000001"})
    merge_paths(t.db, [export_bundle(a, tmp_path / "a2.gcb").path, export_bundle(b, tmp_path / "b2.gcb").path])
    path = t.db.path
    for db in (t.db, a, b):
        db.dispose()
    return path


@run_async
async def test_e_is_offered_only_where_a_value_can_be_typed(tmp_path):
    set_language("zh_CN")
    app = make_app(_two_kinds(tmp_path), lang="zh_CN", today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            await pilot.press("c")
            await on_screen(pilot, "ConflictsScreen")
            seen = {}
            for _ in range(2):
                await settle(pilot)
                shown = screen_text(app, " ").splitlines()
                detail = next(line for line in shown if "（关爱对象）·" in line)  # the highlighted row's, under the table
                seen[detail.split("·")[-1].strip()] = shown[-1]
                await pilot.press("down")
            assert set(seen) == {"退出原因", "联系电话"}, seen
            assert "输入新值" not in seen["退出原因"] and "保留这个值" in seen["退出原因"], seen
            assert "输入新值" in seen["联系电话"], seen
    finally:
        set_language("en")

"""The clerk's Home says when devices wait for approval, and `d` takes the clerk to them.

Seen in tmux: a worker set up without the enrollment code; the clerk's merge said "waiting" once, and
then nothing on Home told the clerk that a grid's visits were held back until the device is approved.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from screens.devices import DevicesScreen
from storage.core.i18n import set_language
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import clock_on
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import elder, make_township
from tests.test_walkthrough import screen_text
from tui.app import make_app

LINE = "等待你批准的设备（按 d）"


def test_home_names_the_waiting_devices_until_they_are_approved(tmp_path):
    with clock_on(dt.date(2026, 11, 24)):  # registered then (storage/register/entered.py): overdue by now
        t = make_township(tmp_path)
        w = t.worker("赵敏", "G03", enrolled=False)
        elder(w, "王五")
    assert merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path]).bundles[0].status == "waiting"

    async def run() -> None:
        app = make_app(t.db.path, lang="zh_CN")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, lambda: getattr(app.screen, "data", None) is not None)
            home = app.screen
            assert LINE in screen_text(app)
            await pilot.press("d")
            await on_screen(pilot, DevicesScreen)
            await pilot.press("a")
            await settle(pilot)
            await pilot.press("y")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot, lambda: app.screen is home)
            await settle(pilot, lambda: LINE not in screen_text(app))  # approved: its bundle merged, the line gone
            assert "王五" in screen_text(app)  # her bundle merged with the approval: she is on the overdue list

    try:
        asyncio.run(run())
    finally:
        set_language("zh_CN")


@run_async
async def test_a_new_townships_home_says_its_first_step_is_the_workers_enrollment_codes(tmp_path):
    """Walked at 80×24: a new township's Home said "按 n 登记" (register a key person here), where the first step is
    an enrollment code for each grid's worker (Devices, d), which neither Home nor its footer named."""
    from storage.sync.devices import enroll
    from tests.test_drop_down_drawn import drawn_lines

    t = make_township(tmp_path)
    t.db.dispose()
    said = "还没有登记网格员的设备：按 d（设备），再按 n"
    for enrolled in (False, True):
        if enrolled:
            enroll(t.db, "330521101-G01", "王芳")
            t.db.dispose()
        app = make_app(t.db.path, lang="zh_CN")
        async with app.run_test(size=(80, 24)) as pilot:
            await on_screen(pilot, "HomeScreen")
            await settle(pilot)
            shown = "".join(line.strip() for line in drawn_lines(app))
            assert (said in shown) is not enrolled, shown
            assert ("还没有重点对象：按 s 合并网格员的数据包" in shown) is enrolled, shown


def test_a_township_with_key_persons_and_no_device_is_not_told_to_enroll_first(tmp_path):
    """The demo township (5,833 residents registered by the demo, no devices) said "还没有登记网格员的设备…；重点
    对象随网格员的数据包而来": the hint is for a township that has nothing yet."""
    from storage.core.db import open_database
    from storage.register.home import home_data
    from tests.sync_helpers import clerk_elder

    t = make_township(tmp_path)
    clerk_elder(t, "张三")  # (gives G01 a code first, as a clerk does: so enroll a township without one)
    with open_database(t.db.path).engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM enrollment")
    data = home_data(t.db, dt.date(2026, 11, 24))
    assert data.nobody_enrolled and data.overall.total == 1
    shown = _progress_in_chinese(data)
    assert "已探访" in shown and "还没有登记网格员的设备" not in shown, shown



def test_a_township_with_its_workers_enrolled_and_nothing_merged_is_told_to_merge_first(tmp_path):
    """Walked by a clerk: two workers enrolled, no bundle merged yet, and Home said 按 n 登记 (the worker's first
    step); a clerk's register comes with the workers' bundles (s)."""
    from storage.register.home import home_data
    from storage.sync.devices import enroll

    t = make_township(tmp_path)
    enroll(t.db, "G01", "王芳")
    data = home_data(t.db, dt.date(2026, 11, 24))
    assert not data.nobody_enrolled and data.overall.total == 0
    shown = _progress_in_chinese(data)
    assert "按 s 合并网格员的数据包" in shown, shown


def _progress_in_chinese(data) -> str:
    """Home's progress panel as an 80-column terminal shows it, in Chinese."""
    from rich.console import Console

    from screens.home_progress import progress_renderable

    set_language("zh_CN")
    try:
        console = Console(width=80, record=True, color_system=None)
        console.print(progress_renderable(data))
        return console.export_text()
    finally:
        set_language("en")

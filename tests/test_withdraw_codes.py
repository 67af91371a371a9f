"""Enrollment codes not used yet can be withdrawn, and approving a worker's device names the code made for that
worker if it is still unused: a code not used is a key to the grid's records for whoever holds it.

Seen in tmux: Wang Fang set up without the code the clerk made for her; the clerk approved her device by its
fingerprint, and the code stayed listed as "not used yet", with no way to take it back. Whoever found the note
could have enrolled a second device for her grid.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from sqlmodel import select
from textual.widgets import DataTable, Static

from screens.devices import DevicesScreen
from storage.core.db import open_database
from storage.core.identity import init_worker
from storage.core.models import AuditEntry
from storage.sync import devices
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import HarnessApp
from tests.sync_helpers import elder, make_township


def _set_up_with(t, tmp_path, code: str | None, name: str = "李四", grid: str = "G03"):
    db = open_database(tmp_path / f"{name}.db")
    init_worker(db, "330521101", "新市镇", grid, f"{grid}网格", name, t.key, enroll_code=code)
    elder(db, f"{name}的老人")
    return merge_paths(t.db, [export_bundle(db, tmp_path / f"usb-{name}").path]).bundles[0]


def test_approving_a_workers_device_names_the_code_still_unused_and_withdrawing_it_stops_it(tmp_path):
    from tui.texts import codes_unused_text

    t = make_township(tmp_path)
    code, _view = devices.enroll(t.db, "G03", "Wang Fang")
    other_code, _other = devices.enroll(t.db, "G03", "李四")  # another worker of the grid: not hers
    assert _set_up_with(t, tmp_path, None, "Wang Fang").status == "waiting"
    waiting = devices.list_devices(t.db)[0]
    view, _files = devices.approve(t.db, waiting.device_id, "G03")
    assert view.codes_unused == 1
    assert "gridcare devices withdraw --grid G03" in codes_unused_text(view)
    # kept until the clerk says (an approval of the wrong key must leave the worker's own code: tests/test_trust.py)
    assert len(devices.enrollments(t.db)) == 2
    assert [v.worker for v in devices.withdraw_codes(t.db, "G03", "Wang Fang")] == ["Wang Fang"]
    assert [(e.grid_code, e.worker) for e in devices.enrollments(t.db)] == [("G03", "李四")]
    # the withdrawn code enrolls nothing now: a device set up with it waits for the clerk
    assert _set_up_with(t, tmp_path, code, "Wang Fang2").status == "waiting"
    assert _set_up_with(t, tmp_path, other_code, "李四").status == "new"


def test_withdraw_from_the_command_line_and_a_second_time_is_a_one_line_error(tmp_path):
    t = make_township(tmp_path)
    code, _view = devices.enroll(t.db, "G03", "王芳")
    cli = [sys.executable, "-m", "tui.cli", "--lang", "en", "--db", str(t.db.path), "devices", "withdraw", "--grid", "G03"]
    done = subprocess.run(cli, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 enrollment code withdrawn (G03 王芳)" in done.stdout
    assert devices.enrollments(t.db) == []
    again = subprocess.run(cli, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and again.stderr.strip().splitlines() == [
        "gridcare: No enrollment code is waiting to be used for G03."]
    assert _set_up_with(t, tmp_path, code).status == "waiting"
    with t.db.session() as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "withdraw enrollment codes")).one()
        assert entry.counts["codes"] == 1


@run_async
async def test_the_clerk_withdraws_a_code_on_the_devices_screen(tmp_path):
    t = make_township(tmp_path)
    devices.enroll(t.db, "G03", "王芳")
    devices.enroll(t.db, "G04", "赵敏")
    app = HarnessApp(t.db, DevicesScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#devices", DataTable).focus()
        await pilot.press("w")
        from screens.dialogs import ChooseScreen

        await on_screen(pilot, ChooseScreen)
        from textual.widgets import Select

        zhao = next(e.id for e in devices.enrollments(t.db) if e.worker == "赵敏")
        app.screen.query_one("#choice", Select).value = zhao
        app.screen.query_one("#choice", Select).focus()
        await pilot.press("tab", *"写错了", "ctrl+s")
        await on_screen(pilot, DevicesScreen)
        await settle(pilot, lambda: "withdrawn" in str(screen.query_one("#result", Static).content))
        assert "G04" in str(screen.query_one("#result", Static).content)
        assert "赵敏" not in str(screen.query_one("#codes", Static).content)
    assert [(e.grid_code, e.worker) for e in devices.enrollments(t.db)] == [("G03", "王芳")]
    with t.db.session() as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "withdraw enrollment codes")).one()
        assert entry.counts["reason"] == "写错了" and entry.at.date() <= dt.date.today()

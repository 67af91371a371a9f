"""Emergencies on screen at 80×24: the township's Home puts them at the top until acknowledged."""

from __future__ import annotations

from textual.widgets import DataTable

from storage.core.china_day import china_today
from storage.register.visits import log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import elder, make_township
from tui.app import make_app


def _township_with_an_emergency(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张小明")
    today = china_today()
    log_visit(w, r.id, {"visit_date": today, "mandatory_report": True, "notes": "老人摔倒"}, today=today)
    export_bundle(w, tmp_path / "usb")
    merge_paths(t.db, [tmp_path / "usb"])
    t.db.dispose()
    return t, w, r, today


@run_async
async def test_township_home_lists_the_emergency_at_the_top_and_a_acknowledges_it(tmp_path):
    t, w, r, today = _township_with_an_emergency(tmp_path)
    app = make_app(t.db.path, lang="en", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert home.query_one("#emergencies").display
        table = home.query_one("#t-emergencies", DataTable)
        assert table.row_count == 1
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[0] == "under an hour" and cells[1] == "张小明" and "Must be reported at once" in cells[3]
        assert table.region.y < home.query_one("#progress").region.y  # above everything else
        await pilot.press("a")
        await on_screen(pilot, "ConfirmScreen")
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is home and home.data.emergencies == []
        assert not home.query_one("#emergencies").display
        await pilot.press("a")  # nothing left to acknowledge: the key does nothing
        await settle(pilot)
        assert app.screen is home


@run_async
async def test_a_worker_sees_its_emergency_waiting_and_has_no_acknowledge_key(tmp_path):
    t, w, r, today = _township_with_an_emergency(tmp_path)
    w.dispose()
    app = make_app(w.path, lang="en", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert home.query_one("#t-emergencies", DataTable).row_count == 1
        assert "not yet acknowledged by the township" in str(home.query_one("#emergencies-title").render())
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is home
        from storage.core.db import open_database
        from storage.register.home import home_data

        assert len(home_data(open_database(w.path), today).emergencies) == 1


def _worker_with_an_elder(tmp_path):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张小明", guardian_name="李秀英", guardian_relation="女儿", guardian_phone="13800001234")
    w.dispose()
    return t, w, r


async def _emergency_visit_saved(pilot, resident_id: str, notes: str = "") -> None:
    """A visit to be reported at once, logged on the visit form and saved: its report is on screen."""
    from textual.widgets import Checkbox, Input, TextArea

    from screens.visit_form import VisitFormScreen

    await settle(pilot)
    pilot.app.push_screen(VisitFormScreen(resident_id))
    await settle(pilot)
    form = pilot.app.screen
    form.query_one("#mandatory_report", Checkbox).value = True
    form.query_one("#met_with", Input).value = "邻居"
    form.query_one("#notes", TextArea).text = notes
    await pilot.press("ctrl+s")
    await on_screen(pilot, "UrgentReportScreen")


@run_async
async def test_saving_an_emergency_visit_gives_the_report_on_the_clipboard_in_a_file_and_exports_now(tmp_path):
    from textual.widgets import Input, TextArea

    from storage.sync.bundle_file import read_manifest

    t, w, r = _worker_with_an_elder(tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    today = china_today()
    app = make_app(w.path, lang="en", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await _emergency_visit_saved(pilot, r.id)
        dialog = app.screen
        assert type(dialog).__name__ == "UrgentReportScreen"
        text = dialog.query_one("#report", TextArea).text
        assert app.clipboard == text and "张*明" in text and "张小明" not in text and "13800001234" in text
        files = list((tmp_path / "G01.db.urgent").glob("*.txt"))
        assert len(files) == 1 and files[0].read_text(encoding="utf-8-sig") == text
        dialog.query_one("#folder", Input).value = str(usb)
        dialog.query_one("#report", TextArea).focus()
        await pilot.press("x")
        await settle(pilot)
        [bundle] = list(usb.glob("*.gcb"))
        counts = read_manifest(bundle)["counts"]
        assert counts["visit"] == 1 and counts["resident"] == 1  # the urgent visit, and what it needs
        assert "Send it to the township now" in str(dialog.query_one("#result").render())
        await pilot.press("escape")
        await on_screen(pilot, "HomeScreen")
        assert type(app.screen).__name__ == "HomeScreen"
    merge_paths(t.db, [usb])
    from storage.register.home import home_data

    assert [e.name for e in home_data(t.db, today).emergencies] == ["张小明"]


@run_async
async def test_a_routine_visit_to_an_emergency_level_resident_is_no_new_finding(tmp_path):
    from screens.visit_form import VisitFormScreen

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张小明")
    today = china_today()
    log_visit(w, r.id, {"visit_date": today, "risk_after": "emergency"}, today=today)
    w.dispose()
    app = make_app(w.path, lang="en", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(VisitFormScreen(r.id))
        await settle(pilot)
        await pilot.press("ctrl+s")  # the risk stays at emergency (the form's default): follow-up
        await on_screen(pilot, "HomeScreen")
        assert type(app.screen).__name__ == "HomeScreen"


@run_async
async def test_raising_the_risk_to_emergency_on_the_resident_page_gives_the_report_too(tmp_path):
    from textual.widgets import Input, Select

    from screens.resident import ResidentScreen

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    r = elder(w, "张小明")
    w.dispose()
    app = make_app(w.path, lang="en", today=china_today())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ResidentScreen(r.id))
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#choice", Select).value = "emergency"
        app.screen.query_one("#reason", Input).value = "老人走失"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "UrgentReportScreen")
        assert type(app.screen).__name__ == "UrgentReportScreen"
        assert "老人走失" in app.clipboard and "Emergency" in app.clipboard


@run_async
async def test_registering_a_resident_at_emergency_shows_the_report_over_the_form_then_the_page(tmp_path):
    """The report came up under the new resident's page (the form left first, and the page the form returns to
    covered it): the worker saw no report, and after Esc it took the keys typed for the next registration."""
    from textual.widgets import Input, Select, SelectionList

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    w.dispose()
    app = make_app(w.path, lang="zh_CN", today=china_today())
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await pilot.press("n")
        await on_screen(pilot, "ResidentFormScreen")
        form = app.screen
        form.query_one("#name", Input).value = "王阿婆"
        form.query_one("#birth_date", Input).value = "1940-05-06"
        form.query_one("#categories", SelectionList).select("solitary_elder")
        form.query_one("#risk_level", Select).value = "emergency"
        await pilot.press("ctrl+s")
        await on_screen(pilot, "UrgentReportScreen")
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack][-2:] == ["ResidentFormScreen", "UrgentReportScreen"]
        assert "王*婆" in app.clipboard
        await pilot.press("escape")
        await on_screen(pilot, "ResidentScreen")
        await settle(pilot)
        assert type(app.screen).__name__ == "ResidentScreen" and "UrgentReportScreen" not in {
            type(s).__name__ for s in app.screen_stack}


@run_async
async def test_the_export_result_is_whole_on_screen_under_a_long_report_at_80x24(tmp_path):
    """Seen in tmux: after `x` the dialog ended "…（2项变更）。请立即发送" and the rest was cut off (a long report, a
    long folder, the bundle's whole path in the result). The result names the file (its folder is in the field
    above), and the dialog scrolls to it when it still does not fit."""
    from textual.widgets import Input, TextArea

    from tests.test_drop_down_drawn import drawn_lines

    _t, w, r = _worker_with_an_elder(tmp_path)
    usb = tmp_path / "media" / "wangfang" / "KINGSTON U盘" / "网格数据" / "给乡镇的数据包"
    usb.mkdir(parents=True)
    app = make_app(w.path, lang="zh_CN", today=china_today())
    async with app.run_test(size=(80, 24)) as pilot:
        await _emergency_visit_saved(pilot, r.id, notes="老人在家中摔倒，右腿无法站立，邻居发现后打电话告知，已联系村医" * 3)
        dialog = app.screen
        dialog.query_one("#folder", Input).value = str(usb)
        dialog.query_one("#report", TextArea).focus()
        await pilot.press("x")
        await settle(pilot, lambda: "gcb" in str(dialog.query_one("#result").render()))
        await settle(pilot)
        shown = "".join(line.strip("█ ▇▁") for line in drawn_lines(app))
        assert "请立即发送给乡镇。" in shown and str(usb) not in str(dialog.query_one("#result").render()), shown


@run_async
async def test_a_small_home_says_how_many_emergencies_are_below_the_two_it_shows(tmp_path):
    """At 80×24 a worker's Home said "3条紧急情况乡镇尚未确认收到" and showed two (the panel keeps two in view, the
    rest for the lists): the third was there only for who thought to press e and ↓. The title now says so."""
    from tests.test_drop_down_drawn import drawn_lines

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    today = china_today()
    for name in ("张小明", "李秀英", "王建国"):
        log_visit(w, elder(w, name).id, {"visit_date": today, "mandatory_report": True}, today=today)
    w.dispose()
    for size, hint in (((80, 24), True), ((100, 40), False)):
        app = make_app(w.path, lang="zh_CN", today=today)
        async with app.run_test(size=size) as pilot:
            await on_screen(pilot, "HomeScreen")
            await settle(pilot)
            shown = "\n".join(drawn_lines(app))
            assert "3条紧急情况乡镇尚未确认收到" in shown
            assert ("下面还有 1 条：按 e，再按 ↓" in shown) is hint, shown
            assert sum(name in shown for name in ("张小明", "李秀英", "王建国")) == (2 if hint else 3), shown
            if hint:
                await pilot.press("e", "down", "down")
                await settle(pilot)
                assert sum(name in "\n".join(drawn_lines(app)) for name in ("张小明", "李秀英", "王建国")) >= 2
                assert app.screen.query_one("#t-emergencies").cursor_row == 2


@run_async
async def test_the_export_result_keeps_the_bundle_number_with_its_words_at_80x24(tmp_path):
    """Seen in tmux: the result read "第 2" on a line of its own, then "个数据包已写入：gridcare-…gcb（2 项修改）。…":
    the file's long name did not fit after the words, and the line broke at the space after the number. The
    file goes on a line of its own, as on the Sync screen."""
    from textual.widgets import Input, TextArea

    from tests.test_drop_down_drawn import drawn_lines

    _t, w, r = _worker_with_an_elder(tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    app = make_app(w.path, lang="zh_CN", today=china_today())
    async with app.run_test(size=(80, 24)) as pilot:
        await _emergency_visit_saved(pilot, r.id)
        dialog = app.screen
        dialog.query_one("#folder", Input).value = str(usb)
        dialog.query_one("#report", TextArea).focus()
        await pilot.press("x")
        await settle(pilot, lambda: "gcb" in str(dialog.query_one("#result").render()))
        await settle(pilot)
        lines = [line.strip("█ ▇▁▌") for line in drawn_lines(app)]
        assert any(line.startswith("第 1 个数据包已写入") for line in lines), lines
        assert any(line.startswith("请立即发送给乡镇。") for line in lines), lines

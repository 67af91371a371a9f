"""The app on a county database: a county Home (townships, last bundles, emergencies, the month's rate)."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Static

from storage.sync.merge import merge_paths
from tests.county_helpers import busy_township, make_county
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app


def _lines(widget: Static) -> list[str]:
    """The lines a widget shows, as drawn."""
    return [widget.render_line(y).text.strip() for y in range(widget.region.height)]


def _county_with_a_township(tmp_path, target):
    county = make_county(target, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=3, county=county)
    assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
    county.dispose()
    t.close()


@run_async
async def test_a_county_database_opens_on_the_county_home(tmp_path, db_target):
    from screens.county_home import CountyHomeScreen
    from storage.core.db import open_database
    from storage.reports.monthly import monthly_report

    _county_with_a_township(tmp_path, db_target)
    db = open_database(db_target)
    rate = f"{monthly_report(db, 2026, 11, today=dt.date(2026, 11, 24)).totals.visit_rate:.1%}"  # as the report: 16.0%
    db.dispose()
    app = make_app(db_target, lang="en", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(120, 30)) as pilot:
        await on_screen(pilot, CountyHomeScreen)
        assert isinstance(app.screen, CountyHomeScreen)
        summary = " ".join(_lines(app.screen.query_one("#progress", Static)))
        assert "德清县" in summary and "Nov 2026" in summary and "key persons 6," in summary  # figure after its word
        table = app.screen.query_one("#t-townships", DataTable)
        assert table.row_count == 1
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[0] == "镇101" and cells[1] == "6" and cells[-2] not in ("", "never") and cells[-1] == ""
        assert cells[3] == rate and f"({rate})" in summary, (cells, summary)
        # the screen's title says County: the subtitle names the county, not "county" again
        assert app.screen.title == "County" and app.sub_title.split(" · ")[:2] == ["德清县", app.db.label]
        await pilot.press("2")
        assert app.screen.query_one("#lists").active == "emergencies"


@run_async
async def test_a_township_gives_its_county_key_and_code_on_the_sync_screen_and_sends_its_bundle(tmp_path):
    from textual.widgets import Button, Input

    from screens.sync import SyncScreen
    from storage.sync.county_trust import enroll_township
    from tests.register_helpers import HarnessApp

    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", None)  # no county key yet
    code = enroll_township(county, "330521101")[0]
    up = tmp_path / "up"
    up.mkdir()
    app = HarnessApp(t.db, SyncScreen)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        status = screen.query_one("#county-status", Static)
        assert "No county key yet" in str(status.content)
        screen.query_one("#county-key", Input).value = str(tmp_path / "nowhere.pub")
        screen.query_one("#set-county-key", Button).press()
        await settle(pilot)
        assert "nowhere.pub" in str(screen.query_one("#result", Static).content)  # a one-line reason, nothing set
        screen.query_one("#county-key", Input).value = str(tmp_path / "county.pub")
        screen.query_one("#county-code", Input).value = code.lower()
        screen.query_one("#set-county-key", Button).press()
        await settle(pilot)
        shown = str(status.content)
        assert "德清县 (330521)" in shown and "Enrolled with the county's code" in shown, shown
        screen.query_one("#folder", Input).value = str(up)
        screen.query_one("#export-county", Button).press()
        await settle(pilot)
        assert "Bundle 1 written" in str(screen.query_one("#result", Static).content)
        assert "Last bundle to the county: number 1" in str(status.content)
    report = merge_paths(county, [up])
    assert [b.status for b in report.bundles] == ["new"] and report.refused == []
    county.dispose()
    t.close()


@run_async
async def test_a_county_merges_on_the_sync_screen_and_shows_its_key(tmp_path):
    from textual.widgets import Input

    from screens.sync import SyncScreen
    from storage.core.keys import fingerprint, read_county_key_file
    from tests.register_helpers import HarnessApp

    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    t.to_county(tmp_path / "up")
    t.close()
    app = HarnessApp(county, SyncScreen)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        status = str(screen.query_one("#county-status", Static).content)
        assert fingerprint(read_county_key_file(tmp_path / "county.pub").sign_public) in status
        # where a township is enrolled: the screen first, the command in brackets (walk G, 9)
        assert "on the Townships' keys screen (n, or gridcare enroll" in " ".join(status.split())
        assert not screen.query("#grid") and not screen.query("#county-key")
        screen.query_one("#folder", Input).value = str(tmp_path / "up")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "new " in str(screen.query_one("#result", Static).content)
    county.dispose()


@run_async
async def test_the_countys_sync_screen_lists_each_bundle_by_its_township_not_a_grid(tmp_path):
    """A township's bundle names no grid: the county's Sync screen said "None" in a Grid column (seen in tmux)."""
    from screens.sync import SyncScreen

    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=3, county=county)
    t.to_county(tmp_path / "up")  # waiting in the folder, not merged
    t.close()
    county.dispose()
    app = make_app(tmp_path / "county.db", lang="zh_CN", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.push_screen(SyncScreen())
        await on_screen(pilot, SyncScreen)
        app.screen.query_one("#folder").value = str(tmp_path / "up")
        await pilot.press("enter")
        table = app.screen.query_one("#bundles", DataTable)
        await settle(pilot, lambda: table.row_count == 1)
        titles = [str(c.label) for c in table.columns.values()]
        assert titles[1:3] == ["报送人", "乡镇"]
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[2] == "镇101" and "None" not in cells


@run_async
async def test_the_county_title_names_its_administrator_when_set_up_gave_one(tmp_path):
    from storage.core.db import open_database
    from storage.core.identity import init_county
    from tests.county_helpers import COUNTY

    db = open_database(tmp_path / "county.db")
    init_county(db, *COUNTY, tmp_path / "county.pub", admin_name="县民政")
    db.dispose()
    app = make_app(tmp_path / "county.db", lang="zh_CN", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "CountyHomeScreen")
        assert app.screen.title == "县级" and app.sub_title.startswith("德清县 · 县民政 · ")


@run_async
async def test_a_residents_page_at_the_county_names_the_township_before_the_grid(tmp_path):
    """Grid names repeat across townships (each has its 一网格): the county's page says whose it is."""
    import os

    from rich.console import Console
    from sqlmodel import select

    from screens.resident import ResidentScreen
    from storage.core.db import open_database
    from storage.core.models import Resident

    target = tmp_path / "county.db"
    _county_with_a_township(tmp_path, target)
    with open_database(target).session() as s:
        rid = s.exec(select(Resident.id).order_by(Resident.name)).first()
    app = make_app(target, lang="zh_CN", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "CountyHomeScreen")
        app.push_screen(ResidentScreen(rid))
        await on_screen(pilot, ResidentScreen)
        console = Console(width=200, record=True, file=open(os.devnull, "w", encoding="utf-8"))
        console.print(app.screen.query_one("#profile", Static).content)
        line = next(line for line in console.export_text().splitlines() if line.startswith("网格："))
        assert line.startswith("网格：镇101 · ")


@run_async
async def test_enter_on_a_townships_figure_lists_the_people_behind_it(tmp_path, db_target):
    """As on the Reports screen: the county's first view answers "who?" for each township's figure."""
    from storage.core.db import open_database
    from storage.reports.monthly import monthly_report

    _county_with_a_township(tmp_path, db_target)
    today = dt.date(2026, 11, 24)
    county = open_database(db_target)
    expected = sorted(p.name for p in monthly_report(county, 2026, 11, today=today).behind(
        "township", "330521101", "key_persons"))
    county.dispose()
    assert expected
    app = make_app(db_target, lang="zh_CN", today=today)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "CountyHomeScreen")
        await pilot.press("right", "enter")  # the key persons
        await on_screen(pilot, "ReportListScreen")
        table = app.screen.query_one("#list", DataTable)
        assert sorted(str(table.get_row_at(i)[0]) for i in range(table.row_count)) == expected
        assert "重点对象 — 乡镇：镇101" in str(app.screen.query_one("#list-heading", Static).render())


@run_async
async def test_the_list_read_from_the_county_home_leaves_no_reading_message_behind_it(tmp_path):
    """Seen in tmux: "正在读取新市镇本月的数据…" stayed its five seconds over the list once it was shown, and on Home after
    Esc. The line above the figures says it instead, until the list is up."""
    _county_with_a_township(tmp_path, tmp_path / "county.db")
    app = make_app(tmp_path / "county.db", lang="zh_CN", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await on_screen(pilot, "CountyHomeScreen")
        home = app.screen
        line = home.query_one("#progress", Static)
        summary = "".join(_lines(line))
        await pilot.press("right", "enter")
        await on_screen(pilot, "ReportListScreen")
        await settle(pilot, lambda: "".join(_lines(line)) == summary)
        await pilot.pause(0.3)
        assert not [t for t in app.screen.query("Toast") if "读取" in str(t.render())]
        await pilot.press("escape")
        await on_screen(pilot, "CountyHomeScreen")
        assert "".join(_lines(line)) == summary and "读取" not in summary and "2026年11月" in summary
        assert not app.screen.query("Toast")


@run_async
async def test_the_county_reports_list_of_a_township_is_read_for_it_alone_while_the_county_is_read(tmp_path, db_target):
    """On the county's Reports screen, Enter on a township's figure whose people the county's report is still
    reading (every key person of a county: 6–15 s) lists that township's at once, the same people; and so for a
    grid's row (of one township)."""
    import threading

    from storage.core.db import open_database
    from storage.reports.monthly import monthly_report

    _county_with_a_township(tmp_path, db_target)
    today = dt.date(2026, 11, 24)
    county = open_database(db_target)
    report = monthly_report(county, 2026, 11, today=today)
    expected = [p.name for p in report.behind("township", "330521101", "key_persons")]
    first_grid = report.rows["grid"][0].key
    in_grid = [p.name for p in report.behind("grid", first_grid, "key_persons")]
    county.dispose()
    assert expected and in_grid and len(in_grid) < len(expected)
    app = make_app(db_target, lang="zh_CN", today=today)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await on_screen(pilot, "CountyHomeScreen")
        await pilot.press("m")
        await on_screen(pilot, "ReportsScreen")
        screen = app.screen
        await settle(pilot, lambda: screen.report is not None and screen.report.trend is not None)
        assert not screen.report.is_read("key_persons")  # a county's are read when asked, not beforehand
        never = threading.Event()

        def still_reading() -> list:
            never.wait(timeout=30)
            return []

        screen.report._everyone = None  # as if the county's were still being read, and slowly
        screen.report.read_everyone = still_reading
        table = screen.query_one("#summary", DataTable)
        table.focus()
        table.move_cursor(row=0, column=1)  # the first township's key persons
        await pilot.press("enter")
        await on_screen(pilot, "ReportListScreen")
        listing = app.screen.query_one("#list", DataTable)
        assert [str(listing.get_row_at(i)[0]) for i in range(listing.row_count)] == expected
        await pilot.pause(0.3)
        assert not app.screen.query("Toast")  # no "正在读取名单…" left over the list
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("g", "g")  # village, then grid
        await settle(pilot, lambda: screen.grouping == "grid")
        table.move_cursor(row=0, column=1)  # the first grid's key persons
        await pilot.press("enter")
        await on_screen(pilot, "ReportListScreen")
        never.set()
        listing = app.screen.query_one("#list", DataTable)
        assert [str(listing.get_row_at(i)[0]) for i in range(listing.row_count)] == in_grid


@run_async
async def test_the_countys_sync_screen_leaves_the_workers_bundles_on_the_townships_stick(tmp_path):
    """The township's stick carries its workers' bundles too: the county's list said 拒收 for each, and its merge
    refused them (audited, exit 1 at the command line). Now listed as 不在此合并 with why, and left."""
    from textual.geometry import Region
    from textual.widgets import Input

    from screens.sync import SyncScreen
    from storage.sync.export import export_bundle

    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=3, county=county)
    stick = tmp_path / "stick"
    t.to_county(stick)
    export_bundle(t.workers["G01"], stick, full=True)
    t.close()
    county.dispose()
    app = make_app(tmp_path / "county.db", lang="zh_CN", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(SyncScreen())
        await on_screen(pilot, SyncScreen)
        screen = app.screen
        screen.query_one("#folder", Input).value = str(stick)
        await pilot.press("enter")
        table = screen.query_one("#bundles", DataTable)
        await settle(pilot, lambda: table.row_count == 2)
        rows = [table.row_text(i) for i in range(2)]
        assert sum(row.startswith("不在此合并") for row in rows) == 1 and "拒收" not in " ".join(rows)
        assert "网格员交给乡镇的数据包" in "".join(" ".join(rows).split())
        listed = str(screen.query_one("#result", Static).content)
        assert "1 个新数据包待合并" in listed and "拒收" not in listed, listed
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "已合并" in str(screen.query_one("#result", Static).content))
        shown = screen.query_one("#result", Static)
        result = "".join(str(shown.content).split())
        assert "已跳过文件夹中1个不是乡镇报送县级的数据包" in result and "拒收" not in result, result
        # set as Chinese is: the line full before it breaks, not "已跳过文件夹中 1" alone on a line and the rest below
        lines = [strip.text.strip() for strip in shown.render_lines(Region(0, 0, shown.size.width, shown.size.height))]
        assert lines[0].startswith("已跳过文件夹中 1 个不是乡镇报送县级的数据包"), lines


@run_async
async def test_the_county_summary_keeps_each_figure_with_its_words_at_80_columns(tmp_path):
    """At 80×24 in Chinese the summary broke at the space before the last figure: "紧急情况" ended the first
    line and "0 人" stood alone below (tui/line_breaks.py: a label goes down with its figure)."""
    from screens.county_home import CountyHomeScreen

    _county_with_a_township(tmp_path, tmp_path / "county.db")
    app = make_app(tmp_path / "county.db", lang="zh_CN", today=dt.date(2026, 11, 24))
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, CountyHomeScreen)
        summary = app.screen.query_one("#progress", Static)
        await settle(pilot, lambda: "紧急情况" in "".join(_lines(summary)))
        lines = _lines(summary)
        assert lines[-1].startswith("紧急情况 ") and lines[-1].endswith(" 人"), lines
        assert all(line and line[0] not in "，。）" for line in lines), lines


@run_async
async def test_another_county_key_on_the_sync_screen_is_asked_about_with_both_fingerprints(tmp_path):
    from textual.widgets import Button, Input

    from screens.dialogs import ConfirmScreen
    from screens.sync import SyncScreen
    from storage.core.keys import fingerprint, read_county_key_file
    from tests.register_helpers import HarnessApp

    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    other = make_county(tmp_path / "other.db", tmp_path / "forged.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub")
    forged = read_county_key_file(tmp_path / "forged.pub")
    app = HarnessApp(t.db, SyncScreen)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        sync = app.screen
        for answer in ("n", "y"):
            sync.query_one("#county-key", Input).value = str(tmp_path / "forged.pub")
            sync.query_one("#set-county-key", Button).press()
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert fingerprint(forged.sign_public) in str(app.screen.query_one("#dialog-message", Static).content)
            await pilot.press(answer)
            await settle(pilot, lambda: app.screen is sync)
            await settle(pilot)
            with t.db.session() as s:
                from storage.core.models import Identity

                kept = s.get(Identity, 1).county_sign_public
            assert (kept == forged.sign_public) is (answer == "y")
        assert "德清县 (330521)" in str(sync.query_one("#result", Static).content)
    county.dispose()
    other.dispose()
    t.close()

"""The Reports screen on the hand-built township: same figures as monthly_report, drill-down, XLSX."""

from __future__ import annotations

import contextlib

import pytest
from textual.widgets import DataTable, Input, Static

from storage.core.i18n import set_language
from storage.reports.monthly import monthly_report
from tests.pilot_helpers import on_screen, run_async, settle
from tests.register_helpers import HarnessApp
from tests.report_helpers import TODAY, build_township


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    return build_township(tmp_path_factory.mktemp("town") / "t.db")


def _month(pilot, year: int, month: int):
    """A condition for settle(): the report of that month is the one shown."""

    def shown() -> bool:
        report = getattr(pilot.app.screen, "report", None)
        return report is not None and (report.year, report.month) == (year, month)

    return shown


def _row(table: DataTable, i: int) -> list[str]:
    return [str(c).strip() for c in table.get_row_at(i)]


@contextlib.asynccontextmanager
async def _october(town):
    """The Reports screen on the hand-built township, in English, once October's report shows."""
    from screens.reports import ReportsScreen

    set_language("en")
    app = HarnessApp(town[0], ReportsScreen, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, _month(pilot, 2026, 10))
        yield app, pilot


@run_async
async def test_month_grouping_drill_down_and_xlsx(town, tmp_path):
    from screens.reports import ReportsScreen

    db, ids = town
    set_language("en")
    app = HarnessApp(db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, _month(pilot, 2026, 10))
        screen = app.screen
        table = screen.query_one("#summary", DataTable)
        await pilot.press("left_square_bracket")  # September
        await settle(pilot, _month(pilot, 2026, 9))
        expected = monthly_report(db, 2026, 9, today=TODAY)
        assert _row(table, table.row_count - 1) == ["Total", "10", "7", "70.0%", "1", "2", "2", "1"]
        assert _row(table, 0)[:3] == ["柳溪村", "6", "4"]
        assert table.row_count == len(expected.rows["village"]) + 1
        await pilot.press("g")  # grid
        await settle(pilot)
        assert [_row(table, i)[0] for i in range(table.row_count)] == ["柳溪一网格", "桃源一网格", "Total"]
        await pilot.press("right_square_bracket", "right_square_bracket")  # October, then refused: November
        await settle(pilot, _month(pilot, 2026, 10))
        assert "not begun" in str(screen.query_one("#status", Static).content)
        await pilot.press("left_square_bracket")
        await settle(pilot, _month(pilot, 2026, 9))
        # the visit rate of grid G01 (column 3) drills down to those not visited: C and E
        table.focus()
        table.move_cursor(row=0, column=3)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is not screen)
        listing = app.screen.query_one("#list", DataTable)
        assert sorted(_row(listing, i)[0] for i in range(listing.row_count)) == ["刘五", "王三"]
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("v")  # the chart instead of the table
        assert "70.0%" in str(screen.query_one("#chart", Static).content)
        await pilot.press("t")  # the 12-month trend instead of the chart
        assert screen.query_one("#trend-box").display and not screen.query_one("#chart-box").display
        trend = str(screen.query_one("#trend", Static).content)
        assert "Oct 2025" in trend and "Sep 2026" in trend and "柳溪一网格" in trend and "70.0%" in trend
        await pilot.press("t")  # again: back to the table
        assert table.display and not screen.query_one("#trend-box").display
        await pilot.press("x")
        out = screen.query_one("#out", Input)
        assert out.has_focus
        assert "Enter writes it to this file, Esc cancels" in str(screen.query_one("#status", Static).content)
        out.value = str(tmp_path / "screen-report")
        await pilot.press("enter")
        await settle(pilot, lambda: "Report written" in str(screen.query_one("#status", Static).content))
        assert (tmp_path / "screen-report.xlsx").exists()
        assert "Report written" in str(screen.query_one("#status", Static).content)
        # the same name again: asked before the file there is replaced (walk G, 11), and kept on No
        (tmp_path / "screen-report.xlsx").write_bytes(b"last month's, signed")
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")
        await on_screen(pilot, "ConfirmScreen")
        assert "already exists" in str(app.screen.message)
        await pilot.press("n")
        await settle(pilot)
        assert (tmp_path / "screen-report.xlsx").read_bytes() == b"last month's, signed"
        assert app.focused is screen.query_one("#out", Input)  # back in the box: another name, or Enter again
        await pilot.press("enter")
        await on_screen(pilot, "ConfirmScreen")
        await pilot.press("y")
        await settle(pilot, lambda: (tmp_path / "screen-report.xlsx").read_bytes()[:2] == b"PK")


@pytest.fixture
def zh():
    set_language("zh_CN")
    yield
    set_language("en")


def test_snapshot_zh_80x24(snap_compare, town, zh):
    from screens.reports import ReportsScreen

    db, ids = town

    async def before(pilot):
        # "no worker running" is also true before the report's worker starts: wait for the report itself
        await settle(pilot, _month(pilot, TODAY.year, TODAY.month))
        await pilot.press("left_square_bracket")
        await settle(pilot, _month(pilot, *((TODAY.year, TODAY.month - 1) if TODAY.month > 1 else (TODAY.year - 1, 12))))
        pilot.app.screen.set_focus(None)
        await pilot.pause()

    assert snap_compare(HarnessApp(db, ReportsScreen, today=TODAY), terminal_size=(80, 24), run_before=before)


@run_async
async def test_residents_with_no_village_have_their_own_row_beside_the_totals(tmp_path):
    """A grid not yet given a village: its row's key is "" and the totals' must differ (they were both ""),
    and its figures drill down to its own residents, not to the township's."""
    from screens.reports import ReportsScreen
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.sync_helpers import elder, make_township

    set_language("en")
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    merge_paths(t.db, [export_bundle(a, tmp_path / "1.gcb").path])
    app = HarnessApp(t.db, ReportsScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
        screen = app.screen
        assert screen.grouping == "village"
        table = screen.query_one("#summary", DataTable)
        labels = [_row(table, i)[0] for i in range(table.row_count)]
        assert len(labels) == 2 and labels[-1] == "Total", labels
        table.focus()
        table.move_cursor(row=0, column=1)  # the no-village row's key persons
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is not screen)
        listing = app.screen.query_one("#list", DataTable)
        assert [_row(listing, i)[0] for i in range(listing.row_count)] == ["张三"]


@run_async
async def test_a_name_typed_csv_is_written_as_csv_and_a_failed_write_does_not_say_writing_for_ever(town, tmp_path,
                                                                                                  monkeypatch):
    """walk-E: a name typed …csv was written as …xlsx; an unexpected error left "Writing …" on screen for good."""
    import screens.reports
    from screens.reports import ReportsScreen

    db, ids = town
    app = HarnessApp(db, ReportsScreen, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, _month(pilot, 2026, 10))
        screen = app.screen
        status = screen.query_one("#status", Static)
        await pilot.press("x")
        screen.query_one("#out", Input).value = str(tmp_path / "十月.csv")
        await pilot.press("enter")
        await settle(pilot, lambda: "Report written" in str(status.content))
        written = sorted(p.name for p in tmp_path.glob("十月*.csv"))
        assert "十月.csv" in written and len(written) > 1 and not list(tmp_path.glob("*.xlsx"))
        assert f"and {len(written) - 1} more files" in str(status.content)

        def broken(*args, **kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(screens.reports, "save_report", broken)
        await pilot.press("x")
        screen.query_one("#out", Input).value = str(tmp_path / "again.xlsx")
        await pilot.press("enter")
        await settle(pilot, lambda: "could not be made" in str(status.content))
        assert "Writing" not in str(status.content) and not (tmp_path / "again.xlsx").exists()


@run_async
async def test_a_drill_into_a_list_still_being_read_waits_off_the_screen(town):
    """Early in a month the not visited are read after the figures show (a county's: seconds); Enter on the visit
    rate meanwhile shows it is reading and leaves the screen working, then opens the list when it is read."""
    import threading

    async with _october(town) as (app, pilot):
        screen = app.screen
        report = screen.report
        assert report.is_read("visit_rate") and report.is_read("key_persons")  # read after the figures showed
        want = [p.name for p in report.not_visited]
        assert want
        release = threading.Event()
        quiet = report.read_quiet

        def slow_read():
            release.wait(timeout=30)
            return quiet()

        report._not_visited, report.read_quiet = None, slow_read  # as if _compute had not read them yet
        assert not report.is_read("visit_rate") and report.is_read("overdue")
        table = screen.query_one("#summary", DataTable)
        table.focus()
        table.move_cursor(row=table.row_count - 1, column=3)  # the totals' visit rate
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen is screen
        assert "Reading the list…" in str(screen.query_one("#status", Static).content)  # (a toast stayed over the list)
        await pilot.press("v")  # the screen still answers keys meanwhile
        assert screen.query_one("#chart-box").display
        release.set()
        await settle(pilot, lambda: app.screen is not screen)
        listing = app.screen.query_one("#list", DataTable)
        assert [_row(listing, i)[0] for i in range(listing.row_count)] == want
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        assert str(screen.query_one("#status", Static).content) == ""


@run_async
async def test_the_figures_have_the_keys_from_the_start_and_after_the_chart_and_the_trend(town):
    """Enter lists the people behind the highlighted figure as soon as the report shows, and again after v and t
    shown and hidden (the table, hidden, had given the focus to the grouping's choice, where Enter opened it)."""
    async with _october(town) as (app, pilot):
        screen = app.screen
        for keys in ([], ["v", "v"], ["t", "t"], ["v", "t", "t"]):
            await pilot.press(*keys, "right", "enter")  # the first row's key persons
            await on_screen(pilot, "ReportListScreen")
            assert app.screen.query_one("#list", DataTable).row_count == screen.report.rows["village"][0].key_persons
            await pilot.press("escape")
            await settle(pilot, lambda: app.screen is screen)
            assert screen.query_one("#summary", DataTable).has_focus, keys
            screen.query_one("#summary", DataTable).move_cursor(row=0, column=0)


@run_async
async def test_every_column_fits_80_columns_in_english_by_grid(tmp_path):
    """Walked in English at 80×24 on the township demo, by grid: with a grid named as the demo's (茅山村第一网格, 14
    cells) the last column, "Aged out", was past the 80th: its header cut to "Ag", its figures not shown."""
    from screens.reports import ReportsScreen
    from storage.core.db import open_database
    from storage.core.identity import init_worker
    from storage.sync.devices import enroll
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    worker = open_database(tmp_path / "g01.db")
    init_worker(worker, "330521101", "新市镇", "G01", "茅山村第一网格", "吴艳", t.key,
                enroll_code=enroll(t.db, "G01", "吴艳")[0])
    elder(worker, "王水根")
    assert merge_paths(t.db, [export_bundle(worker, tmp_path / "usb").path]).refused == []
    import datetime as dt

    set_language("en")
    app = HarnessApp(t.db, ReportsScreen, today=dt.date(2026, 12, 5))  # (registered on Nov 24)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: getattr(app.screen, "report", None) is not None)
        await pilot.press("g")
        await settle(pilot, lambda: app.screen.grouping == "grid")
        table = app.screen.query_one("#summary", DataTable)
        assert str(table.get_row_at(0)[0]).strip() == "茅山村第一网格"
        # two cells to spare: the scrollbar a township's forty grids bring
        assert table.virtual_size.width <= table.scrollable_content_region.width - 2, table.virtual_size

"""The report's lists as a township clerk opens them from Reports at 80×24: the open referrals showed name, ID
number, village, grid and agency, and their status and days open only when the list was scrolled sideways; the
not-visited list its categories and sex before the last visit. What a list is for now comes first, the rest is on
the line under the list for the highlighted row, and a wide screen keeps the export's order."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from textual.widgets import DataTable, Static

from storage.core.i18n import _, set_language
from storage.demo.build import generate
from storage.reports.files import LIST_COLUMNS, cell_value
from storage.reports.monthly import MEASURES
from tests.pilot_helpers import on_screen, run_async, settle
from tests.sync_helpers import make_township
from tui.app import make_app
from tui.formatting import cell_text

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def township_demo(tmp_path_factory):
    """The township demo (6,000 people in ten villages): its lists name the village and the grid in columns."""
    db = make_township(tmp_path_factory.mktemp("town")).db
    generate(db, seed=1, scale="township", today=TODAY)
    path = db.path
    db.dispose()
    return path


@pytest.fixture
def town(township_demo, tmp_path):
    path = tmp_path / "township.db"
    shutil.copy(township_demo, path)
    yield path
    set_language("en")


async def _open_list(pilot, measure: str) -> DataTable:
    """Home's m, then Enter on the totals' `measure` (the summary's column of it)."""
    app = pilot.app
    await on_screen(pilot, "HomeScreen")
    await pilot.press("m")
    await on_screen(pilot, "ReportsScreen")
    summary = app.screen.query_one("#summary", DataTable)
    await settle(pilot, lambda: summary.row_count > 1)
    summary.move_cursor(row=summary.row_count - 1, column=list(MEASURES).index(measure) + 1)
    await pilot.press("enter")
    await on_screen(pilot, "ReportListScreen")
    listing = app.screen.query_one("#list", DataTable)
    await settle(pilot, lambda: listing.row_count > 3)
    await pilot.pause(0.2)
    return listing


def _shown(listing: DataTable, header: str) -> list[tuple[str, str]]:
    """(the cell, what the screen shows where it is) for the column titled `header` (msgid), on the rows in view;
    nothing when the column is not wholly inside the table's width."""
    titles = [str(c.label) for c in listing.ordered_columns]
    assert _(header) in titles, titles
    k = titles.index(_(header))
    x = sum(c.get_render_width(listing) for c in listing.ordered_columns[:k]) - int(listing.scroll_x)
    width = listing.ordered_columns[k].get_render_width(listing)
    if x < 0 or x + width - 1 > listing.scrollable_content_region.width:
        return []
    rows = range(min(listing.row_count, listing.scrollable_content_region.height - 1))
    return [(str(listing.get_row_at(i)[k]), listing.render_line(1 + i).crop(x, x + width).text.strip()) for i in rows]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_open_referrals_show_their_status_days_and_reason_at_80_columns(town, lang):
    set_language(lang)
    app = make_app(str(town), lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await _open_list(pilot, "open_referrals")
        screen = app.screen
        for header in ("Name", "Village", "Status", "Days open"):
            cells = _shown(listing, header)
            assert cells and all(cell == seen for cell, seen in cells), (header, cells)
        reason = _shown(listing, "Reason")  # at least its start
        assert reason and all(seen and cell.startswith(seen.rstrip("…")) for cell, seen in reason), reason
        assert not _shown(listing, "ID number")  # masked, and last: beyond the edge
        # the highlighted row's columns out of view, whole, on the line under the list
        await pilot.press("down")
        await pilot.pause(0.2)
        item = screen.rows[listing.cursor_row]
        line = screen.query_one("#list-detail", Static)
        detail = "".join("".join(line.render_line(y).text.split()) for y in range(line.size.height))
        for header in ("ID number", "Opened on", "Referred to"):
            column = next(c for c in LIST_COLUMNS["open_referrals"] if c.header == header)
            value = cell_text(cell_value(column, item, False), column.kind)
            assert "".join(_("{field}: {value}").format(field=_(header), value=value).split()) in detail, detail
        # (in view: not said twice)
        assert "".join(_("{field}: {value}").format(field=_("Status"), value="").split()) not in detail, detail


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_the_not_visited_show_where_they_are_and_their_last_visit_at_80_columns(town, lang):
    set_language(lang)
    app = make_app(str(town), lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await _open_list(pilot, "visit_rate")
        titles = [str(c.label) for c in listing.ordered_columns]
        assert titles[0] == _("Name") and titles[-1] == _("ID number"), titles
        for header in ("Name", "Grid", "Last seen", "Risk"):
            cells = _shown(listing, header)
            assert cells and all(cell == seen for cell, seen in cells), (header, cells)


@run_async
async def test_a_wide_screen_keeps_the_exports_order_and_a_resize_lays_the_list_out_again(town):
    set_language("en")
    app = make_app(str(town), lang="en", today=TODAY)
    async with app.run_test(size=(160, 30)) as pilot:
        listing = await _open_list(pilot, "open_referrals")
        screen = app.screen
        export = [_(c.header) for c in LIST_COLUMNS["open_referrals"]]
        assert [str(c.label) for c in listing.ordered_columns] == export
        assert all(_shown(listing, c.header) for c in LIST_COLUMNS["open_referrals"])
        assert not screen.query_one("#list-detail").display  # every column in view: no line for them
        listing.move_cursor(row=2)
        await pilot.resize_terminal(80, 24)
        await settle(pilot, lambda: str(listing.ordered_columns[1].label) != export[1])
        await pilot.pause(0.2)
        titles = [str(c.label) for c in listing.ordered_columns]
        assert titles[:5] == [_(h) for h in ("Name", "Village", "Status", "Days open", "Reason")], titles
        assert sorted(titles) == sorted(export) and listing.cursor_row == 2
        assert screen.query_one("#list-detail").display
        await pilot.resize_terminal(160, 30)
        await settle(pilot, lambda: [str(c.label) for c in listing.ordered_columns] == export)

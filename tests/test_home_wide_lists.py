"""Home's referral and benefit lists at 80×24, in both languages: every column on the screen, the agency's and the
benefit's words whole, the free-text last column wrapped (it ran off the right edge: "Basic living allowance f",
"Rea", "低保家庭中的儿")."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable

from storage.core.db import open_database
from storage.core.i18n import set_language
from storage.demo.build import generate
from tests.pilot_helpers import on_screen, run_async, settle
from tui.app import make_app

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def grid_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("wide") / "w.db"
    db = open_database(path)
    generate(db, seed=1, scale="grid", today=TODAY)
    db.dispose()
    yield path
    set_language("en")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_referrals_and_benefits_fit_80_columns_with_their_words_whole(grid_db, lang):
    set_language(lang)
    app = make_app(str(grid_db), lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: app.screen.data is not None)
        for key, pane, word_column in (("4", "referrals", 1), ("7", "benefits", 3)):
            await pilot.press(key)
            await settle(pilot)
            table = app.screen.query_one(f"#t-{pane}", DataTable)
            await pilot.pause(0.2)
            assert table.row_count > 0, pane
            assert table.virtual_size.width <= table.scrollable_content_region.width, (pane, table.virtual_size)
            assert table.region.right <= 80
            shown = [table.render_line(y).text for y in range(table.size.height)]
            assert all(cell_len(line.rstrip()) <= table.size.width for line in shown)
            for row in range(min(table.row_count, 3)):
                cells = table.get_row_at(row)
                word, free = str(cells[word_column]), str(cells[-1])
                assert any(word in line for line in shown), (pane, word, shown)
                # the free text's first line whole on screen, and nothing of it lost but behind a "…"
                first = free.splitlines()[0]
                assert any(first in line for line in shown), (pane, first, shown)


def test_a_long_free_text_is_wrapped_to_three_lines_ending_in_an_ellipsis():
    from screens.home_lists import wrapped

    lines = wrapped("a long reason that goes on and on and on for many words in a row here", 12).plain.splitlines()
    assert len(lines) == 3 and lines[0].rstrip() == "a long" and lines[-1].endswith("…")
    assert all(cell_len(line.rstrip()) <= 12 for line in lines)


@run_async
async def test_the_lists_fitted_at_120_columns_fit_again_when_the_terminal_narrows_to_80(grid_db):
    set_language("en")
    app = make_app(str(grid_db), lang="en", today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: app.screen.data is not None)
        for key, pane in (("4", "referrals"), ("7", "benefits")):
            await pilot.press(key)
            await settle(pilot)
            await pilot.resize_terminal(80, 24)
            await settle(pilot)
            await pilot.pause(0.2)
            table = app.screen.query_one(f"#t-{pane}", DataTable)
            assert table.virtual_size.width <= table.scrollable_content_region.width, (pane, table.virtual_size)
            await pilot.resize_terminal(120, 40)
            await settle(pilot)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@run_async
async def test_a_benefit_with_one_reason_takes_one_line_at_80_columns(grid_db, lang):
    """In English a benefit's row took two or three lines at 80 columns ("a child in a / family on the / minimum
    living…"): the reason is said in the words the row has room for, the benefit's name beside it saying the rest."""
    set_language(lang)
    app = make_app(str(grid_db), lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: app.screen.data is not None)
        await pilot.press("7")
        await settle(pilot)
        table = app.screen.query_one("#t-benefits", DataTable)
        await settle(pilot, lambda: table.row_count == len(app.screen.data.benefits))
        single = [i for i, w in enumerate(app.screen.data.benefits) if len(w.why) <= 1]
        assert single and {len(app.screen.data.benefits[i].why) for i in single} == {0, 1}  # ending, and unclaimed
        tall = [(i, str(table.get_row_at(i)[-1])) for i in single if table.rows[table.coordinate_to_cell_key(
            (i, 0)).row_key].height > 1]
        assert not tall, tall[:5]

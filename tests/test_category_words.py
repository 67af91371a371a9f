"""A resident's categories where the room is short, in both languages: whole, or shorter plain words, never a word
cut ("Elder livin…+1", "Child in…") nor an initialism ("LB child") in the register's column at 80×24 or on Home."""

from __future__ import annotations

import datetime as dt
import random
import re
from types import SimpleNamespace

import pytest
from rich.console import Console
from textual.widgets import DataTable

from screens.home_progress import progress_renderable
from screens.residents import ResidentsScreen
from storage.core.i18n import set_language
from storage.register.categories import SHORT_CATEGORIES, SHOWN_CATEGORIES, label
from storage.register.idnumbers import fake_id_number
from storage.register.policy import DEFAULT_POLICY
from storage.register.residents import register_resident
from storage.register.risk import change_risk
from tests.foundation_helpers import make_db
from tests.pilot_helpers import on_screen, run_async, settle, started
from tests.register_helpers import TODAY
from tui.app import make_app
from tui.category_words import categories_cell

# every category alone, and each beside another (the "+1" takes two of the column's cells)
ALONE = [[code] for code in SHOWN_CATEGORIES if code != "advanced_age"]
PAIRS = [["solitary_elder", "severely_disabled"], ["left_behind_child", "child_in_difficulty"],
         ["widowed_childless_elder", "seriously_ill"], ["empty_nest_elder", "seriously_ill"],
         ["left_behind_elder", "severely_disabled"], ["disabled_3_4_intellectual_mental", "seriously_ill"],
         ["child_in_difficulty", "severely_disabled"], ["left_behind_woman", "seriously_ill"]]


@pytest.fixture(autouse=True)
def english_after():
    yield
    set_language("en")


def _words() -> set[str]:
    """Every word a category cell may hold in the language of the moment: a label whole, or its shorter words."""
    return {label(SHOWN_CATEGORIES, c) for c in SHOWN_CATEGORIES} | {label(SHORT_CATEGORIES, c) for c in SHORT_CATEGORIES}


async def _register_column(tmp_path, lang: str, size: tuple[int, int]) -> list[str]:
    """The register's category cells, every category alone and each of PAIRS, on a terminal of `size`."""
    db = make_db(tmp_path / "w.db")
    rng = random.Random(1)
    for i, codes in enumerate(ALONE + PAIRS):
        born = {"left_behind_child": 2015, "child_in_difficulty": 2015, "left_behind_woman": 1990,
                "severely_disabled": 1980, "disabled_3_4_intellectual_mental": 1980, "seriously_ill": 1980}.get(
            codes[0], 1950)
        birth = dt.date(born, 1, 1)
        register_resident(db, {"name": f"周{chr(0x4e00 + i)}", "categories": codes, "birth_date": birth, "sex": "F",
                               "id_number": fake_id_number(rng, birth, "F", "330521")}, today=TODAY)
    app = make_app(db.path, lang=lang, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await started(pilot, ResidentsScreen)
        table = app.screen.query_one(DataTable)
        await settle(pilot, lambda: table.row_count == len(ALONE + PAIRS))
        return [str(table.get_row_at(r)[3]) for r in range(table.row_count)]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@run_async
async def test_the_registers_category_column_at_80x24_holds_whole_words(tmp_path, lang):
    column = await _register_column(tmp_path, lang, (80, 24))
    words = _words()
    for cell in column:
        assert "…" not in cell and not cell.startswith("LB "), column
        assert re.sub(r"\+\d+$", "", cell) in words, (cell, column)
    if lang == "en":  # the plain words where the label does not fit, not the old initialisms
        assert {"Lives alone+1", "Parents away+1"} <= set(column), column


@run_async
async def test_a_wider_terminal_shows_the_categories_whole(tmp_path):
    """At 120 columns the register had room to spare and still said "Lives alone+1" in a 14-cell column."""
    column = await _register_column(tmp_path, "en", (120, 40))
    assert {"Elder living alone+1", "Left-behind child+1", "Widowed or childless elder"} <= set(column), column
    assert not [c for c in column if "…" in c], column


def test_a_cell_takes_the_shorter_words_then_another_category(tmp_path):
    set_language("en")
    assert categories_cell(["solitary_elder", "severely_disabled"], 14) == "Lives alone+1"  # was "Elder livin…+1"
    assert categories_cell(["child_in_difficulty"], 14) == "Needy child"  # was "Child in…"
    assert categories_cell(["widowed_childless_elder", "advanced_age"], 14) == "80 and over+1"  # not "Aged 80++1"
    assert categories_cell(["solitary_elder"], 18) == "Elder living alone"  # whole where it fits
    set_language("zh_CN")
    assert categories_cell(["disabled_3_4_intellectual_mental"], 14) == "智力/精神残疾"  # was "三、四级智力…"
    assert categories_cell(["left_behind_elder", "severely_disabled"], 14) == "留守老年人+1"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_homes_categories_two_to_a_line_at_80_columns_keep_their_words_whole(lang):
    set_language(lang)
    share = SimpleNamespace(visited=91, total=330, share=0.28)
    data = SimpleNamespace(
        today=dt.date(2026, 12, 5), overall=SimpleNamespace(visited=1404, total=5833, share=0.24),
        by_category=[SimpleNamespace(key=code, **vars(share)) for code in SHOWN_CATEGORIES],
        counts={}, role="township", open_conflicts=0, policy=DEFAULT_POLICY)
    console = Console(width=78, record=True, color_system=None, legacy_windows=False)  # Home's panel at 80×24
    console.print(progress_renderable(data, compact=True))
    lines = console.export_text().splitlines()
    assert not [line for line in lines if "…" in line], lines
    shown = "\n".join(lines)
    for code in SHOWN_CATEGORIES:
        assert label(SHOWN_CATEGORIES, code) in shown or label(SHORT_CATEGORIES, code) in shown, (code, lines)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@run_async
async def test_homes_lists_with_a_category_fit_80_columns_and_keep_their_words_whole(tmp_path, lang):
    """In English the week's list ran past 80 columns ("Planne"): the category column is 14 cells, where every
    category has words that fit, with the count of the others."""
    from textual.widgets import TabbedContent

    from storage.core.db import open_database
    from storage.demo.build import generate

    db = open_database(tmp_path / "w.db")
    generate(db, seed=1, scale="grid", today=TODAY)
    # at risk "Emergency" (the widest risk word), due every day: on the week's list with the widest of its cells
    person = register_resident(db, {"name": "白月娥", "categories": ["empty_nest_elder", "seriously_ill"],
                                    "birth_date": dt.date(1950, 1, 1)}, today=TODAY)
    change_risk(db, person.id, "emergency", "独居且行动不便", assessed_on=TODAY, today=TODAY)
    db.dispose()
    app = make_app(str(tmp_path / "w.db"), lang=lang, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: app.screen.data is not None)
        words = _words()
        for key, pane in ((1, "overdue"), (2, "due_week"), (5, "ageing_out"), (8, "unpaired")):
            await pilot.press(str(key))
            await settle(pilot)
            assert app.screen.query_one(TabbedContent).active == pane
            table = app.screen.query_one(f"#t-{pane}", DataTable)
            assert table.row_count > 0, pane
            assert table.virtual_size.width <= table.scrollable_content_region.width, (pane, table.virtual_size)
            column = list(table.columns).index("cat")
            cells = [str(table.get_row_at(r)[column]) for r in range(table.row_count)]
            assert [c for c in cells if "…" in c or re.sub(r"\+\d+$", "", c) not in words] == [], (pane, cells)


@run_async
async def test_the_visit_forms_first_line_keeps_the_risk_when_the_categories_are_long(tmp_path):
    """At 80 columns in English the line "钱建国 · Left-behind elder, Grade 3-4 intellectual or mental disability ·"
    was one row high: the risk it ends with was cut off. It wraps to a second row now."""
    from screens.visit_form import VisitFormScreen
    from tests.test_walkthrough import screen_text

    db = make_db(tmp_path / "w.db")
    person = register_resident(db, {"name": "钱建国", "categories": ["left_behind_elder",
                                                                    "disabled_3_4_intellectual_mental"],
                                     "birth_date": dt.date(1965, 5, 7)}, today=TODAY)
    change_risk(db, person.id, "high", "独居且行动不便", assessed_on=TODAY, today=TODAY)
    app = make_app(db.path, lang="en", today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, lambda: VisitFormScreen(person.id))
        await settle(pilot, lambda: "钱建国" in screen_text(app, " "))
        top = " ".join(" ".join(screen_text(app, " ").splitlines()[1:3]).split())
        assert "Grade 3-4 intellectual or mental disability" in top and "Risk: High" in top, top


@run_async
async def test_homes_lists_show_the_categories_whole_on_a_wider_terminal(tmp_path):
    """At 120 columns Home's lists kept the 80-column words ("Parents away") with room to spare."""
    from storage.core.db import open_database
    from storage.demo.build import generate

    db = open_database(tmp_path / "w.db")
    generate(db, seed=1, scale="grid", today=TODAY)
    db.dispose()
    app = make_app(str(tmp_path / "w.db"), lang="en", today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_screen(pilot, "HomeScreen")
        await settle(pilot, lambda: app.screen.data is not None)
        table = app.screen.query_one("#t-overdue", DataTable)
        column = list(table.columns).index("cat")
        cells = {str(table.get_row_at(r)[column]) for r in range(table.row_count)}
    whole = {label(SHOWN_CATEGORIES, c) for c in SHOWN_CATEGORIES}
    assert cells & whole and not [c for c in cells if "…" in c], cells
    assert "Parents away" not in cells, cells

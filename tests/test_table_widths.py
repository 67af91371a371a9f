"""Lists whose names were cut to the header's width: a paint between a fill and the table's own measuring.

Seen in CI on Home after F2 (赵淑芬 shown as 赵淑 until the cursor moved). Textual measures new rows when
the table is next idle but kept the lines painted before under the same cache key; tui/table.Table drops them.
"""

import re
from pathlib import Path

from textual.app import App

from tests.pilot_helpers import run_async
from tui.table import Table

ROOT = Path(__file__).resolve().parent.parent


class OneTable(App):
    def compose(self):
        yield Table()


@run_async
async def test_a_line_painted_before_the_columns_were_measured_is_painted_again():
    app = OneTable()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(Table)
        table.add_columns("Name", "Risk")
        table.add_row("王五", "low")
        await pilot.pause(0.1)
        table.clear(columns=True)  # a reload (Home after F2, a new search) fills the table again
        table.add_columns("Name", "Risk")
        table.add_row("赵淑芬", "emergency")
        early = table.render_line(1).text  # painted before the table's idle has measured the new row
        assert "赵淑芬" not in early  # (the case this test is about: cut to the header's width)
        await pilot.pause(0.2)
        assert "赵淑芬" in table.render_line(1).text
        assert "emergency" in table.render_line(1).text


def test_every_screen_builds_its_tables_from_table():
    bare = [f"{path.relative_to(ROOT)}:{n}" for folder in ("screens", "tui") for path in (ROOT / folder).glob("*.py")
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"(?<![\w.])DataTable\(", line) and path.name != "table.py"]
    assert not bare, f"a bare DataTable keeps lines painted before its columns were measured: {bare}"


@run_async
async def test_a_cell_is_the_text_it_holds_never_markup_nor_an_escape():
    """DataTable reads a str cell as Rich markup: a name with "[/]" from a bundle raised MarkupError (the
    county's emergency list crashed), "[red]" coloured it, an ESC reached the terminal."""
    app = OneTable()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(Table)
        table.add_columns("Name", "Township")
        key = table.add_row("王[/]芳", "[red]镇\x1b[2J")
        table.add_rows([("[b]李四", "x")])
        await pilot.pause(0.2)
        assert "王[/]芳" in table.render_line(1).text and "[red]镇?[2J" in table.render_line(1).text
        assert "[b]李四" in table.render_line(2).text
        table.update_cell(key, table.ordered_columns[1].key, "[/]")
        table.update_cell_at((1, 0), "[i]")
        await pilot.pause(0.2)
        assert "[/]" in table.render_line(1).text and "[i]" in table.render_line(2).text

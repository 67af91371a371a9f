"""The app's DataTable: its automatic column widths hold from the first paint on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import CellType, ColumnKey, RowKey

from tui.as_text import as_text


class Table(DataTable):
    """A DataTable that drops the lines it painted before its columns were measured.

    Textual 8 measures the rows added since the table's last idle only at that idle, yet keeps the lines
    painted before it under the same cache key. A paint falling between a fill and the idle (a loaded
    machine: seen on Home after F2) left every name cut to its header's width, "赵淑" for 赵淑芬, until
    the cursor moved.
    """

    # A str cell is Rich markup to DataTable (textual/widgets/_data_table.py default_cell_formatter): a name
    # with "[/]" from a bundle raised MarkupError, "[red]" coloured the row, and an ESC went to the terminal.
    # Every str cell is drawn as the text it is (tui/as_text.py).

    def add_row(self, *cells: CellType, height: int | None = 1, key: str | None = None,
                label: Any = None) -> RowKey:
        return super().add_row(*(_literal(c) for c in cells), height=height, key=key, label=label)

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: CellType, *,
                    update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, _literal(value), update_width=update_width)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        before = self._widths()
        super()._update_dimensions(new_rows)
        if self._widths() != before:
            self._clear_caches()
            self.refresh()

    def _widths(self) -> list[int]:
        return [self._label_column.content_width, *(c.content_width for c in self.columns.values())]


def _literal(cell: Any) -> Any:
    return as_text(cell) if isinstance(cell, str) else cell

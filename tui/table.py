"""The app's DataTable: its automatic column widths hold from the first paint on."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class Table(DataTable):
    """A DataTable that drops the lines it painted before its columns were measured.

    Textual 8 measures the rows added since the table's last idle only at that idle, yet keeps the lines
    painted before it under the same cache key. A paint falling between a fill and the idle (a loaded
    machine: seen on Home after F2) left every name cut to its header's width, "赵淑" for 赵淑芬, until
    the cursor moved.
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        before = self._widths()
        super()._update_dimensions(new_rows)
        if self._widths() != before:
            self._clear_caches()
            self.refresh()

    def _widths(self) -> list[int]:
        return [self._label_column.content_width, *(c.content_width for c in self.columns.values())]

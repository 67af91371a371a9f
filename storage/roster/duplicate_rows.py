"""Rows that give one ID number: each of them invalid ("keep one row per person").

An import reads its rows a batch at a time (storage/roster/importer.py), so a number is
remembered with the first row that gave it, and a later row with it marks both; the
message names every row of the number once the file is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.i18n import _, join_list
from storage.roster.report import Problem, RosterRow

if TYPE_CHECKING:
    from storage.roster.importer import RowPlan


class Duplicates:
    """Rows with one ID number, across the batches of an import: all of them invalid."""

    def __init__(self, column: str):
        self.column = column  # the ID number's header, as the file has it
        self.first: dict[str, RosterRow] = {}  # ID number -> the first row with it
        self.groups: dict[str, list[RosterRow]] = {}  # ID number -> its rows, for numbers on several rows
        self.problems: dict[str, list[Problem]] = {}  # ID number -> the problems that say so

    def add(self, plans: list[RowPlan]) -> list[RosterRow]:
        """Note this batch's numbers; returns the rows, valid until now, that a number here makes invalid
        besides its own (those of earlier batches may have been written)."""
        others = []
        for p in plans:
            number = p.data.get("id_number") if p.data else None
            if not number:
                continue
            first = self.first.setdefault(number, p.row)
            if first is p.row:
                continue
            group = self.groups.setdefault(number, [first])
            if len(group) == 1:
                if first.status != "invalid":
                    others.append(first)
                self._invalid(number, first)
            group.append(p.row)
            self._invalid(number, p.row)
        return others

    def _invalid(self, number: str, row: RosterRow) -> None:
        problem = Problem(self.column, "", _("Keep one row per person."))
        row.problems.append(problem)
        row.status = "invalid"
        self.problems.setdefault(number, []).append(problem)

    def finish(self) -> None:
        """Each row of a group names all the rows of its number (known once every batch is read)."""
        for number, group in self.groups.items():
            listed = join_list(str(r.row) for r in group)  # 第 3、6 行 / rows 3, 6
            for problem in self.problems[number]:
                problem.message = _("The same ID number is on rows {rows}.").format(rows=listed)

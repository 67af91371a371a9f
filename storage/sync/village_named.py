"""A worker's grid put in a village by its name alone, at a township that knows that village by its code.

A worker set up with a village's name and no code (`gridcare init --role worker ... --village-name 茅山村`) cannot
know the township's villages: its grid goes into the code-less village 330521101-茅山村 (storage/core/places.py),
which is right where nobody knows the code. At a township that holds 茅山村 as 330521101201, merged as it came, the
grid left its village for one the township does not have (every report counted its people apart, a resident moved
into the grid took that id), and the clerk was asked about the grid's village once for each earlier writer of it,
although both sides named the same village. The township puts the grid in its village by the code, by an event of
its own whose base covers both sides (as the clerk's decision of a conflict is written: storage/register/villages.py
set_grid_village), so the question is settled here and the worker's laptop learns the code in its next return bundle.
Sides that name different villages stay a question for the clerk.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from storage.core import places
from storage.core.changes import writer
from storage.core.conflict_keys import VILLAGE
from storage.core.fold import rebuild
from storage.core.models import Conflict, Grid, Village
from storage.register.villages import carried, coded_by_a_grid
from storage.sync.conflicts import reviewed_conflicts


def _coded(s: Session, township_code: str, name: str) -> tuple[str, str] | None:
    """(12-digit code, name to carry) of the one village of this name the township knows by a code: its record,
    else the code its grids' workers gave that name; None when it knows none, or two (the clerk tells them apart)."""
    named: list[Village] = list(s.exec(select(Village).where(col(Village.name) == name,
                                                             col(Village.deleted) == False)))  # noqa: E712
    records = [v for v in named if places.VILLAGE_CODE.match(v.id) and v.id.startswith(township_code)]
    if len(records) > 1:
        return None
    if records:
        return records[0].id, carried(records[0]) or name
    code = coded_by_a_grid(s, name)
    return (code, name) if code else None


def _named_code(s: Session, township_code: str, village: Any) -> str | None:
    """The 12-digit code a grid's village value stands for: a code as it is; a code-less id of this township by
    the code the township knows its name by; None for no village (no disagreement), "?" for one not known so."""
    if village is None or village == "":
        return None
    if not isinstance(village, str):
        return "?"
    if places.VILLAGE_CODE.match(village):
        return village
    if places.village_township(village) != township_code:
        return "?"
    found = _coded(s, township_code, village.split("-", 1)[1])
    return found[0] if found else "?"


def settle_named_village(s: Session, township_code: str, grid_id: str) -> int:
    """At a township, after a worker's bundle for `grid_id` was merged: a grid standing in a code-less village
    that the township knows by a code, or asked about with sides that all name that one village, goes into it by
    the code. Returns how many of the clerk's questions that settled."""
    grid = s.get(Grid, grid_id)
    if grid is None or grid.deleted:
        return 0
    asked: list[Conflict] = list(s.exec(select(Conflict).where(col(Conflict.record_type) == "grid",
                                                               col(Conflict.record_id) == grid_id,
                                                               col(Conflict.field).in_(VILLAGE))))
    code_less = bool(grid.village_code) and not places.VILLAGE_CODE.match(grid.village_code or "")
    if not code_less and not asked:
        return 0
    sides = [grid.village_code] + [v for c in asked if c.field == "village_code"
                                   for v in (c.winner_value, c.loser_value)]
    codes = {_named_code(s, township_code, v) for v in sides} - {None}
    if len(codes) != 1 or "?" in codes:
        return 0  # different villages, or one the township does not know by a code: the clerk's question
    code = codes.pop()
    village = s.get(Village, code)
    name = carried(village if village is not None and not village.deleted else None) or grid.village_name or ""
    before = reviewed_conflicts(s, {"grid": {grid_id}})
    writer(s).write("grid", grid_id, {"village_code": code, "village_name": name})
    rebuild(s, [("grid", grid_id)])
    return len(before - reviewed_conflicts(s, {"grid": {grid_id}}))

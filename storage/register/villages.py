"""Grids and their villages: which village each grid is in, and putting a grid in a village later.

The clerk does it for any grid of the township, a worker for their own grid (set up before it
knew its village). A grid goes into a village the township already knows when the name or the
code matches one; else a new village record is written. Called by the Villages screen and
`gridcare villages`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from storage.core import places
from storage.core.changes import writer, writing_identity
from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.models import Grid, Village


@dataclass(frozen=True)
class GridVillage:
    grid_id: str
    grid_code: str
    grid_name: str
    worker: str
    village_id: str  # "" when the grid is in no village yet
    village: str  # its name (or code) as a report shows it


def grid_villages(db: Database) -> list[GridVillage]:
    """Every grid of this database (a worker's: its own), with its village, by grid code."""
    with db.session() as s:
        live_village, live_grid = col(Village.deleted) == False, col(Grid.deleted) == False  # noqa: E712
        villages: list[Village] = list(s.execute(select(Village).where(live_village)).scalars())
        names = {v.id: v.name for v in villages}
        grids: list[Grid] = list(s.execute(select(Grid).where(live_grid).order_by(col(Grid.code))).scalars())
        return [GridVillage(g.id, g.code, g.name, g.worker_name, g.village_code or "",
                            places.village_label(g.village_code, names)) for g in grids]


def known_villages(db: Database) -> list[tuple[str, str]]:
    """(id, name) of the villages this database knows, by name."""
    with db.session() as s:
        rows = s.execute(select(col(Village.id), col(Village.name)).where(col(Village.deleted) == False)).all()  # noqa: E712
    return sorted(((str(vid), str(name or vid)) for vid, name in rows), key=lambda r: r[1])


def _live(row):
    return row if row is not None and not row.deleted else None


def set_grid_village(db: Database, grid_id: str, name: str | None, code: str | None = None) -> str:
    """Put the grid in the village named (name and/or 12-digit code); returns the village's id."""
    with db.write() as s:
        ident = writing_identity(s)  # (a county's grids are its townships' to place: refused before they are looked up)
        grid = _live(s.get(Grid, grid_id))
        if grid is None:
            grid = s.execute(select(Grid).where(col(Grid.code) == grid_id, col(Grid.deleted) == False)).scalars().first()  # noqa: E712
        if grid is None:
            raise UserError(_("No grid {grid} in this database.").format(grid=grid_id))
        if ident.role == "worker" and grid.id != ident.grid_code:
            raise UserError(_("A grid worker sets the village of their own grid only."))
        name, code = places.check_village(ident.township_code, name, code)
        existing = None
        if code:
            existing = _live(s.get(Village, code))
        if existing is None and name:
            existing = s.execute(select(Village).where(col(Village.name) == name, col(Village.deleted) == False)  # noqa: E712
                                 .order_by(col(Village.id))).scalars().first()
        w = writer(s)
        if existing is not None and (not code or existing.id == code):
            village = existing.id
            if name and existing.name != name:
                w.write("village", village, {"name": name})
        else:
            village = places.village_id(ident.township_code, name, code)
            w.write("village", village, {"name": name or code, "township_code": ident.township_code})
        if grid.village_code != village:
            w.write("grid", grid.id, {"village_code": village})
        return village

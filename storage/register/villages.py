"""Grids and their villages: which village each grid is in, and putting a grid in a village later.

The clerk does it for any grid of the township, a worker for their own grid (set up before it
knew its village). A grid goes into a village the township already knows when the name or the
code matches one (a village record, or the code a grid's worker gave a village of that name); else a
new village record is written. The grid record carries the village's name as well as its id: a
worker's village record never leaves its laptop (storage/sync/authorise.py), its grid record does.
Called by the Villages screen and `gridcare villages`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from storage.core import places
from storage.core.changes import load_identity, writer, writing_identity
from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.models import Grid, Village
from storage.register.grid_people import grid_people, people_text


@dataclass(frozen=True)
class GridVillage:
    grid_id: str
    grid_code: str
    grid_name: str
    worker: str  # its people: "王芳、李敏" (storage/register/grid_people.py)
    village_id: str  # "" when the grid is in no village yet
    village: str  # its name (or code) as a report shows it


def grid_villages(db: Database) -> list[GridVillage]:
    """Every grid of this database (a worker's: its own), with its village, by grid code."""
    from storage.register.report_query import village_names

    with db.session() as s:
        load_identity(s)  # a database not set up: said so, not an empty list
        names = village_names(s.connection())
        grids: list[Grid] = list(s.execute(select(Grid).where(col(Grid.deleted) == False)  # noqa: E712
                                           .order_by(col(Grid.code))).scalars())
        people = grid_people(s.connection())
        return [GridVillage(g.id, g.code, g.name, people_text(people, g.id), g.village_code or "",
                            places.village_label(g.village_code, names)) for g in grids]


def grids_without_bundle(db: Database) -> list[GridVillage]:
    """A township's grids enrolled (or given a code) whose worker has sent nothing yet: no grid record, so in
    no village; `gridcare villages` lists them, because the roster import and the form already take them."""
    from storage.register.grid_choice import not_merged_grids

    with db.session() as s:
        ident = load_identity(s)
        if ident.role != "township":
            return []
        merged: set[str] = set(s.execute(select(col(Grid.id)).where(col(Grid.deleted) == False)).scalars())  # noqa: E712
        return [GridVillage(g.id, g.code, g.name, g.worker_name, "", "")
                for g in not_merged_grids(s.connection(), ident.township_code, merged)]


def known_villages(db: Database) -> list[tuple[str, str]]:
    """(id, name) of the villages this database knows, by name: its records, and the codes its grids' workers
    named (a township holds no record of those)."""
    from storage.register.report_query import village_names

    with db.session() as s:
        names = village_names(s.connection())
    return sorted(((str(vid), str(name or vid)) for vid, name in names.items()), key=lambda r: r[1])


def _live(row):
    return row if row is not None and not row.deleted else None


def coded_by_a_grid(s, name: str) -> str | None:
    """The 12-digit code a grid's worker gave the village of this name (the township holds no record of it):
    the clerk who names that village puts a grid in the same one, not in a new code-less village."""
    rows = s.execute(select(col(Grid.id), col(Grid.village_code), col(Grid.village_name))
                     .where(col(Grid.deleted) == False, col(Grid.village_name) == name)).all()  # noqa: E712
    names = places.village_names((), rows)
    return min((code for code, named in names.items() if named == name), default=None)


def set_grid_village(db: Database, grid_id: str, name: str | None, code: str | None = None, *,
                     decided: bool = False) -> str:
    """Put the grid in the village named (name and/or 12-digit code); returns the village's id.

    The grid carries the village's name too (`village_name`): a worker's village record stays on its laptop,
    and the township names the village by the grid's (storage/core/places.py village_names). `decided`: the
    clerk's decision of a conflict about the grid's village (storage/sync/conflicts.py), written even when the
    grid stands in that village already, so that it covers both sides and the conflict is settled."""
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
        if existing is None and name and not code:
            code = coded_by_a_grid(s, name)
        w = writer(s)
        if existing is not None and (not code or existing.id == code):
            village = existing.id
            if name and existing.name != name:
                w.write("village", village, {"name": name})
            named = name or carried(existing)
        else:
            village = places.village_id(ident.township_code, name, code)
            w.write("village", village, {"name": name or code, "township_code": ident.township_code})
            named = name
        if decided or (grid.village_code, grid.village_name) != (village, named):
            # both in one event, always: an edit made elsewhere meanwhile never pairs this code with its name
            w.write("grid", grid.id, {"village_code": village, "village_name": named})
        if decided:  # the conflicts are folded from the events: the decision settles them once folded
            from storage.core.fold import rebuild

            rebuild(s, [("grid", grid.id)])
        return village


def carried(village: Village | None) -> str:
    """The name a grid carries for this village record: none for one named by its code only (or none at all),
    nor for a name the grid's field could not hold (a record's name may be longer: the township's)."""
    if village is None or not village.name or village.name == village.id:
        return ""
    name = village.name
    return name if len(name) <= places.MAX_NAME and places.is_village_name(name) else ""


def carry_village_name(s) -> None:
    """A worker's grid put in a village before the grid carried the village's name (schema 11) takes the name of
    its village record (on this laptop) into the next bundle, once: the township then names the village too.
    Run by a worker's export, inside its write."""
    ident = writing_identity(s)
    grid = _live(s.get(Grid, ident.grid_code)) if ident.role == "worker" and ident.grid_code else None
    if grid is None or grid.village_name or not places.VILLAGE_CODE.match(grid.village_code or ""):
        return  # (a code-less village's id carries its name)
    name = carried(_live(s.get(Village, grid.village_code)))
    if name:
        writer(s).write("grid", grid.id, {"village_name": name})

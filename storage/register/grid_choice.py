"""Which grid a resident registered at the township belongs to: its worker is the one who visits.

A worker's registrations are in the worker's own grid; a clerk's, on the township's form, name one of the
township's grids (a resident with no grid was on no worker's list, and no bundle took them to a grid).
"""

from __future__ import annotations

from sqlalchemy import text

from storage.core.errors import ValidationError
from storage.core.i18n import _, join_list
from storage.core.identity import GRID_CODE
from storage.core.models import Grid
from storage.register.grid_people import grid_people


def township_grids(conn) -> list[tuple[str, str, str]]:
    """(grid id, grid name, workers) of the township's grids: those its merges brought, and those a device is
    enrolled for or a code was given for (a grid whose worker has not sent a bundle yet); by grid id."""
    grids: dict[str, tuple[str, list[str]]] = {}
    people = grid_people(conn)
    for gid, name in conn.execute(text("SELECT id, name FROM grid WHERE NOT deleted")):
        grids[gid] = (name or "", list(people.get(gid, ())))
    enrolled = conn.execute(text(
        "SELECT grid_code, worker_name FROM device WHERE kind = 'worker' AND status = 'approved'"
        " AND grid_code IS NOT NULL AND grid_code <> ''"
        " UNION ALL SELECT grid_code, worker_name FROM enrollment WHERE used_by IS NULL AND grid_code <> ''"))
    for gid, worker in enrolled:
        name, workers = grids.setdefault(gid, ("", []))
        if worker and worker not in workers:
            workers.append(worker)
    return [(gid, name, join_list(workers)) for gid, (name, workers) in sorted(grids.items())]


def not_merged_grids(conn, township_code: str, merged: set[str]) -> list[Grid]:
    """The township's grids no merge has brought yet (a device enrolled or a code given for them), as unsaved
    Grid rows for the roster import: the clerk's first day is init, enroll, import, and the roster names grids
    whose workers have sent nothing. Their residents take the grid's id, as the form's do; the grid's own
    record comes with its worker's first bundle."""
    prefix = f"{township_code}-"
    return [Grid(id=gid, code=gid[len(prefix):] if gid.startswith(prefix) else gid, name=name,
                 township_code=township_code, worker_name=workers)
            for gid, name, workers in township_grids(conn) if gid not in merged]


def check_grid(grid_code: object, township_code: str, role: str) -> None:
    """At a township, a registration names a grid of this township (one the form offers, or one whose worker
    is not enrolled yet: its code is this township's and a grid code); elsewhere the writer's own grid is used."""
    if role != "township":
        return
    if not grid_code:
        raise ValidationError("grid_code", _("Choose the grid the resident belongs to: its worker visits them."))
    prefix = f"{township_code}-"
    if not (isinstance(grid_code, str) and grid_code.startswith(prefix) and GRID_CODE.match(grid_code[len(prefix):])):
        raise ValidationError("grid_code", _("This township has no grid {grid}.").format(grid=grid_code))

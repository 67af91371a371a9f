"""A township's bundles back to every grid at once: the clerk's monthly round after merging and reviewing.

Each grid's is the bundle `export --grid CODE` writes (storage/sync/export.py: all of that grid's records,
encrypted to the grid's enrolled devices), one file per grid in one folder: a shared folder, or a stick the
workers copy from. Grids with no enrolled device have no key to encrypt to and are not among them
(storage/sync/folder.py known_grids, the Sync screen's list of grids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.i18n import _, join_list, ngettext
from storage.sync.bundle_file import SUFFIX
from storage.sync.export import ExportResult, export_bundle, township_moves

Progress = Callable[[int, int], None]


def grids_with_devices(db: Database) -> list[str]:
    """The short codes (G01) of the grids a bundle can go back to, in order."""
    from storage.sync.folder import known_grids

    return [code for code, _shown, _workers in known_grids(db)]


def export_every_grid(db: Database, folder: Path, *, progress: Progress | None = None,
                      now: dt.datetime | None = None) -> list[ExportResult]:
    """A bundle for each grid with an enrolled device, into `folder`; the results in the grids' order.

    Each grid's export is its own transaction, as `export --grid` is: one that fails (a full stick) stops the
    round, with the grids already written named in its message; their files are whole and recorded.
    """
    from storage.core.changes import load_identity

    folder = Path(folder)
    if folder.suffix.lower() == SUFFIX:
        raise UserError(_("A bundle for every grid is a file per grid: give a folder, not a file name."))
    with db.session() as s:
        ident = load_identity(s)
        if ident.role != "township":
            raise UserError(_("Only a township database exports to a grid (--grid)."))
        # read once for the round (the same read for each grid): the bundles carry what each grid's alone would
        moves = township_moves(s, ident)
    grids = grids_with_devices(db)
    if not grids:
        raise UserError(_("No grid has an enrolled device yet: enroll its worker (gridcare enroll), or approve the "
                          "device waiting for it (gridcare devices)."))
    results: list[ExportResult] = []
    for i, grid in enumerate(grids):
        if progress:
            progress(i, len(grids))
        try:
            results.append(export_bundle(db, folder, grid_code=grid, now=now, moves=moves))
        except UserError as exc:
            if not results:
                raise
            raise UserError(ngettext("The bundle for {n} grid was written ({grids}); then, for grid {grid}: {error}",
                                     "The bundles for {n} grids were written ({grids}); then, for grid {grid}: {error}",
                                     len(results)).format(n=len(results), grids=join_list(grids[:len(results)]),
                                                          grid=grid, error=exc)) from exc
    if progress:
        progress(len(grids), len(grids))
    return results

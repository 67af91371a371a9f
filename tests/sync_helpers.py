"""A township and its workers, set up with real keys, for the sync tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from storage.core.db import Database, open_database
from storage.core.identity import init_township, init_worker
from storage.register.residents import register_resident
from storage.sync.devices import enroll


@dataclass
class Township:
    db: Database
    key: Path
    folder: Path

    def worker(self, name: str, grid: str, *, enrolled: bool = True, path: Path | None = None) -> Database:
        """A worker's database for `grid`, enrolled by the clerk's code unless `enrolled` is False."""
        code = enroll(self.db, grid, name)[0] if enrolled else None
        db = open_database(path or self.folder / f"{grid}.db")
        init_worker(db, "330521101", "新市镇", grid, f"{grid}网格", name, self.key, enroll_code=code)
        return db


def make_township(folder: Path) -> Township:
    db = open_database(folder / "township.db")
    key = folder / "township.pub"
    init_township(db, "330521101", "新市镇", key)
    return Township(db, key, folder)


def elder(db: Database, name: str, **extra):
    return register_resident(db, {"name": name, "categories": ["solitary_elder"], "birth_date": dt.date(1945, 3, 3), **extra},
                             today=dt.date(2026, 11, 24))


def clerk_elder(t: Township, name: str, grid: str = "G01", **extra):
    """An elder the clerk registers at the township, in one of its grids (a worker's code is given for it first,
    as the clerk does when a grid starts: storage/register/grid_choice.py)."""
    from storage.register.grid_choice import township_grids

    grid_id = f"330521101-{grid}"
    with t.db.engine.connect() as conn:
        known = {gid for gid, _name, _workers in township_grids(conn)}
    if grid_id not in known:
        enroll(t.db, grid, "王芳")
    return elder(t.db, name, grid_code=grid_id, **extra)


def folder_with_a_copy(folder: Path) -> tuple[Township, Path, str]:
    """A township, and a USB folder holding one worker's bundle and its copy (副本-….gcb, as a clerk's copy and
    paste names it): (the township, the folder, the bundle's file name)."""
    import shutil

    from storage.sync.export import export_bundle

    t = make_township(folder)
    worker = t.worker("王芳", "G01")
    elder(worker, "张三")
    usb = folder / "usb"
    usb.mkdir()
    path = export_bundle(worker, usb).path
    shutil.copy(path, usb / f"副本-{path.name}")
    return t, usb, path.name

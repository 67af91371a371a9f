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

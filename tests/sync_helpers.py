"""A township and its workers, set up with real keys, for the sync tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from storage.core.db import Database, open_database
from storage.core.identity import init_township, init_worker
from storage.register.residents import register_resident


@dataclass
class Township:
    db: Database
    key: Path
    folder: Path

    def worker(self, name: str, grid: str) -> Database:
        db = open_database(self.folder / f"{grid}.db")
        init_worker(db, "330521101", "新市镇", grid, f"{grid}网格", name, self.key)
        return db


def make_township(folder: Path) -> Township:
    db = open_database(folder / "township.db")
    key = folder / "township.pub"
    init_township(db, "330521101", "新市镇", key)
    return Township(db, key, folder)


def elder(db: Database, name: str, **extra):
    return register_resident(db, {"name": name, "categories": ["solitary_elder"], "birth_date": dt.date(1945, 3, 3), **extra},
                             today=dt.date(2026, 11, 24))

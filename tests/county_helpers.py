"""A county and its townships, each with real keys and real workers' bundles, for the county tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from storage.core.db import Database, open_database
from storage.core.errors import UserError
from storage.core.identity import init_county, init_township, init_worker
from storage.register.residents import register_resident, update_resident
from storage.register.visits import log_visit
from storage.sync.county_export import export_county_bundle
from storage.sync.county_trust import enroll_township
from storage.sync.devices import enroll
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths

COUNTY = ("330521", "德清县")
TODAY = dt.date(2026, 11, 24)


@dataclass
class TownshipSite:
    code: str
    db: Database
    key: Path
    folder: Path
    workers: dict[str, Database] = field(default_factory=dict)

    def worker(self, grid: str, name: str) -> Database:
        if grid not in self.workers:
            code = enroll(self.db, grid, name)[0]  # enrolled by the clerk's code: its first bundle is merged
            db = open_database(self.folder / f"{self.code}-{grid}.db")
            init_worker(db, self.code, f"镇{self.code[-3:]}", grid, f"{grid}网格", name, self.key, enroll_code=code)
            self.workers[grid] = db
        return self.workers[grid]

    def collect(self) -> None:
        """Every worker exports what is new and the township merges it."""
        out = self.folder / "from-workers"
        out.mkdir(exist_ok=True)
        paths = []
        for db in self.workers.values():
            try:
                paths.append(export_bundle(db, out).path)
            except UserError as exc:  # only "nothing new" is expected here
                if "Nothing new" not in str(exc):
                    raise
        if paths:
            assert merge_paths(self.db, paths).refused == []

    def to_county(self, out: Path, *, full: bool = False) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        return export_county_bundle(self.db, out, full=full).path

    def close(self) -> None:
        for db in (self.db, *self.workers.values()):
            db.dispose()


def make_county(target: str | Path, key: Path) -> Database:
    db = open_database(target)
    init_county(db, *COUNTY, key)
    return db


def make_township(folder: Path, code: str, county_key: Path | None, county: Database | None = None) -> TownshipSite:
    """A township; given `county`, enrolled there with a code as a county does (else its bundles wait)."""
    enroll_code = enroll_township(county, code, f"镇{code[-3:]}")[0] if county is not None else None
    db = open_database(folder / f"township-{code}.db")
    key = folder / f"township-{code}.pub"
    init_township(db, code, f"镇{code[-3:]}", key, county_key, enroll_code=enroll_code)
    return TownshipSite(code, db, key, folder)


def elder(db: Database, name: str, **extra):
    """An elder registered on `db`; at a township, in its grid G01 (a township's registration names a grid)."""
    if "grid_code" not in extra:
        from storage.core.models import Identity

        with db.session() as s:
            ident = s.get(Identity, 1)
        if ident is not None and ident.role == "township":
            extra["grid_code"] = f"{ident.township_code}-G01"
    return register_resident(db, {"name": name, "categories": ["solitary_elder"], "birth_date": dt.date(1945, 3, 3),
                                  **extra}, today=TODAY)


def busy_township(folder: Path, code: str, county_key: Path, n: int = 2, county: Database | None = None) -> TownshipSite:
    """A township with two grids whose workers registered, visited and edited, merged by the clerk."""
    t = make_township(folder, code, county_key, county)
    for grid, name in (("G01", "王芳"), ("G02", "李强")):
        w = t.worker(grid, name)
        for i in range(n):
            person = elder(w, f"{name}{code[-3:]}{i}")
            log_visit(w, person.id, {"notes": f"{grid}-{i}", "risk_after": ["low", "high"][i % 2]}, today=TODAY)
    t.collect()
    return t


def record_dump(db: Database) -> str:
    return "\n".join(dump_lines(db))


def edit_some(t: TownshipSite, tag: str) -> None:
    """New work after the first bundles: a new resident, an edit by a worker and one by the clerk."""
    w = next(iter(t.workers.values()))
    person = elder(w, f"新{tag}")
    update_resident(w, person.id, {"phone": "13800000000"}, today=TODAY)
    t.collect()
    update_resident(t.db, person.id, {"address": f"{tag}路1号"}, today=TODAY)

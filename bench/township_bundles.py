"""The township's 40 bundles: 40 worker databases of 150 residents each, exported (cached)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.datasets import CACHE
from storage.core.paths import keys_file


def build(grids: int = 40, per_grid: int = 150, seed: int = 1) -> tuple[Path, Path]:
    """(folder of bundles, pristine township database); built once per shape."""
    from storage.core.db import open_database
    from storage.core.identity import init_township, init_worker
    from storage.demo.build import generate
    from storage.sync.devices import enroll
    from storage.sync.export import export_bundle

    folder = CACHE / f"bundles-{grids}x{per_grid}-seed{seed}-enrolled"  # bundles carry their enrollment proof
    township = folder / "township.db"
    if (folder / "DONE").exists():
        return folder / "bundles", township
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "bundles").mkdir(parents=True)
    tdb = open_database(township)
    init_township(tdb, "330521101", "新市镇", folder / "township.pub")
    # the clerk enrolls every worker first: the pristine township holds the codes, nothing merged
    codes = [enroll(tdb, f"G{g:02d}", f"网格员{g}")[0] for g in range(1, grids + 1)]
    tdb.dispose()
    for g in range(1, grids + 1):
        wdb = open_database(folder / "workers" / f"G{g:02d}.db")
        init_worker(wdb, "330521101", "新市镇", f"G{g:02d}", f"{g}网格", f"网格员{g}", folder / "township.pub",
                    enroll_code=codes[g - 1])
        generate(wdb, seed=seed * 1000 + g, residents=per_grid)
        export_bundle(wdb, folder / "bundles")
        wdb.dispose()
        if g > 1:  # only G01 is measured again (export); the county's 800 worker files would take ~1.7 GB
            for side in ("", "-wal", "-shm"):
                Path(str(folder / "workers" / f"G{g:02d}.db") + side).unlink(missing_ok=True)
    (folder / "DONE").write_text("ok", encoding="utf-8")
    return folder / "bundles", township


def merged(grids: int = 40, per_grid: int = 150, seed: int = 1) -> Path:
    """The township database with all its bundles merged (built once per shape)."""
    from storage.core.db import open_database
    from storage.sync.merge import merge_paths

    bundles, township = build(grids, per_grid, seed)
    path = township.with_name("township-merged.db")
    if not path.exists():
        tmp = path.with_name("township-merging.db")
        for side in ("", "-wal", "-shm"):
            Path(str(tmp) + side).unlink(missing_ok=True)
        shutil.copy(township, tmp)
        shutil.copy(keys_file(township), keys_file(tmp))
        db = open_database(tmp)
        merge_paths(db, [bundles])
        db.dispose()
        keys_file(tmp).rename(keys_file(path))
        tmp.rename(path)
    return path

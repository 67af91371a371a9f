"""The county set for the county benchmarks: 20 townships' bundles to their county (cached).

Each township is a demo township database (40 grids of 150 residents, a year of visits) under its
own code, enrolled at the county with a code as a real one is (storage/sync/county_trust.py) and
exported with `export --county`; the township files are deleted once exported. The county's identity
(with its private keys) and its enrollment codes' keys are kept as JSON, so every run merges into a
new county database on the PostgreSQL server that reads and trusts the bundles.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench.datasets import CACHE

COUNTY = ("330521", "德清县")


def build(townships: int = 20, scale: str = "township", seed: int = 1) -> tuple[Path, dict, Path]:
    """(folder of the county bundles, the county's identity as a dict, the county file whose keys read
    them); built once per shape."""
    import datetime as dt

    from sqlalchemy import select

    from storage.core.db import open_database
    from storage.core.identity import init_county, init_township
    from storage.core.models import Enrollment
    from storage.demo import words
    from storage.demo.build import generate
    from storage.sync.county_export import export_county_bundle
    from storage.sync.county_trust import enroll_township

    # v2: the townships enrolled at the county (bundles of v1 carry no proof and would wait)
    folder = CACHE / f"county-v2-{townships}x{scale}-seed{seed}"
    if (folder / "DONE").exists():
        return folder / "bundles", json.loads((folder / "county.json").read_text(encoding="utf-8")), folder / "county.db"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "bundles").mkdir(parents=True)
    county = open_database(folder / "county.db")
    ident, _key, _text = init_county(county, *COUNTY, folder / "county.pub")
    names = [n + "镇" for n in words.TOWNSHIPS]
    for n in range(townships):
        code = f"{COUNTY[0]}{101 + n:03d}"
        path = folder / f"township-{code}.db"
        db = open_database(path)
        enroll_code = enroll_township(county, code, names[n % len(names)])[0]
        init_township(db, code, names[n % len(names)], None, folder / "county.pub", enroll_code=enroll_code)
        generate(db, seed=seed * 100 + n, scale=scale, today=dt.date(2026, 11, 24))
        export_county_bundle(db, folder / "bundles")
        db.dispose()
        for side in ("", "-wal", "-shm", ".keys"):  # the township is gone: its private keys too
            Path(str(path) + side).unlink(missing_ok=True)
    with county.session() as s:
        codes = [e.model_dump(mode="json") for e in s.execute(select(Enrollment)).scalars()]
    county.dispose()
    # the identity (public keys only: the private ones are in county.db.keys beside county.db), and the
    # keys of the codes the townships were enrolled with
    (folder / "county.json").write_text(json.dumps({**ident.model_dump(mode="json"), "enrollments": codes},
                                                   ensure_ascii=False), encoding="utf-8")
    (folder / "DONE").write_text("ok", encoding="utf-8")
    return folder / "bundles", json.loads((folder / "county.json").read_text(encoding="utf-8")), folder / "county.db"


def new_county(url: str, identity: dict, keys_of: Path) -> None:
    """A new county database at `url` that holds the cached county's identity and private keys (the
    keys file beside `keys_of`), and so reads its townships' bundles."""
    import datetime as dt

    from storage.core.db import open_database
    from storage.core.models import Enrollment, Identity
    from storage.core.private_keys import read_keys, write_keys

    db = open_database(url)
    fields = {k: v for k, v in identity.items() if k in Identity.model_fields}
    fields["created_at"] = dt.datetime.fromisoformat(fields["created_at"])
    with db.write() as s:
        s.add(Identity(**fields))
        for e in identity.get("enrollments", []):
            s.add(Enrollment(**{**e, "created_at": dt.datetime.fromisoformat(e["created_at"])}))
    write_keys(db.local_path, read_keys(keys_of))
    db.dispose()

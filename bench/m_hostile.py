"""Hostile files (issue #19, item 5): what a bundle or a roster made to exhaust a township costs it.

Each merge and import runs in a process of its own (bench/apps/merge_run.py, roster_run.py), so its
peak RSS is its own. Floors, measured in the same run: the same process merging one honest bundle of a
few events, importing a 10-row roster. The files are built once and kept in bench/cache/.

- 8,000,000 identical event lines in a bundle of about 3 MB (the issue: past 4 GB before); merged again
  (remembered: not unpacked again);
- 2.1 GiB of blank lines in a bundle (the issue: 5 minutes to refuse, at every merge);
- a valid 100,000-row roster, .csv and .xlsx (the issue: 612 MB, 160 s);
- a 7 MB .xlsx holding 3 GB of sheet XML (the issue: over 10 minutes); a 50 MB CSV (7.5 minutes, 1.58 GB);
- a 3-row .xlsx defining 500,000 short shared strings, the most the reader takes, and one of 1,440,000 (30 MB, under
  the 32 MB bound on their bytes: 13.6 s and 248 MB before their number was bounded too).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from bench.core import Figure, Result
from bench.roster_files import csv_of_size, valid_roster, xlsx_altered, xlsx_bomb
from storage.core.db import SCHEMA_VERSION
from storage.core.paths import keys_file

CACHE = Path(__file__).parent / "cache" / "hostile"
APPS = Path(__file__).parent / "apps"
TOWNSHIP = "330521101"


def _copy(src: Path, dst: Path) -> Path:
    for side in ("", "-wal", "-shm"):
        Path(str(dst) + side).unlink(missing_ok=True)
    shutil.copy(src, dst)
    if keys_file(src).exists():
        shutil.copy(keys_file(src), keys_file(dst))
    return dst


def _run(app: str, *args: Path) -> dict:
    out = subprocess.run([sys.executable, str(APPS / app), *map(str, args)], capture_output=True, text=True,
                         check=True, encoding="utf-8")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _world() -> tuple[Path, Path]:
    """(a pristine township database, its enrolled worker's database), built once."""
    folder = CACHE / "world"
    if not (folder / "G01.db").exists():
        from storage.core.db import open_database
        from storage.core.identity import init_township, init_worker
        from storage.sync.devices import enroll

        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        town = open_database(folder / "township.db")
        init_township(town, TOWNSHIP, "新市镇", folder / "township.pub")
        code = enroll(town, "G01", "王芳")[0]
        worker = open_database(folder / "G01.db")
        init_worker(worker, TOWNSHIP, "新市镇", "G01", "G01网格", "王芳", folder / "township.pub", enroll_code=code)
        town.dispose()
        worker.dispose()
    return folder / "township.db", folder / "G01.db"


def _manifest(worker: Path) -> dict:
    from storage.core.db import open_database
    from storage.core.identity import get_identity

    db = open_database(worker)
    ident = get_identity(db)
    db.dispose()
    return {"kind": "worker", "township_code": TOWNSHIP, "grid_code": ident.grid_code, "device_id": ident.device_id,
            "worker": ident.worker_name, "seq": 1, "age_recipient": ident.device_age_recipient,
            "sign_public": ident.device_sign_public, "enroll_proof": ident.enroll_proof}


def _event(manifest: dict, n: int) -> dict:
    device = manifest["device_id"]
    return {"id": f"{device}-{n}", "record_type": "resident", "record_id": f"r{n}", "hlc": n, "device_id": device,
            "fields": {"name": "王五", "grid_code": manifest["grid_code"]}, "base_hlc": 0, "author": manifest["worker"]}


def _written(name: str, worker: Path, events) -> Path:
    """A bundle the project's own writer writes, signed by the enrolled worker's device."""
    from storage.core.keys import read_public_key_file
    from storage.core.private_keys import private_keys
    from storage.sync.bundle_file import write_bundle

    path = CACHE / name
    if not path.exists():
        write_bundle(path, _manifest(worker), events, read_public_key_file(worker.parent / "township.pub").age_recipient,
                     private_keys(worker).device_sign_secret)
    return path


def _blank_lines(name: str, worker: Path, blank: int) -> Path:
    """One event and `blank` bytes of blank lines: no writer makes it, so it is forged from docs/bundle-format.md."""
    import pyrage

    from storage.core.keys import read_public_key_file, sign
    from storage.core.private_keys import private_keys

    path = CACHE / name
    if path.exists():
        return path
    manifest = _manifest(worker)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(json.dumps(_event(manifest, 1), ensure_ascii=False).encode() + b"\n")]
    block = b"\n" * (1 << 20)
    parts += [packer.compress(block) for _ in range(blank >> 20)]
    parts.append(packer.flush())
    ct = pyrage.encrypt(b"".join(parts), [pyrage.x25519.Recipient.from_str(
        read_public_key_file(worker.parent / "township.pub").age_recipient)])
    manifest.update(format_version=1, full=False, schema_version=SCHEMA_VERSION, created_at="2026-11-24T10:00:00+00:00",
                    counts={"events": 1, "resident": 1}, payload_sha256=hashlib.sha256(ct).hexdigest(),
                    payload_size=len(ct))
    line = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    signature = base64.b64encode(sign(private_keys(worker).device_sign_secret, line))
    path.write_bytes(b"GRIDCARE-BUNDLE 1\n" + line + b"\n" + signature + b"\n" + ct)
    return path


def _merge(pristine: Path, bundle: Path, folder: Path, again: bool = False) -> dict:
    target = _copy(pristine, folder / "township.db")
    first = _run("merge_run.py", target, bundle)
    return _run("merge_run.py", target, bundle) | {"first": first} if again else first


def _import(pristine: Path, roster: Path, folder: Path) -> dict:
    return _run("roster_run.py", _copy(pristine, folder / "worker.db"), roster)


def _outcome(got: dict) -> str:
    """What the import said: its one-line refusal, or how many rows it read and whether it wrote them."""
    if "refused" in got:
        return f"refused: {got['refused'][:160]}"
    return f"{got['rows']:,} rows read, {got['invalid']:,} invalid, {'imported' if got['imported'] else 'nothing written'}"


def measure(quick: bool = False) -> list[Result]:
    CACHE.mkdir(parents=True, exist_ok=True)
    town, worker = _world()
    lines = 200_000 if quick else 8_000_000  # (quick: that it runs and refuses, in a few seconds)
    blank = (64 if quick else 2150) * 2**20  # 2.1 GiB
    rows = 1_000 if quick else 100_000
    tag = "quick" if quick else "full"
    manifest = _manifest(worker)
    many = _written(f"identical-{lines}.gcb", worker, itertools.repeat(_event(manifest, 1), lines))
    honest = _written("honest.gcb", worker, [_event(manifest, n) for n in range(1, 11)])
    blanks = _blank_lines(f"blank-{blank >> 20}MiB.gcb", worker, blank)
    rosters = {suffix: CACHE / f"roster-{rows}{suffix}" for suffix in (".csv", ".xlsx")}
    for path in rosters.values():
        if not path.exists():
            valid_roster(path, rows)
    small = CACHE / "roster-10.csv"
    if not small.exists():
        valid_roster(small, 10)
    bomb = CACHE / f"bomb-{tag}.xlsx"
    if not bomb.exists():
        xlsx_bomb(bomb, (300 if quick else 3000) * 2**20)
    big_csv = CACHE / f"big-{tag}.csv"
    if not big_csv.exists():
        csv_of_size(big_csv, (5 if quick else 50) * 2**20)
    strings = {}
    for n in ((100_000 if quick else 500_000), 1_440_000):
        strings[n] = CACHE / f"strings-{n}.xlsx"
        if not strings[n].exists():
            xlsx_altered(strings[n], 3, strings=n)

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="gridcare-hostile-") as tmp:
        folder = Path(tmp)
        floor = _merge(town, honest, folder)
        floor_rss = Figure("merge one honest bundle, peak RSS", [floor["peak_rss"]], "B")
        floor_s = Figure("merge one honest bundle", [floor["seconds"]])
        got = _merge(town, many, folder, again=True)
        label = f"{lines:,} identical event lines ({many.stat().st_size / 2**20:.1f} MB bundle)"
        results += [
            Result(f"hostile: merge {label}, peak", Figure("peak RSS", [got["first"]["peak_rss"]], "B"), floor_rss,
                   target_abs=300 * 2**20, note=f"refused: {'; '.join(got['first']['refused'])[:160]}"),
            Result(f"hostile: merge {label}", Figure("seconds", [got["first"]["seconds"]]), floor_s),
            Result("  the same bundle merged again (remembered)", Figure("seconds", [got["seconds"]]), floor_s,
                   note="not decrypted again: its checksum was refused before"),
        ]
        got = _merge(town, blanks, folder, again=True)
        label = f"{blank / 2**30:.1f} GiB of blank lines ({blanks.stat().st_size / 2**20:.1f} MB bundle)"
        results += [
            Result(f"hostile: merge {label}", Figure("seconds", [got["first"]["seconds"]]), floor_s,
                   note=f"refused: {'; '.join(got['first']['refused'])[:160]}"),
            Result(f"hostile: merge {label}, peak", Figure("peak RSS", [got["first"]["peak_rss"]], "B"), floor_rss),
            Result("  the same bundle merged again (remembered)", Figure("seconds", [got["seconds"]]), floor_s),
        ]
        base = _import(worker, small, folder)
        base_rss = Figure("import a 10-row roster, peak RSS", [base["peak_rss"]], "B")
        base_s = Figure("import a 10-row roster", [base["seconds"]])
        for suffix, path in rosters.items():
            got = _import(worker, path, folder)
            assert got.get("imported"), got
            results += [
                Result(f"roster: import {rows:,} rows ({suffix}), peak", Figure("peak RSS", [got["peak_rss"]], "B"),
                       base_rss, target_abs=200 * 2**20, note="target < 200 MiB"),
                Result(f"roster: import {rows:,} rows ({suffix})", Figure("seconds", [got["seconds"]]), base_s),
            ]
        bomb_label = f"roster: .xlsx of {bomb.stat().st_size / 2**20:.1f} MB holding {(300 if quick else 3000):,} MB of sheet XML"
        csv_label = f"roster: CSV of {big_csv.stat().st_size / 2**20:.0f} MB (long cells)"
        labelled = [(bomb_label, bomb), (csv_label, big_csv)] + [
            (f"roster: .xlsx of {p.stat().st_size / 2**20:.1f} MB defining {n:,} shared strings", p)
            for n, p in strings.items()]
        for label, path in labelled:
            got = _import(worker, path, folder)
            results += [
                Result(label, Figure("seconds", [got["seconds"]]), base_s, note=_outcome(got)),
                Result(f"{label}, peak", Figure("peak RSS", [got["peak_rss"]], "B"), base_rss, target_abs=200 * 2**20),
            ]
    return results


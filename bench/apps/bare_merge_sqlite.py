"""What a bundle whose payload SQLite reads itself (a format version 2, asked of the team at stop 47) could
merge in at best: prints seconds as JSON. An experiment for #17's decision, not a format gridcare writes.

    python bench/apps/bare_merge_sqlite.py DB BUNDLE_DIR WORK_DIR   (DB: a township's SQLite file, keys beside it)

Untimed, standing for the workers' export: each bundle's events written into a SQLite file of the event
table's own shape, compressed (zlib) and encrypted (age) to the township as the JSON Lines payload is. Timed:
each payload's SHA-256, decryption, inflation and writing out as a file; attached; its events inserted with
one INSERT … SELECT; the state of the records written once derived from the event rows by the merge's own
statements (storage/core/sqlite_fresh.py), with the records chosen in SQL too; one transaction. As
bench/apps/bare_merge.py, nothing else: no signature, no value checked, no writer authorised, no bookkeeping.
"""

import hashlib
import json
import sqlite3
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pyrage  # noqa: E402

from storage.core.db import _on_connect, open_database  # noqa: E402
from storage.core.private_keys import private_keys  # noqa: E402
from storage.core.sqlite_bulk import insert_events_ignore  # noqa: E402
from storage.core.sqlite_fresh import _VISIT_RISK, _statement  # noqa: E402
from storage.sync.bundle_file import open_bundle  # noqa: E402
from storage.sync.merge import age_secrets  # noqa: E402
from storage.sync.merge_tuning import MERGE_CACHE_KIB  # noqa: E402

target, bundles, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
work.mkdir(parents=True, exist_ok=True)
secret = private_keys(target).township_age_secret
identity = pyrage.x25519.Identity.from_str(secret)
db = open_database(target)
event_sql = db.engine.connect().exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'event'").scalar()
payloads = []
for path in sorted(bundles.iterdir()):  # the workers' side
    _, events = open_bundle(path, age_secrets(db), None)
    plain = work / (path.name + ".sqlite")
    plain.unlink(missing_ok=True)
    raw = sqlite3.connect(plain)
    raw.execute(event_sql)
    raw.executemany("INSERT INTO event VALUES (?,?,?,?,?,?,?,?,?)", [
        (ev["id"], ev["record_type"], ev["record_id"], json.dumps(ev["fields"], ensure_ascii=False,
                                                                 separators=(",", ":")),
         ev["hlc"], ev["device_id"], int(ev.get("base_hlc") or 0), str(ev.get("author") or ""), None)
        for ev in events])
    raw.commit()
    raw.close()
    sealed = work / (path.name + ".v2")
    sealed.write_bytes(pyrage.encrypt(zlib.compress(plain.read_bytes(), 6), [identity.to_public()]))
    plain.unlink()
    payloads.append(sealed)
assert insert_events_ignore  # the JSON Lines merge's insert, for comparison in the docstring's terms

ATTACHED = 9  # SQLite attaches at most 10 files, and detaches none inside a transaction: a transaction per 9 bundles


PARTS = {"open": 0.0, "events": 0.0, "state": 0.0, "commit": 0.0}  # where the seconds go, printed beside them


def merge_some(raw: sqlite3.Connection, sealed_files: list[Path]) -> None:
    names = []
    t = time.perf_counter()
    for n, sealed in enumerate(sealed_files):  # attached before the transaction, detached after its commit
        data = sealed.read_bytes()
        hashlib.sha256(data).hexdigest()
        opened = work / f"payload{n}.sqlite"
        opened.write_bytes(zlib.decompress(pyrage.decrypt(data, [identity])))
        raw.execute(f"ATTACH DATABASE '{opened}' AS p{n}")
        names.append((f"p{n}", opened))
    raw.execute("BEGIN IMMEDIATE")
    for name, _ in names:
        PARTS["open"] += time.perf_counter() - t
        t = time.perf_counter()
        raw.execute(f"INSERT OR IGNORE INTO main.event SELECT * FROM {name}.event")
        PARTS["events"] += time.perf_counter() - t
        t = time.perf_counter()
        for (rtype,) in raw.execute(f"SELECT DISTINCT record_type FROM {name}.event").fetchall():
            ids = raw.execute(
                f"SELECT json_group_array(id) FROM (SELECT min(id) AS id FROM {name}.event WHERE record_type = ?"
                " GROUP BY record_id HAVING count(*) = 1)", (rtype,)).fetchone()[0]
            sql, params, _columns = _statement(rtype)
            raw.execute(sql, {**params, "ids": ids})
            if rtype == "visit":
                raw.execute(_VISIT_RISK, {"ids": ids})
        PARTS["state"] += time.perf_counter() - t
        t = time.perf_counter()
    raw.execute("COMMIT")
    PARTS["commit"] += time.perf_counter() - t
    t = time.perf_counter()
    for name, opened in names:
        raw.execute(f"DETACH DATABASE {name}")
        opened.unlink()
    PARTS["open"] += time.perf_counter() - t


db.dispose()
raw = sqlite3.connect(target, isolation_level=None)
_on_connect(raw, None)
raw.execute(f"PRAGMA cache_size = -{MERGE_CACHE_KIB}")
t0 = time.perf_counter()
for i in range(0, len(payloads), ATTACHED):
    merge_some(raw, payloads[i:i + ATTACHED])
elapsed = time.perf_counter() - t0
raw.close()
print(json.dumps({"seconds": elapsed, **PARTS}))

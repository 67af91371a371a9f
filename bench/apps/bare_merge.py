"""The least a merge of these bundles written as gridcare's is does, in a process of its own; prints seconds as JSON.

    python bench/apps/bare_merge.py DB BUNDLE_DIR      (DB: a township's SQLite file, its key file beside it)

Each bundle read (signature, checksum, decryption, every line parsed), its events inserted, and the state of
the records they write derived by SQLite from the event rows (storage/core/fresh_state.py), all in one
transaction (the merge commits every 50,000 events). Nothing else: no value checked, no writer authorised, nothing looked up, no risk level refreshed,
no bookkeeping. For a fresh township every record is new and written once, so the state is the merge's.
"""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from storage.core import fresh_state  # noqa: E402
from storage.core.bulk import for_connection  # noqa: E402
from storage.core.collector import collector_paused  # noqa: E402
from storage.core.db import open_database  # noqa: E402
from storage.sync.bundle_file import open_bundle  # noqa: E402
from storage.sync.merge import age_secrets  # noqa: E402
from storage.sync.merge_tuning import large_cache  # noqa: E402

db = open_database(Path(sys.argv[1]))
secrets = age_secrets(db)
t0 = time.perf_counter()
with db.write() as s, large_cache(s), collector_paused():
    conn = s.connection()
    for path in sorted(Path(sys.argv[2]).iterdir()):
        _, events = open_bundle(path, secrets, None)
        batch = list(events)
        for_connection(conn).insert_events_ignore(conn, batch, checked=True)
        fresh: dict[tuple[str, str], list[dict]] = {}
        for ev in batch:
            fresh.setdefault((ev["record_type"], ev["record_id"]), []).append(ev)
        fresh_state.derive_in_sql(conn, fresh_state.served(fresh, set()), set())
elapsed = time.perf_counter() - t0
db.dispose()
print(json.dumps({"seconds": elapsed}))

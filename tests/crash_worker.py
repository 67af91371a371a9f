"""The process the kill harness kills: a stream of real writes, each reported once saved.

    python tests/crash_worker.py worker DB OUT_DIR LOG    visits, edits, registrations, exports
    python tests/crash_worker.py township DB BUNDLE_DIR LOG   merges in small batches of bundles

A line goes to LOG (fsync'd) only after the service call returned, i.e. after
the transaction committed: everything in LOG must survive the kill.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.core.db import open_database  # noqa: E402
from storage.core.errors import UserError  # noqa: E402


def report(log, line: str) -> None:
    log.write(line + "\n")
    log.flush()
    os.fsync(log.fileno())


def worker(db_path: Path, out: Path, log) -> None:
    from sqlmodel import select

    from storage.core.models import Resident
    from storage.register.residents import register_resident, update_resident
    from storage.register.visits import log_visit
    from storage.sync.export import export_bundle

    db = open_database(db_path)
    rng = random.Random(os.getpid())
    with db.session() as s:
        residents = [r.id for r in s.exec(select(Resident)).all()]
    report(log, "ready")
    n = 0
    while True:
        n += 1
        op = rng.choice(["visit", "visit", "visit", "edit", "register", "export"])
        if op == "visit" and residents:
            v = log_visit(db, rng.choice(residents), {"notes": f"探访{n}", "hazards": ["fire"]})
            report(log, f"visit {v.id}")
        elif op == "edit" and residents:
            rid, phone = rng.choice(residents), f"139{rng.randrange(10**8):08d}"
            report(log, f"try-edit {rid} {phone}")  # it may commit and be killed before it reports
            update_resident(db, rid, {"phone": phone})
            report(log, f"edit {rid} {phone}")
        elif op == "register":
            r = register_resident(db, {"name": f"测试{n}", "categories": ["solitary_elder"], "birth_date": dt.date(1950, 1, 1)})
            residents.append(r.id)
            report(log, f"register {r.id}")
        elif op == "export":
            try:
                result = export_bundle(db, out)
            except UserError:
                continue
            report(log, f"export {result.seq} {result.path.name}")


def township(db_path: Path, bundles: Path, log) -> None:
    from storage.sync import merge

    merge.BATCH_EVENTS = 60  # small batches, so that kills land between commits as well as inside them
    db = open_database(db_path)
    report(log, "ready")
    # the clerk's path: several bundles to a transaction
    merge.merge_paths(db, [bundles], progress=lambda done, total: report(log, f"merge {done}/{total}"))
    report(log, "done")


if __name__ == "__main__":
    mode, db_arg, folder, log_path = sys.argv[1:5]
    with open(log_path, "a", encoding="utf-8") as log_file:
        (worker if mode == "worker" else township)(Path(db_arg), Path(folder), log_file)

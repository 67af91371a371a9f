"""Schema step for issue #15: a file from before (no helper columns, no benefit table) upgrades in place."""

from __future__ import annotations

import datetime as dt
import sqlite3

from storage.core.db import SCHEMA_VERSION, open_database
from storage.core.fold import rebuild_all
from storage.core.upgrades import ADDED_TABLES
from storage.register.benefits import record_benefit
from storage.register.pairing import set_paired_helper
from storage.register.residents import register_resident
from storage.sync.dump import dump_lines
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)
STEP = next(n for n, tables in ADDED_TABLES.items() if "benefit" in tables) - 1  # the step that adds them


def _columns(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(str(path))
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        # name, type, NOT NULL, primary key; not the default (a column added by ALTER TABLE needs one) nor the
        # order (added columns come last): writes name their columns
        return {t: sorted((r[1], r[2], r[3], r[5]) for r in conn.execute(f"PRAGMA table_info({t})")) for t in tables}
    finally:
        conn.close()


def _as_before(path) -> None:
    """The file as the release before this step left it."""
    conn = sqlite3.connect(str(path))
    for col in ("helper_name", "helper_phone", "helper_unit", "helper_since"):
        conn.execute(f"ALTER TABLE resident DROP COLUMN {col}")
    conn.execute("DROP TABLE benefit")
    conn.execute(f"PRAGMA user_version = {STEP}")
    conn.commit()
    conn.close()


def test_an_old_file_gains_the_helper_columns_and_the_benefit_table(tmp_path):
    db = make_db(tmp_path / "old.db")
    r = register_resident(db, {"name": "张三", "birth_date": dt.date(1945, 3, 3), "categories": ["solitary_elder"]},
                          today=TODAY)
    db.dispose()
    _as_before(tmp_path / "old.db")
    db = open_database(tmp_path / "old.db")
    assert db.upgraded_from == STEP
    fresh = open_database(tmp_path / "fresh.db")
    assert _columns(tmp_path / "old.db") == _columns(fresh.path)  # exactly the columns of a new file
    before = list(dump_lines(db))
    with db.write() as s:  # the upgraded state is what the events fold to
        rebuild_all(s)
    assert list(dump_lines(db)) == before
    set_paired_helper(db, r.id, "李梅", "13800002222", "村委会", "2026-01-01", today=TODAY)
    record_benefit(db, r.id, "tekun", start_on="2020-01-01", today=TODAY)
    assert sum('"type":"benefit"' in line for line in dump_lines(db)) == 1
    assert STEP + 1 <= SCHEMA_VERSION

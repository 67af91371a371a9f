"""How a merge runs fast without changing what it writes: a bigger SQLite page cache, Python's cycle
collector paused while a bundle is read (storage/core/collector.py: a bundle's tens of thousands of new
dicts and rows, none of them cyclic, set off collection after collection, about a tenth of a township
merge), fresh planner statistics on a server afterwards."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from sqlmodel import Session

from storage.core.db import Database

MERGE_CACHE_KIB = 64 * 1024


# the tables a merge grows: PostgreSQL plans by their statistics, which autovacuum refreshes only later
_ANALYZED = ("event", "resident", "visit", "risk_assessment", "referral", "benefit", "assessment", "conflict")


def analyze(db: Database) -> None:
    """Fresh planner statistics after a merge on a server. A county's first merge grows empty tables by
    100,000s of rows: planned as still empty, the duplicate search's self-join on residents ran as a
    nested loop (22 s for 4 townships); with statistics, a hash join (well under a second)."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"ANALYZE {', '.join(_ANALYZED)}")


def young_garbage_collected() -> None:
    """The youngest generation collected, between two chunks of a bundle while the collector is paused.

    Each chunk's statements (an IN list of up to 900 ids, and SQLAlchemy's objects around it) end in
    reference cycles; with the collector paused for the whole bundle they stayed until its end, so a
    bundle's peak grew with its number of chunks (tests/test_bounded_work.py: 1.54x for 8x the events,
    in one order of the tests). Only what the chunk made is looked at: a few ms against its second of work.
    """
    gc.collect(0)


@contextlib.contextmanager
def large_cache(s: Session) -> Iterator[None]:
    """A bigger page cache while merging: the default 2 MB spilled pages to disk mid-transaction (SQLite)."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    old = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{MERGE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(old)}")

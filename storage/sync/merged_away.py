"""A worker's residents that leave its lists with the township's bundle, named by the merge: merged into
another record (the same person registered twice, found by the clerk), or moved to another grid."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, text

from storage.core.bulk import for_connection
from storage.core.db import Database
from storage.core.models import Identity, Resident
from storage.core.text import printable
from storage.register.lookup import merged_end
from storage.sync.worker_changes import WATCHED, Changed

WATCHED_SET = frozenset(WATCHED)


def merged_before(db: Database) -> set[str] | None:
    """The ids already merged into another record or in another grid, at a worker's database; None elsewhere
    (a township's clerk makes those merges and moves herself, and its merge must not pay for the reading)."""
    with db.session() as s:
        identity = s.get(Identity, 1)
        if identity is None or identity.role != "worker":
            return None
        return set(s.connection().execute(text(
            "SELECT id FROM resident WHERE merged_into IS NOT NULL OR grid_code <> :own"),
            {"own": identity.grid_code or ""}).scalars())


def merged_since(db: Database, before: set[str]) -> list[tuple[str, bool]]:
    """(name, whether the record kept is on this database) of each resident merged into another record since
    `before` was read: kept here, the person stays on the worker's list under the other record; kept in
    another grid's register, the person leaves it."""
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT r.id, r.name, k.id IS NOT NULL FROM resident r"
            " LEFT JOIN resident k ON k.id = r.merged_into AND NOT k.deleted"
            " WHERE r.merged_into IS NOT NULL AND NOT r.deleted ORDER BY r.name, r.id")).all()
    return [(str(name), bool(here)) for rid, name, here in rows if rid not in before]


def moved_since(db: Database, before: set[str], listed: Collection[str] | None = None) -> list[tuple[str, str]]:
    """(name, the grid's short code) of each resident the township moved to another grid since `before` was read:
    the worker's register no longer lists them (storage/register/search.py), so the merge says where they went.
    `listed`: those on the worker's list before; a record new to the laptop that arrives in another grid (a grid's
    bundle carries everyone ever in the grid: storage/sync/export.py) was never on it, and is no news."""
    with db.engine.connect() as conn:
        own = conn.execute(text("SELECT grid_code FROM identity WHERE id = 1")).scalar() or ""
        rows = conn.execute(text(
            "SELECT id, name, grid_code FROM resident WHERE grid_code <> :own AND merged_into IS NULL AND NOT deleted"
            " ORDER BY name, id"), {"own": own}).all()
    return [(str(name), str(grid).split("-", 1)[-1]) for rid, name, grid in rows
            if rid not in before and (listed is None or rid in listed)]


def edited_away(conn: Connection, events: list[dict[str, Any]], existing: set[str]) -> set[tuple[str, str]]:
    """(resident, watched field) for each field these events set on a resident already here (`existing`) that the
    township had merged into another record: a bundle written before the worker learnt of the merge edits the
    record merged away, which the register no longer shows (walk of stop 47)."""
    touched = {(ev["record_id"], name) for ev in events
               if ev["record_type"] == "resident" and ev["record_id"] in existing and "merged_into" not in ev["fields"]
               for name in WATCHED_SET.intersection(ev["fields"])}
    if not touched:
        return set()
    merged = for_connection(conn).column_by_id(conn, "resident", "merged_into", sorted({rid for rid, _ in touched}))
    return {(rid, name) for rid, name in touched if merged.get(rid)}


def landed_away(db: Database, edited: set[tuple[str, str]]) -> list[tuple[Changed, str]]:
    """For each resident in `edited` (edited after the township merged them away), the fields edited where the
    record merged away now differs from the record kept, with the merged-away record's value, and the kept
    record's name: what the clerk may want to carry over by hand. Fields that agree with the kept record, and
    those the bundles did not touch (what the duplicate merge itself left behind, said when it was made), are not
    named."""
    out = []
    with db.session() as s:
        for rid in sorted({rid for rid, _ in edited}):
            away = s.get(Resident, rid)
            kept = merged_end(s, away)
            if away is None or kept is None or kept.merged_into:  # not merged after all, or merged in a circle
                continue
            fields = [(f, getattr(away, f)) for f in WATCHED if (rid, f) in edited
                      and getattr(away, f) != getattr(kept, f) and getattr(away, f) not in (None, "", [])]
            if fields:
                out.append((Changed(printable(away.name, limit=20), fields), printable(kept.name, limit=20)))
    return sorted(out, key=lambda pair: pair[0].name)

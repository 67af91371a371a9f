"""A worker's residents that leave its lists with the township's bundle, named by the merge: merged into
another record (the same person registered twice, found by the clerk), or moved to another grid."""

from __future__ import annotations

from sqlalchemy import text

from storage.core.db import Database
from storage.core.models import Identity


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


def moved_since(db: Database, before: set[str]) -> list[tuple[str, str]]:
    """(name, the grid's short code) of each resident the township moved to another grid since `before` was read:
    the worker's register no longer lists them (storage/register/search.py), so the merge says where they went."""
    with db.engine.connect() as conn:
        own = conn.execute(text("SELECT grid_code FROM identity WHERE id = 1")).scalar() or ""
        rows = conn.execute(text(
            "SELECT id, name, grid_code FROM resident WHERE grid_code <> :own AND merged_into IS NULL AND NOT deleted"
            " ORDER BY name, id"), {"own": own}).all()
    return [(str(name), str(grid).split("-", 1)[-1]) for rid, name, grid in rows if rid not in before]

"""A worker's residents that the township merged into another record (the same person registered twice,
found by the clerk): they leave the worker's lists with the township's bundle, so the merge names them."""

from __future__ import annotations

from sqlalchemy import text

from storage.core.db import Database
from storage.core.models import Identity


def merged_before(db: Database) -> set[str] | None:
    """The ids already merged into another record, at a worker's database; None elsewhere (a township's
    clerk makes those merges herself, and its merge must not pay for the reading)."""
    with db.session() as s:
        identity = s.get(Identity, 1)
        if identity is None or identity.role != "worker":
            return None
        return set(s.connection().execute(text("SELECT id FROM resident WHERE merged_into IS NOT NULL")).scalars())


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

"""SQL in a database file's schema that gridcare never writes, which SQLite would run on gridcare's own reads and writes.

A file may come from elsewhere: a backup offered to restore, a copy opened with --db. Its triggers and views are
refused by the open (storage/core/db.py); so are the definitions gridcare never writes of its tables and indexes:
an index on an expression or with a condition of someone else's is computed at each row written (one of
length(printf('%.*c', 900000000, 'x')) took 6 s and 960 MB a row), a generated column at each read, a CHECK or an
expression DEFAULT at each write; a foreign key's ON DELETE CASCADE or an ON CONFLICT REPLACE deletes rows
gridcare never deleted, and a virtual table runs its module's code. gridcare's tables hold columns, NOT NULL,
constant defaults and primary keys only (storage/core/models, storage/core/upgrades.py), and each of its indexes
is the one SQLAlchemy writes from the models, which this module compares the file's with.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache

# what a table's definition may hold only if someone else wrote it; searched in the whole text, quoted parts too:
# none of these words is in a name or a default of gridcare's, and a quote cannot hide one from the search
_NOT_IN_TABLES = re.compile(r"\b(CHECK|GENERATED|AS|REFERENCES|COLLATE)\b|\bON\s+CONFLICT\b|\bDEFAULT\s*\(|^\s*CREATE\s+"
                            r"VIRTUAL\b", re.IGNORECASE)


def foreign_definitions(conn: sqlite3.Connection, *, indexes: bool = True) -> list[str]:
    """The names of the tables and indexes (`indexes` False: tables only, no models needed) whose definitions hold
    SQL gridcare never writes; [] for a file gridcare made. SQLite's own tables (sqlite_sequence, the statistics
    the merge's ANALYZE writes) and the indexes of primary keys (no SQL) are not looked at."""
    found = []
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL "
                        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").fetchall()
    for kind, name, sql in rows:
        if kind == "table" and _NOT_IN_TABLES.search(str(sql)):
            found.append(str(name))
        elif kind == "index" and indexes and _gridcares_indexes().get(str(name)) != _plain(str(sql)):
            found.append(str(name))
    return sorted(found)


def _plain(sql: str) -> str:
    """An index's SQL without what does not change its meaning: case, spacing, the quotes around a name
    (SQLAlchemy quotes the table "conflict"; an upgrade step wrote its index by hand)."""
    return re.sub(r"[\s\"`\[\]]", "", sql).lower()


@cache
def _gridcares_indexes() -> dict[str, str]:
    """Each index gridcare makes on SQLite, by name: its SQL as a new database gets it and an upgrade adds it
    (storage/core/upgrades.py _create_indexes). A server's own (expressions with a collation) are not SQLite's."""
    from sqlalchemy import Column
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex
    from sqlmodel import SQLModel

    import storage.core.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    dialect = sqlite.dialect()
    return {str(index.name): _plain(str(CreateIndex(index).compile(dialect=dialect)))
            for table in SQLModel.metadata.tables.values() for index in table.indexes
            if all(isinstance(e, Column) for e in index.expressions)}

"""The bulk statements of the connection's engine: storage/core/sqlite_bulk.py or storage/core/pg_bulk.py.

Both modules offer the same functions (existing_event_ids, insert_events_ignore, existing_state_ids,
mark_exported, replace_rows, delete_ids, column_by_id, event_fields); the merge, the rebuild, the export,
the demo and the authorisation call them through `for_connection(conn)` and never spell an engine's SQL
themselves.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def for_connection(conn: Connection) -> ModuleType:
    if conn.dialect.name == "postgresql":
        from storage.core import pg_bulk

        return pg_bulk
    from storage.core import sqlite_bulk

    return sqlite_bulk

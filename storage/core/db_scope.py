"""The databases one command opened, closed when it ends.

A command opens its database with `open_database` (often more than once: a check, then the work) and leaves the
engine to the garbage collector, which on a server left a connection open per engine until it ran: a process that
runs commands one after another (a script, the tests) held the server's connections (one test called gc.collect()
for it). Inside `disposed_at_end()` every database opened is disposed when the block is left, however it is left.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.core.db import Database

_scopes: list[list[Database]] = []  # the open blocks, innermost last: each with the databases opened in it


def opened(db: Database) -> Database:
    """`db`, remembered by the innermost block open (none: the caller keeps and closes it, as the app does)."""
    if _scopes:
        _scopes[-1].append(db)
    return db


@contextlib.contextmanager
def disposed_at_end() -> Iterator[None]:
    """Every database opened inside is disposed (its connections closed) when the block is left."""
    here: list[Database] = []
    _scopes.append(here)
    try:
        yield
    finally:
        _scopes.remove(here)
        for db in here:
            db.dispose()

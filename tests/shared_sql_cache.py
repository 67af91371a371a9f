"""One SQL compile cache for every database a test process opens, as one long-lived engine has.

SQLAlchemy caches the SQL it compiles per engine, keyed by the engine's dialect object. The app opens
one engine and keeps it; a test process opens hundreds (a fresh file or server database per test,
eight per merge-law example), and each new engine compiled every statement again: a third to a half
of a merge-law example went there, none of it work the tests check.

Here every engine of the same kind (SQLite; PostgreSQL on one server) gets the dialect object of the
first one that connected (initialised by that connection, configured by the same create_engine call
in storage/core) and one compile cache. The SQL each statement compiles to is the same; only the
compiling is done once. GRIDCARE_TEST_FRESH_ENGINES=1 turns this off, for a run as before.
"""

from __future__ import annotations

import os
from typing import Any

_DIALECTS: dict[tuple[Any, ...], Any] = {}  # (dialect class, server) -> the first initialised dialect
_CACHES: dict[tuple[Any, ...], Any] = {}  # the same key -> one LRU compile cache
CACHE_SIZE = 5000  # statements; an engine's own default is 500, for one engine's statements


def _key(engine) -> tuple[Any, ...]:
    url = engine.url
    server = None if url.get_backend_name() == "sqlite" else (url.host, url.port, url.username)
    return (type(engine.dialect), url.drivername, server)


def share(engine):
    """`engine` with the shared compile cache, and the shared dialect once one has connected."""
    from sqlalchemy import event
    from sqlalchemy.util import LRUCache

    key = _key(engine)
    if key not in _CACHES:
        _CACHES[key] = LRUCache(CACHE_SIZE)
    engine.update_execution_options(compiled_cache=_CACHES[key])
    if key in _DIALECTS:
        engine.dialect = _DIALECTS[key]
    else:
        own = engine.dialect

        # the pool's first "connect" has run dialect.initialize() (create_engine's listener comes first)
        def donate(_dbapi_conn, _record) -> None:
            _DIALECTS.setdefault(key, own)

        event.listen(engine, "connect", donate)
    return engine


def install() -> None:
    """Wrap storage/core's engine factories (both looked up by name when a database is opened)."""
    if os.environ.get("GRIDCARE_TEST_FRESH_ENGINES"):
        return
    import storage.core.db as files
    import storage.core.db_server as server

    for module, name in ((files, "_make_engine"), (server, "_make_server_engine")):
        made = getattr(module, name)
        if getattr(made, "shared_sql_cache", False):
            continue

        def wrapped(target, _made=made):
            return share(_made(target))

        wrapped.shared_sql_cache = True  # type: ignore[attr-defined]
        setattr(module, name, wrapped)

"""The hot read paths' SQL on PostgreSQL: a psycopg connection seen through the sqlite3 calls they make.

Home's figures, a search keystroke and the policy run their SQL on the DB-API connection, with
sqlite3's placeholders (`:name` with a dict, `?` with a sequence): on a township's SQLite file
SQLAlchemy's work per statement cost more than SQLite's. On a server the same SQL text (written
to run on both engines: `NOT deleted`, `count(*) FILTER (...)`) goes through this adapter, which
turns the placeholders into psycopg's and returns psycopg's cursor (iterable, `fetchone`,
`fetchall`), inside the transaction of the connection it wraps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# a placeholder outside quotes: ":name" (not "::" casts) or "?"
_TOKENS = re.compile(r"'(?:[^']|'')*'|::|:([A-Za-z_]\w*)|\?|%")


def to_pyformat(sql: str) -> str:
    """sqlite3's `:name` and `?` placeholders as psycopg's `%(name)s` and `%s`; a literal `%` doubled."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("'") or token == "::":
            return token.replace("%", "%%") if token.startswith("'") else token
        if token == "%":
            return "%%"
        if token == "?":
            return "%s"
        return f"%({match.group(1)})s"

    return _TOKENS.sub(swap, sql)


class ServerReader:
    """`execute(sql, params)` as on a sqlite3 connection, on a psycopg connection (its open transaction)."""

    in_transaction = True  # the SQLAlchemy connection it comes from manages the transaction

    def __init__(self, conn: Any):
        self._conn = conn
        self._cache: dict[str, str] = {}

    def execute(self, sql: str, params: Mapping[str, Any] | Sequence[Any] = ()):
        if not params:  # psycopg reads placeholders (and doubled %) only when given parameters
            return self._conn.execute(sql)
        converted = self._cache.get(sql)
        if converted is None:
            converted = self._cache[sql] = to_pyformat(sql)
        return self._conn.execute(converted, params)

    def cursor(self):
        return _Cursor(self)


class _Cursor:
    """The little of sqlite3.Cursor the search uses: execute() returning itself, then fetch*."""

    def __init__(self, reader: ServerReader):
        self._reader = reader
        self._result = None
        self.row_factory = None  # ignored: rows are tuples

    def execute(self, sql: str, params: Mapping[str, Any] | Sequence[Any] = ()):
        self._result = self._reader.execute(sql, params)
        return self

    def fetchall(self):
        return self._result.fetchall()

    def fetchone(self):
        return self._result.fetchone()

    def __iter__(self):
        return iter(self._result)

"""JSON as the database stores it: compact UTF-8 text, encoded by msgspec.

One encoder for every JSON column, whether written by the ORM (the engine's
json_serializer) or by the bulk statements of a merge, where json.dumps was a
tenth of the time. msgspec is imported on the first write, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storage.core.errors import UserError

_encode: Callable[[Any], bytes] | None = None
_decode: Callable[[str | bytes], Any] | None = None


def dumps(value: Any) -> str:
    global _encode
    if _encode is None:
        import msgspec

        _encode = msgspec.json.Encoder().encode
    return _encode(value).decode()


class DamagedValue(UserError):
    """A JSON column holding text that is not JSON (the file edited by hand, or a damaged page): said as a damaged
    database, in one line, as SQLite's own 'malformed' errors are (storage/core/errors.py), not as a bug."""


def damaged(server: bool = False) -> DamagedValue:
    """`server`: a PostgreSQL server's database, which gridcare neither backs up nor restores (its own tools do)."""
    from storage.core.i18n import _

    if server:
        return DamagedValue(_("The database on the server is damaged: a value in it cannot be read. Ask whoever looks "
                              "after the server to put back the server's own backup, then merge again the bundles "
                              "merged since. Nothing was changed."))
    return DamagedValue(_("The database file is damaged: put back a backup (b on Home opens Backup and restore; or "
                          "gridcare restore). Nothing was changed."))


def loads(text: str | bytes) -> Any:
    """A JSON column's value as stored; DamagedValue when it is not JSON. The SQLite engine's json_deserializer, and
    the reader of the hot paths that take the text from the driver."""
    global _decode
    if _decode is None:  # bound once, as `_encode` is: this runs for every JSON value the engine reads
        import json

        _decode = json.loads
    try:
        return _decode(text)
    except (ValueError, RecursionError):  # (JSONDecodeError is a ValueError; so is text that is not UTF-8)
        raise damaged() from None


def json_object(value: Any) -> dict[str, Any] | None:
    """A JSON object column as the driver gives it (SQLite: text; PostgreSQL: already parsed): {} for JSON that is no
    object, None for text that is not JSON (what that means is the reader's to say)."""
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    return value if isinstance(value, dict) else {}

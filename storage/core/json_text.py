"""JSON as the database stores it: compact UTF-8 text, encoded by msgspec.

One encoder for every JSON column, whether written by the ORM (the engine's
json_serializer) or by the bulk statements of a merge, where json.dumps was a
tenth of the time. msgspec is imported on the first write, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_encode: Callable[[Any], bytes] | None = None


def dumps(value: Any) -> str:
    global _encode
    if _encode is None:
        import msgspec

        _encode = msgspec.json.Encoder().encode
    return _encode(value).decode()

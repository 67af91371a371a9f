"""The shape of one event line in a bundle, checked by msgspec as it parses (in C).

Kept apart from bundle_file so that msgspec is imported only when a bundle is read.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

import msgspec

from storage.sync.bundle_file import MAX_INT

Text = Annotated[str, msgspec.Meta(min_length=1)]
Stamp = Annotated[int, msgspec.Meta(ge=0, le=MAX_INT)]


class RequiredKeys(TypedDict):
    id: Text
    record_type: Text
    record_id: Text
    fields: dict[str, Any]
    hlc: Stamp
    device_id: Text


class EventLine(RequiredKeys, total=False):
    # read leniently, as before msgspec: int(base_hlc or 0), str(author or "")
    base_hlc: Any
    author: Any


# strict JSON: no NaN, no lone UTF-16 surrogates, valid UTF-8; a bool is not an int
DECODER = msgspec.json.Decoder(EventLine)

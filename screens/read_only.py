"""A county's database changes no record (DESIGN §2): its screens show, and offer no key that writes.

Storage refuses such a write at a county anyway (storage/core/changes.py writing_identity); the screens
do not offer it, so a county user never meets a key that can only fail.
"""

from __future__ import annotations

from typing import Any


def at_county(app: Any) -> bool:
    """True on a county's database: the screens there are read-only."""
    ident = getattr(app, "identity", None)
    return ident is not None and ident.role == "county"

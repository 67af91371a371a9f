"""Home's figures read a moment after its first ones are on screen: the benefit lists and the duplicates' count.

At start-up Home shows what its quick read found (storage/register/home.py `read_home(..., later=True)`), and
these follow from the same file once that screen is drawn: they are two tabs that are not the one open and a
township's duplicates line, and reading them first put ~35 ms more before the first figures at every start of a
township's app (bench/m_startup.py). Every other read of Home's figures (`home_data`, F5, a saved visit) reads them
with the rest.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.register.benefit_lists import WatchRow
    from storage.register.home_rows import HomeData

LATER_LISTS = ("benefits", "unpaired")
LIST_LIMIT = 200  # rows per home list (home.py's too): the register screen is for browsing everyone


@dataclass
class Later:
    benefits: list[WatchRow] = field(default_factory=list)
    unpaired: list[WatchRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # list name -> full length
    possible_duplicates: int = 0


def read_later(raw: sqlite3.Connection, data: HomeData) -> Later:
    """What `read_home(..., later=True)` left out of `data`, in one read transaction of `raw` (autocommit mode)."""
    own = not raw.in_transaction
    if own:
        raw.execute("BEGIN")
    try:
        return _read(raw, data)
    finally:
        if own:
            raw.execute("ROLLBACK")  # read only


def _read(raw: sqlite3.Connection, data: HomeData) -> Later:
    from storage.register.benefit_lists import benefit_watch

    watch = benefit_watch(raw, data.today, data.grid_code)
    later = Later()
    for name, items in (("benefits", watch.unclaimed + watch.ending), ("unpaired", watch.unpaired)):
        later.counts[name] = len(items)
        setattr(later, name, items[:LIST_LIMIT])
    if data.role == "township":
        from storage.register.duplicate_sql import count_pairs

        later.possible_duplicates = count_pairs(raw)
    return later


def add_later(data: HomeData, later: Later) -> None:
    """`data` (Home's first figures) completed with `later`, in place."""
    data.benefits, data.unpaired = later.benefits, later.unpaired
    data.counts.update(later.counts)
    data.possible_duplicates = later.possible_duplicates
    data.later = False

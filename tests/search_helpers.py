"""The register's search as the list shows it: the names found, every one counted (the list's count agrees)."""

from __future__ import annotations

import datetime as dt

from storage.register.search import ResidentFilter, count_residents, search_residents


def found_names(db, query: str, today: dt.date) -> list[str]:
    """The names the register lists for `query`, cases closed too; the count the list shows must be theirs."""
    with db.session() as s:
        found = [r.name for r in search_residents(s, query, filters=ResidentFilter(status=None), today=today)]
        assert count_residents(s, query, filters=ResidentFilter(status=None), today=today) == len(found)
    return found

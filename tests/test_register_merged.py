"""The register counts a merged duplicate's visits for the record it was merged into, on both engines (walk G, 2).

Seen: after the clerk merged 江爱珍's two records, her other grid's worker went on visiting the duplicate; Home,
her page and the report took that visit, the register still listed her "逾期 65 天" and its 逾期 filter
counted 33 where Home said 32."""

from __future__ import annotations

import datetime as dt

from storage.register.duplicates import merge_residents
from storage.register.profile import resident_profile
from storage.register.residents import register_resident
from storage.register.search import ResidentFilter, count_residents, search_residents
from storage.register.visits import log_visit
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)
LONG_AGO = dt.date(2025, 3, 1)


def _person(db, name: str):
    return register_resident(db, {"name": name, "categories": ["solitary_elder"], "birth_date": dt.date(1944, 5, 6),
                                  "registered_on": LONG_AGO, "grid_code": "330521101-G01"}, today=TODAY)


def _names(db, due: str) -> list[str]:
    with db.session() as s:
        found = [r.name for r in search_residents(s, "", filters=ResidentFilter(due=due), today=TODAY)]
        assert count_residents(s, "", filters=ResidentFilter(due=due), today=TODAY) == len(found)
    return sorted(found)


def test_a_duplicates_visit_counts_in_the_register_row_and_its_filters(tmp_path, db_target):
    db = make_db(db_target, role="township")
    kept, dup = _person(db, "江爱珍"), _person(db, "江爱珍")
    log_visit(db, dup.id, {"visit_date": TODAY - dt.timedelta(days=2), "resident_seen": True}, today=TODAY)
    alone, alone_dup = _person(db, "陈阿婆"), _person(db, "陈阿婆")  # a pair neither side visited: overdue still
    _person(db, "韩水根")  # no duplicate, never visited: the SQL's answer as before
    merge_residents(db, kept.id, dup.id)
    merge_residents(db, alone.id, alone_dup.id)

    with db.session() as s:
        rows = {r.name: r for r in search_residents(s, "江爱珍", today=TODAY)}
    row = rows["江爱珍"]
    assert row.last_visit == TODAY - dt.timedelta(days=2)
    assert row.due_on == resident_profile(db, kept.id, TODAY).due_on
    assert _names(db, "overdue") == ["陈阿婆", "韩水根"]
    assert _names(db, "visited_month") == ["江爱珍"]
    assert _names(db, "not_visited_month") == ["陈阿婆", "韩水根"]
    if db.is_sqlite:  # Home reads SQLite only: the register says what Home says
        from storage.register.home import home_data

        assert sorted(r.name for r in home_data(db, TODAY).overdue) == _names(db, "overdue")
    db.dispose()

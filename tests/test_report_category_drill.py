"""A drill into a category reads that category's key persons alone (storage/reports/monthly.py of_category,
report_query.category_where), and lists exactly what the list of everyone, filtered, lists.

At a county the first drill into a category read all 120,000 key persons (3.5–4.5 s, tmux at 80×24); the SQL now
reads those who may be in it (a code's "_" is LIKE's any character: a few more) and Python keeps those who are.
高龄老年人 is derived from the age on the report's day, not stored: read by the birth date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from storage.register.categories import ADVANCED_AGE
from storage.reports.monthly import monthly_report
from tests.report_helpers import TODAY
from tests.test_report_grouped import _target, town_file  # noqa: F401 - the fixture, used by name


def _stored(db, resident_id: str) -> str:
    with db.session() as s:
        return str(s.execute(text("SELECT categories FROM resident WHERE id = :id"), {"id": resident_id}).scalar())


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_category_drill_lists_what_everyone_filtered_lists(town_file, tmp_path, engine):  # noqa: F811
    db, url = _target(town_file, tmp_path, "rules", engine)
    try:
        for year, month, day in ((2026, 9, TODAY), (2026, 10, dt.date(2026, 10, 4))):
            narrowed = monthly_report(db, year, month, today=day)
            whole = monthly_report(db, year, month, today=day)
            whole.read_category = None  # the reference: everyone read, then filtered
            reads: list[str] = []
            read = narrowed.read_category
            assert read is not None
            narrowed.read_category = lambda category, reads=reads, read=read: reads.append(category) or read(category)
            categories = [row.key for row in whole.rows["category"]]
            assert ADVANCED_AGE in categories and len(categories) >= 6, categories
            for row in whole.rows["category"]:
                for measure, figure in (("key_persons", row.key_persons), ("visited", row.visited)):
                    assert not narrowed.is_read(measure, "category", row.key) or row.key in reads
                    got = narrowed.behind("category", row.key, measure)
                    assert got == whole.behind("category", row.key, measure)  # every field, referrals counted
                    assert len(got) == figure, (row.key, measure)  # and as the table counts them
                    assert narrowed.is_read(measure, "category", row.key)
            assert reads == categories  # each read once, and everyone never
            assert narrowed._everyone is None and whole._everyone is not None
            elders = narrowed.behind("category", ADVANCED_AGE, "key_persons")
            assert elders and all(p.age >= 80 for p in elders)
            # none of them has it stored (it is derived): all read by their birth date
            assert not any(ADVANCED_AGE in _stored(db, p.id) for p in elders)
    finally:
        db.dispose()
        if url:
            from tests import pg

            pg.drop_database(url)

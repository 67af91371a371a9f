"""The benefit lists read only the residents SQL says may be on one (storage/register/benefit_lists.py
`_may_appear`): the same lists as the rule over every active resident, on both engines, with residents
each reachable by one term only (a period ending within 30 days of a resident no hint applies to, one of
a merged duplicate, a disabled adult by the card alone, a child by the birth date alone, a closed case)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import text

from storage.core.db import driver_connection, open_database
from storage.register import eligibility
from storage.register.benefit_lists import Watch, benefit_watch
from storage.register.benefits import record_benefit
from storage.register.duplicates import merge_residents
from storage.register.residents import close_case, register_resident
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)
CARD_ID = "11010519491231002X"


def test_every_hint_needs_what_the_sql_reads():
    """Any Facts with a hint is a child or disabled, and disabled is a grade or a HINT_CATEGORIES category:
    a new rule that needs neither fails here before the lists lose its residents."""
    cats = ("severely_disabled", "disabled_3_4_intellectual_mental", "seriously_ill", "left_behind_child",
            "solitary_elder")
    for child, n, dcat, grade, dibao in itertools.product((False, True), range(len(cats) + 1),
                                                         (None, 1, 5, 6), (None, 1, 2, 3, 4), (False, True)):
        for chosen in itertools.combinations(cats, n):
            f = eligibility.Facts(child, frozenset(chosen), dcat, grade, dibao)
            if eligibility.hints(f):
                assert eligibility.may_hint(f), f
            assert f.disabled == (grade is not None or not f.categories.isdisjoint(eligibility.HINT_CATEGORIES)), f


def _town(path):
    db = make_db(path)

    def person(name, cats, **extra):
        return register_resident(db, {"name": name, "categories": cats, "registered_on": dt.date(2026, 1, 5),
                                      "birth_date": dt.date(1950, 3, 1), **extra}, today=TODAY).id

    plain = person("平常甲", ["empty_nest_elder"])  # no hint, no pairing: listed by the period ending alone
    record_benefit(db, plain, "dibao", start_on="2026-01-01", end_on=TODAY + dt.timedelta(days=30), today=TODAY)
    later = person("平常乙", ["empty_nest_elder"])  # ends on the 31st day: on no list
    record_benefit(db, later, "dibao", start_on="2026-01-01", end_on=TODAY + dt.timedelta(days=31), today=TODAY)
    kept, dup = person("合并甲", ["empty_nest_elder"]), person("合并乙", ["empty_nest_elder"])
    record_benefit(db, dup, "dibao", start_on="2026-01-01", end_on=TODAY + dt.timedelta(days=3), today=TODAY)
    merge_residents(db, kept, dup)  # the duplicate's period ends on its record
    person("持证甲", ["empty_nest_elder"], id_number=CARD_ID, birth_date=dt.date(1949, 12, 31),
           disability_card=CARD_ID + "53")  # grade 3 intellectual: a living subsidy by the card alone
    child = person("儿童甲", ["seriously_ill"], birth_date=dt.date(2015, 6, 1))  # a child by the birth date alone, in dibao
    record_benefit(db, child, "dibao", start_on="2026-01-01", today=TODAY)
    closed = person("结案甲", ["severely_disabled", "solitary_elder"])  # would be on all three lists
    record_benefit(db, closed, "dibao", start_on="2026-01-01", end_on=TODAY + dt.timedelta(days=5), today=TODAY)
    close_case(db, closed, "moved_away", dt.date(2026, 10, 1), today=TODAY)
    person("独居甲", ["solitary_elder"])  # wants a paired helper
    blank, paired = person("独居乙", ["solitary_elder"]), person("独居丙", ["left_behind_child"],
                                                                birth_date=dt.date(2016, 2, 1))
    with db.write() as s:  # a helper of whitespace only (an older or hostile file): as none
        s.execute(text("UPDATE resident SET helper_name = :h WHERE id = :id"), {"h": "\u3000\t ", "id": blank})
        s.execute(text("UPDATE resident SET helper_name = :h WHERE id = :id"), {"h": " 李四", "id": paired})
    return db


def _rows(w: Watch) -> tuple:
    return tuple([(r.name, r.resident_id, r.benefit, r.why, r.start_on, r.end_on, tuple(r.categories))
                  for r in rows] for rows in (w.unclaimed, w.ending, w.unpaired))


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_narrowed_lists_are_the_rule_over_everyone(tmp_path, engine):
    db, url = _town(tmp_path / "w.db"), None
    if engine == "postgresql":
        from tests import pg

        db.dispose()
        url = pg.create_database()
        pg.copy_sqlite_into(tmp_path / "w.db", url)
        db = open_database(url)
    try:
        with db.engine.connect() as conn:
            raw = driver_connection(conn)
            for day in (TODAY, TODAY + dt.timedelta(days=2)):
                narrow, everyone = benefit_watch(raw, day), benefit_watch(raw, day, everyone=True)
                assert _rows(narrow) == _rows(everyone)
            w = benefit_watch(raw, TODAY)
    finally:
        db.dispose()
        if url:
            from tests import pg

            pg.drop_database(url)
    assert sorted((r.name, r.benefit) for r in w.unclaimed) == [
        ("儿童甲", "child_allowance"), ("持证甲", "living_subsidy")]
    assert sorted(r.name for r in w.ending) == ["合并甲", "平常甲"]
    assert sorted(r.name for r in w.unpaired) == ["独居乙", "独居甲"]

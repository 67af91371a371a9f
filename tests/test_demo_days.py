"""The demo on any day of the month (issue #13): made on the 1st, the 15th or the month's last day, its
month reads as that day of a worker's month, and nothing it writes of a person contradicts their household.

Made on the 1st, the demo used to stop its history at yesterday: every bar of the new month read 0%.
Now each resident's visit of the month is planned on one of its first days and made when that day is
past (today's: the morning round); last month stays complete. The bar's definition is untouched.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from storage.core.db import open_database
from storage.core.models import Resident, RiskAssessment, Visit
from storage.demo.build import generate
from storage.register.home import home_data
from storage.reports.monthly import monthly_report

# the first, a middle and the last day of a month (all before the real clock: events dated like their day)
DAYS = {dt.date(2026, 11, 1): (0.02, 0.15), dt.date(2026, 11, 15): (0.40, 0.80), dt.date(2026, 11, 30): (0.80, 0.97)}


@pytest.fixture(scope="module", params=sorted(DAYS), ids=lambda d: d.isoformat())
def demo_on(request, tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("demo") / "grid.db")
    generate(db, seed=11, today=request.param)
    yield request.param, db
    db.dispose()


def _all(db, model):
    with db.session() as s:
        return list(s.exec(select(model)).all())


def test_the_month_reads_as_that_day_of_it_and_last_month_is_complete(demo_on):
    day, db = demo_on
    home = home_data(db, day)
    low, high = DAYS[day]
    assert low <= home.overall.visited / home.overall.total <= high
    visits = _all(db, Visit)
    assert max(v.visit_date for v in visits) == day  # this morning's round
    if day.day == 1:
        # made on the 1st: a few visited this morning, in several categories, and last month complete-ish
        assert sum(p.visited > 0 for p in home.by_category) >= 3
        previous = monthly_report(db, 2026, 10, today=day)
        assert previous.totals.visit_rate >= 0.8


def test_nothing_written_of_a_person_contradicts_their_household(demo_on):
    day, db = demo_on
    residents = {r.id: r for r in _all(db, Resident)}
    said: dict[str, list[str]] = {rid: [r.notes] for rid, r in residents.items()}
    for v in _all(db, Visit):
        said[v.resident_id] += [v.met_with, v.notes, *v.observations.values()]
    for a in _all(db, RiskAssessment):
        said[a.resident_id].append(a.reason)
    seen = {"solitary": 0, "childless": 0, "orphan": 0, "ill man": 0}
    for rid, texts in said.items():
        r, text = residents[rid], " ".join(texts)
        cats = set(r.categories)
        if cats & {"solitary_elder", "widowed_childless_elder"}:
            seen["solitary"] += 1
            assert "老伴" not in text.replace("老伴已过世", ""), (r.categories, texts)  # 独居 with 老伴照顾日常起居
        if "widowed_childless_elder" in cats:
            seen["childless"] += 1
            assert not any(w in text for w in ("子女", "儿女", "儿子", "女儿")), texts
        if not cats & {"left_behind_child", "child_in_difficulty"}:
            assert "监护" not in text, (r.categories, texts)  # 监护落实到位 is a child's
        if (r.father_status, r.mother_status) == ("deceased", "deceased"):
            seen["orphan"] += 1
            assert not any(w in text for w in ("父母每周", "父母春节", "父母在外", "父母已回家")), texts
        if cats == {"seriously_ill"} and r.sex == "M":
            seen["ill man"] += 1
            assert "丈夫" not in text and "妇女" not in text, texts
    assert seen["solitary"] > 20 and seen["childless"] > 5 and seen["ill man"] > 0


def test_closed_cases_carry_a_remark_of_their_own(demo_on):
    """The demo closes cases as the app does: reason, date, and (mostly) a remark in close_note, none in 备注."""
    _day, db = demo_on
    closed = [r for r in _all(db, Resident) if r.status == "closed"]
    assert closed and sum(bool(r.close_note) for r in closed) >= len(closed) // 3
    assert all("核实" not in r.notes and "超龄" not in r.notes for r in closed)

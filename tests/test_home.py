"""The home screen's figures (storage/register/home.py) on a small hand-built register."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.register.home import home_data, resident_due_rows, visited_in_month
from storage.register.residents import close_case, register_resident
from storage.register.visits import delete_visit, log_visit
from tests.foundation_helpers import make_db

TODAY = dt.date(2026, 11, 24)
REGISTERED = dt.date(2026, 6, 1)
ELDER = dt.date(1945, 5, 5)


def _person(db, name, *, categories=("solitary_elder",), risk="low", born=ELDER, registered=REGISTERED, id_number=None):
    fields = {"name": name, "categories": list(categories), "registered_on": registered}
    # with an ID number the birth date is derived from it
    fields.update({"id_number": id_number} if id_number else {"birth_date": born})
    return register_resident(db, fields, risk_level=risk, today=TODAY).id


def _visit(db, rid, day, method="home", **more):
    return log_visit(db, rid, {"visit_date": day, "method": method, **more}, today=TODAY)


@pytest.fixture
def register(tmp_path):
    db = make_db(tmp_path / "home.db")
    ids = {
        "visited": _person(db, "甲", id_number="11010519491231002X"),
        "high": _person(db, "乙", risk="high", categories=["severely_disabled"]),
        "late": _person(db, "丙"),
        "emergency_new": _person(db, "丁", risk="emergency", registered=dt.date(2026, 11, 20)),
        "phone": _person(db, "戊", categories=["empty_nest_elder"]),
        "child": _person(db, "己", categories=["left_behind_child"], born=dt.date(2010, 12, 20)),
        "proxy": _person(db, "庚"),
        "closed": _person(db, "辛"),
        "deleted_visit": _person(db, "壬"),
    }
    _visit(db, ids["visited"], dt.date(2026, 11, 10))
    _visit(db, ids["high"], dt.date(2026, 11, 1))
    _visit(db, ids["late"], dt.date(2026, 10, 1))
    _visit(db, ids["phone"], dt.date(2026, 10, 28), method="phone")
    _visit(db, ids["child"], dt.date(2026, 11, 5))
    _visit(db, ids["proxy"], dt.date(2026, 10, 30))
    _visit(db, ids["proxy"], dt.date(2026, 11, 15), method="proxy")  # the resident was not seen: does not count
    _visit(db, ids["closed"], dt.date(2026, 9, 1))
    close_case(db, ids["closed"], "moved_away", closed_on=dt.date(2026, 11, 2))
    _visit(db, ids["deleted_visit"], dt.date(2026, 10, 20))
    gone = _visit(db, ids["deleted_visit"], dt.date(2026, 11, 20))
    delete_visit(db, gone.id)
    return db, ids


def test_due_rows_follow_the_policy(register):
    db, ids = register
    with db.session() as s:
        rows = {r.id: r for r in resident_due_rows(s, TODAY)}
    assert ids["closed"] not in rows
    assert rows[ids["visited"]].due_on == dt.date(2026, 12, 10) and not rows[ids["visited"]].overdue
    assert rows[ids["high"]].due_on == dt.date(2026, 11, 8) and rows[ids["high"]].days_overdue == 16
    assert rows[ids["late"]].days_overdue == 24
    # never visited: registration date + frequency (emergency: one day)
    assert rows[ids["emergency_new"]].last_seen is None
    assert rows[ids["emergency_new"]].due_on == dt.date(2026, 11, 21)
    assert rows[ids["proxy"]].last_seen == dt.date(2026, 10, 30)
    assert rows[ids["deleted_visit"]].last_seen == dt.date(2026, 10, 20)
    assert rows[ids["phone"]].last_seen == dt.date(2026, 10, 28)
    assert rows[ids["visited"]].masked_id == "1101**********002X"  # never the full number on a list
    assert rows[ids["late"]].masked_id == ""  # no ID number
    assert visited_in_month(rows[ids["child"]], TODAY) and not visited_in_month(rows[ids["proxy"]], TODAY)


def test_progress_counts_active_key_persons_seen_this_month(register):
    db, ids = register
    data = home_data(db, TODAY)
    assert data.role == "worker"
    assert (data.overall.visited, data.overall.total) == (3, 8)  # visited, high, child; the closed case not counted
    by_cat = {p.key: (p.visited, p.total) for p in data.by_category}
    assert by_cat == {"left_behind_child": (1, 1), "solitary_elder": (1, 5), "empty_nest_elder": (0, 1),
                      "severely_disabled": (1, 1)}


def test_overdue_sorted_by_risk_then_days(register):
    db, ids = register
    data = home_data(db, TODAY)
    order = [r.id for r in data.overdue]
    assert order == [ids["emergency_new"], ids["high"], ids["late"], ids["deleted_visit"]]  # low: 24 days, then 5
    assert data.counts["overdue"] == 4
    assert [r.id for r in data.high_risk] == [ids["emergency_new"], ids["high"]]


def test_due_this_week_and_age_outs(register):
    db, ids = register
    data = home_data(db, TODAY)
    # phone call on 28 Oct -> due 27 Nov; proxy visit ignored, home visit on 30 Oct -> due 29 Nov
    assert [r.id for r in data.due_week] == [ids["phone"], ids["proxy"]]
    assert [(r.id, when) for r, when in data.ageing_out] == [(ids["child"], dt.date(2026, 12, 20))]


def test_a_new_visit_moves_a_resident_off_the_overdue_list(register):
    db, ids = register
    _visit(db, ids["late"], TODAY)
    data = home_data(db, TODAY)
    assert ids["late"] not in [r.id for r in data.overdue]
    assert data.overall.visited == 4
    assert data.recent[0].resident_id == ids["late"]


def test_phone_calls_do_not_count_when_the_policy_says_so(register):
    from storage.core.changes import writer

    db, ids = register
    with db.write() as s:
        writer(s).write("setting", "policy.phone_counts", {"value": False})
    data = home_data(db, TODAY)
    rows = {r.id: r for r in data.overdue}
    assert rows[ids["phone"]].last_seen is None  # only a phone call: due since registration

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
    # entered on the day registered: a risk given at registration dates from then
    return register_resident(db, fields, risk_level=risk, today=registered).id


def _visit(db, rid, day, method="home", **more):
    return log_visit(db, rid, {"visit_date": day, "method": method, **more}, today=TODAY)


@pytest.fixture
def register(tmp_path):
    db = make_db(tmp_path / "home.db")
    ids = {
        "visited": _person(db, "甲", id_number="110105194505050021"),  # born on ELDER
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
    _visit(db, ids["late"], dt.date(2026, 9, 30))
    _visit(db, ids["phone"], dt.date(2026, 10, 28), method="phone")
    _visit(db, ids["child"], dt.date(2026, 11, 5))
    _visit(db, ids["proxy"], dt.date(2026, 10, 30))
    _visit(db, ids["proxy"], dt.date(2026, 11, 15), method="proxy")  # the resident was not seen: does not count
    _visit(db, ids["closed"], dt.date(2026, 9, 1))
    close_case(db, ids["closed"], "moved_away", closed_on=dt.date(2026, 11, 2), today=TODAY)
    _visit(db, ids["deleted_visit"], dt.date(2026, 10, 20))
    gone = _visit(db, ids["deleted_visit"], dt.date(2026, 11, 20))
    delete_visit(db, gone.id)
    return db, ids


def test_due_rows_follow_the_policy(register):
    db, ids = register
    with db.session() as s:
        rows = {r.id: r for r in resident_due_rows(s, TODAY)}
    assert ids["closed"] not in rows
    # once every calendar month: visited in November, due by the end of December
    assert rows[ids["visited"]].due_on == dt.date(2026, 12, 31) and not rows[ids["visited"]].overdue
    assert rows[ids["high"]].due_on == dt.date(2026, 11, 8) and rows[ids["high"]].days_overdue == 16
    # last seen in September: due by 10-31, overdue from 11-01
    assert rows[ids["late"]].due_on == dt.date(2026, 10, 31) and rows[ids["late"]].days_overdue == 24
    assert rows[ids["deleted_visit"]].due_on == dt.date(2026, 11, 30)
    # never visited, emergency from registration: within a day of the finding
    assert rows[ids["emergency_new"]].last_seen is None
    assert rows[ids["emergency_new"]].due_on == dt.date(2026, 11, 21)
    assert rows[ids["proxy"]].last_seen == dt.date(2026, 10, 30)
    assert rows[ids["deleted_visit"]].last_seen == dt.date(2026, 10, 20)
    assert rows[ids["phone"]].last_seen == dt.date(2026, 10, 28)
    assert rows[ids["visited"]].masked_id == "1101**********0021"  # never the full number on a list
    assert rows[ids["late"]].masked_id == ""  # no ID number
    assert visited_in_month(rows[ids["child"]], TODAY) and not visited_in_month(rows[ids["proxy"]], TODAY)


def test_progress_counts_active_key_persons_seen_this_month(register):
    db, ids = register
    data = home_data(db, TODAY)
    assert data.role == "worker"
    assert (data.overall.visited, data.overall.total) == (3, 8)  # visited, high, child; the closed case not counted
    by_cat = {p.key: (p.visited, p.total) for p in data.by_category}
    # everyone but the child is born in ELDER's year, so 80 or over: 高龄老年人, derived, counted beside the rest
    assert by_cat == {"left_behind_child": (1, 1), "solitary_elder": (1, 5), "empty_nest_elder": (0, 1),
                      "severely_disabled": (1, 1), "advanced_age": (2, 7)}


def test_overdue_sorted_by_risk_then_days(register):
    db, ids = register
    data = home_data(db, TODAY)
    order = [r.id for r in data.overdue]
    assert order == [ids["emergency_new"], ids["high"], ids["late"]]
    assert data.counts["overdue"] == 3
    assert [r.id for r in data.high_risk] == [ids["emergency_new"], ids["high"]]


def test_due_this_week_and_age_outs(register):
    db, ids = register
    data = home_data(db, TODAY)
    # last seen in October (phone call 10-28; home visit 10-20; home visit 10-30, the proxy visit ignored):
    # due by 11-30, within the week from 11-24; ties by name
    assert [r.id for r in data.due_week] == [ids["deleted_visit"], ids["proxy"], ids["phone"]]
    assert [(r.id, when) for r, when in data.ageing_out] == [(ids["child"], dt.date(2026, 12, 20))]


def test_a_new_visit_moves_a_resident_off_the_overdue_list(register):
    db, ids = register
    _visit(db, ids["late"], TODAY)
    data = home_data(db, TODAY)
    assert ids["late"] not in [r.id for r in data.overdue]
    assert data.overall.visited == 4
    assert data.recent[0].resident_id == ids["late"]


def test_phone_calls_do_not_count_when_the_policy_says_so(register):
    from storage.core.identity import get_identity

    db, ids = register
    assert get_identity(db).role == "worker"
    with db.write() as s:  # as a merged township bundle would: a worker's laptop cannot set it itself
        from storage.core.changes import writer
        from storage.register.policy import POLICY_ID, Policy, policy_value

        writer(s).write("setting", POLICY_ID, {"value": policy_value(Policy(
            counts={"home": "always", "phone": "never", "video": "never", "proxy": "never"}, since=TODAY))})
    data = home_data(db, TODAY)
    rows = {r.id: r for r in data.overdue}
    assert rows[ids["phone"]].last_seen is None  # only a phone call: due since registration
    assert rows[ids["phone"]].due_on == dt.date(2026, 6, 30) and data.policy.since == TODAY


def test_a_planned_visit_shows_this_week_but_never_hides_a_due_date(register):
    db, ids = register
    # 甲 (visited 11-10, due by 12-31) planned for 11-27; 丙 (overdue since 11-01) planned for 11-26
    _visit(db, ids["visited"], dt.date(2026, 11, 12), next_visit_on=dt.date(2026, 11, 27))
    _visit(db, ids["late"], dt.date(2026, 10, 5), method="proxy", next_visit_on=dt.date(2026, 11, 26))
    data = home_data(db, TODAY)
    week = {r.id: (r.planned_on, r.due_on) for r in data.due_week}
    assert week[ids["visited"]] == (dt.date(2026, 11, 27), dt.date(2026, 12, 31))
    # the plan is the worker's: 丙 stays overdue by the policy, whatever was typed
    late = next(r for r in data.overdue if r.id == ids["late"])
    assert late.days_overdue == 24 and late.planned_on == dt.date(2026, 11, 26)
    assert [r.id for r in data.due_week][0] == ids["late"]  # its plan (11-26) is the week's earliest day


def test_home_and_the_report_count_the_month_alike(register):
    from storage.reports.monthly import monthly_report

    db, ids = register
    _visit(db, ids["closed"], dt.date(2026, 11, 1))  # the day before its close: it counts in November
    data = home_data(db, TODAY)
    report = monthly_report(db, 2026, 11, today=TODAY)
    assert (data.overall.total, data.overall.visited) == (report.totals.key_persons, report.totals.visited) == (9, 4)
    by_cat = {p.key: (p.total, p.visited) for p in data.by_category}
    assert by_cat == {r.key: (r.key_persons, r.visited) for r in report.rows["category"]}
    assert data.counts["overdue"] == report.totals.overdue


def test_the_township_counts_this_week_as_the_worker_does(tmp_path):
    """Walk F, 4: the worker's 本周 held the visits they planned, the township's (same grid, same policy) not, and
    its 计划探访 column stood empty: 95 against 45."""
    from storage.register.visits import log_visit
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    planned = elder(w, "张三")
    elder(w, "李四")
    log_visit(w, planned.id, {"visit_date": dt.date(2026, 11, 20), "next_visit_on": dt.date(2026, 11, 26)},
              today=dt.date(2026, 11, 20))  # due by the end of December: in this week's list by its plan alone
    merge_paths(t.db, [export_bundle(w, tmp_path / "usb").path])
    worker, township = home_data(w, TODAY), home_data(t.db, TODAY)
    assert [(r.name, r.planned_on) for r in township.due_week if r.planned_on] == [("张三", dt.date(2026, 11, 26))]
    assert [(r.id, r.planned_on) for r in township.due_week] == [(r.id, r.planned_on) for r in worker.due_week]
    assert township.counts["due_week"] == worker.counts["due_week"]

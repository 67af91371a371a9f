"""The monthly report against figures worked out by hand (story: tests/report_helpers.py).

September 2026, report day 09-30. Key persons: A B C D E F (G01) and H I J K
(G02) = 10. Not: M (merged into D), G (closed 08-20, before the month), N
(registered 10-03, after it), L (closed 09-05 before any visit in September:
a case closed in the month counts only if visited before the close). Due by
calendar month: a resident last seen in August is due by 09-30, overdue from 10-01.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.errors import UserError
from storage.register.residents import register_resident
from storage.register.visits import log_visit
from storage.reports.monthly import monthly_report
from storage.reports.months import parse_month, report_day
from tests.foundation_helpers import make_db
from tests.report_helpers import G1, G2, TODAY, V1, V2, V3, build_township, set_counts

D = dt.date


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    return build_township(tmp_path_factory.mktemp("town") / "t.db")


def figures(row):
    return (row.key_persons, row.visited, row.overdue, row.emergency_high, row.open_referrals, row.aged_out)


def names(people):
    return [p.name for p in people]


def test_september_summary(town):
    db, ids = town
    r = monthly_report(db, 2026, 9, today=TODAY)
    assert (r.first, r.last, r.day) == (D(2026, 9, 1), D(2026, 9, 30), D(2026, 9, 30))
    # visited: A (home), B (phone, reached), D, F (before its close on 09-15), I, J (video, reached), K = 7;
    # in person A D F I K, by phone or video B J. Not: C (the call did not get through), E (proxy), H (visit deleted).
    # overdue at 09-30: I only (emergency from 09-28: due within a day of the finding, 09-29). Not C (last
    # seen 08-01: due by 09-30), not E (seen 08-20, the proxy visit does not count: due by 09-30), not D (high,
    # weekly, seen 09-25 on the merged duplicate -> due 10-02).
    # emergency + high at 09-30: D (high), I (emergency); J went back to medium on 09-10, K is high only from 10-05.
    # open referrals: F's school referral; K's police referral (closed 10-02). Not K's clinic one (closed 09-20),
    # not G's (G is no key person). Aged out: E (18 on 09-15, active); L is no key person of September.
    assert figures(r.totals) == (10, 7, 1, 2, 2, 1)
    assert (r.totals.in_person, r.totals.other_ways, r.totals.not_visited) == (5, 2, 3)
    assert r.totals.visit_rate == pytest.approx(7 / 10)

    grid = {row.key: (row.label, figures(row)) for row in r.rows["grid"]}
    assert grid == {
        G1: ("柳溪一网格", (6, 4, 0, 1, 1, 1)),  # A B C D E F; visited A B D F; high D; ref F; aged E
        G2: ("桃源一网格", (4, 3, 1, 1, 1, 0)),  # H I J K; visited I J K; overdue I; emergency I; ref K
    }
    village = {row.key: (row.label, figures(row)) for row in r.rows["village"]}
    assert village == {
        V1: ("柳溪村", (6, 4, 0, 1, 1, 1)),  # grid G01's village
        V2: ("桃源村", (3, 2, 1, 1, 1, 0)),  # H I K (J lives in 石桥村); visited I K
        V3: ("石桥村", (1, 1, 0, 0, 0, 0)),  # J: the resident's own village wins over the grid's
    }
    assert [row.key for row in r.rows["village"]] == [V1, V2, V3]
    category = {row.key: figures(row) for row in r.rows["category"]}
    assert category == {
        "left_behind_child": (3, 3, 0, 0, 2, 0),  # B F K; referrals F K
        "child_in_difficulty": (1, 0, 0, 0, 0, 1),  # E; aged E
        "solitary_elder": (3, 3, 0, 1, 0, 0),  # A D J; high D
        "empty_nest_elder": (1, 0, 0, 0, 0, 0),  # C
        "left_behind_elder": (1, 0, 0, 0, 0, 0),  # H, registered 09-25: due by the month's end
        "severely_disabled": (2, 2, 1, 2, 0, 0),  # D I (D counts in two category rows, once in the totals)
    }
    assert sum(row.key_persons for row in r.rows["category"]) == 11


def test_september_lists(town):
    db, ids = town
    r = monthly_report(db, 2026, 9, today=TODAY)
    # by grid name, then pinyin: 柳溪 before 桃源 (code points); liu wu < wang san; huang ba < sun shi er
    assert names(r.not_visited) == ["刘五", "王三", "黄八"]
    assert [(p.name, p.due_on, p.days_overdue) for p in r.overdue] == [("周九", D(2026, 9, 29), 1)]
    assert {p.name: p.due_on for p in r.people if not p.visited} == {
        "刘五": D(2026, 9, 30), "王三": D(2026, 9, 30), "黄八": D(2026, 9, 30)}
    assert [(p.name, p.risk_level, p.risk_since) for p in r.emergency_high] == [
        ("周九", "emergency", D(2026, 9, 28)), ("赵四", "high", D(2026, 8, 20))]
    # oldest first: K's police referral opened 09-01, F's school referral 09-03
    assert [(f.name, f.agency, f.opened_on, f.days_open) for f in r.referrals] == [
        ("郑十一", "police", D(2026, 9, 1), 29), ("陈六", "school", D(2026, 9, 3), 27)]
    assert [(p.name, p.age_out_on, p.status) for p in r.aged_out] == [("刘五", D(2026, 9, 15), "active")]
    assert ids["L"] not in {p.id for p in r.people}
    d = next(p for p in r.people if p.id == ids["D"])
    assert d.last_seen == D(2026, 9, 25)  # the duplicate's visit
    a = next(p for p in r.people if p.id == ids["A"])
    assert (a.id_number, a.age, a.village) == ("11010519491231002X", 76, "柳溪村")  # born 1949-12-31
    workers = [(w.visitor, w.grid, w.visits, w.home, w.phone, w.video, w.proxy, w.not_seen, w.counted,
                w.residents_visited, w.residents_seen) for w in r.workers]
    assert workers == [
        # 王: A, B phone, C phone not reached, D twice, M (=D), E proxy, F = 8 visits; 5 home; not reached C E;
        # counted A B D D M F = 6; residents visited A B D F = 4, seen in person A D F = 3
        ("王网格", "柳溪一网格", 8, 5, 2, 0, 1, 2, 6, 4, 3),
        # 李: I, J video, K = 3 (H's visit was deleted; G's and L's were in August)
        ("李网格", "桃源一网格", 3, 2, 0, 1, 0, 0, 3, 3, 2),
    ]


def test_drill_down_matches_the_figures(town):
    db, _ = town
    r = monthly_report(db, 2026, 9, today=TODAY)
    assert {g: len(rows) for g, rows in r.rows.items()} == {"grid": 2, "village": 3, "category": 6}
    for grouping, rows in r.rows.items():
        for row in rows + [r.totals]:
            for measure in ("key_persons", "visited", "overdue", "emergency_high", "open_referrals", "aged_out"):
                assert len(r.behind(grouping, row.key, measure)) == getattr(row, measure)
            assert len(r.behind(grouping, row.key, "visit_rate")) == row.key_persons - row.visited
    assert names(r.behind("village", V3, "key_persons")) == ["吴十"]
    assert names(r.behind("category", "child_in_difficulty", "aged_out")) == ["刘五"]


def test_phone_calls_stop_counting_when_the_township_says_so(tmp_path):
    db, ids = build_township(tmp_path / "t.db")
    set_counts(db, D(2026, 9, 1), phone="never", video="never")  # in force on September's statistics day
    r = monthly_report(db, 2026, 9, today=TODAY)
    # B (phone) and J (video) are no longer visited: 7 - 2 = 5.
    # Overdue gains J (never seen: registered 01-10, due by 01-31); B, last seen 08-05, is due by 09-30.
    assert figures(r.totals) == (10, 5, 2, 2, 2, 1)
    assert r.policy.counts["phone"] == "never" and r.policy.since == D(2026, 9, 1)
    overdue = {p.name: p.days_overdue for p in r.overdue}
    assert overdue == {"周九": 1, "吴十": 242}
    wang = r.workers[0]
    assert (wang.counted, wang.residents_visited) == (5, 3)  # B's call no longer counts


def test_current_month_is_taken_at_today(town):
    db, ids = town
    r = monthly_report(db, 2026, 10, today=TODAY)
    assert r.day == TODAY
    # F and L were closed in September, N registered 10-03: A B C D E H I J K N
    assert r.totals.key_persons == 10 and r.totals.visited == 0
    assert names(r.emergency_high) == ["周九", "赵四", "郑十一"]  # K high from 10-05
    assert r.referrals == []  # K's police referral closed 10-02
    k = next(p for p in r.people if p.id == ids["K"])
    # weekly from the finding on 10-05 (last seen 09-08, before it): due 10-12
    assert (k.due_on, k.days_overdue) == (D(2026, 10, 12), 8)
    assert names(r.aged_out) == ["刘五", "郑十一"]  # K is 16 on 10-10


def test_worker_database_reports_its_own_grid(tmp_path):
    db = make_db(tmp_path / "w.db")  # worker of 330521101-G01
    mine = register_resident(db, {"name": "张三", "categories": ["solitary_elder"],
                                   "registered_on": D(2026, 1, 5)}, today=D(2026, 1, 5))
    register_resident(db, {"name": "李四", "categories": ["solitary_elder"], "grid_code": "330521101-G09",
                           "registered_on": D(2026, 1, 5)}, today=D(2026, 1, 5))
    log_visit(db, mine.id, {"visit_date": D(2026, 9, 9)}, today=TODAY)
    r = monthly_report(db, 2026, 9, today=TODAY, grid_code="330521101-G09")
    assert r.grid_code == "330521101-G01" and r.grid_name == "一网格"
    assert names(r.people) == ["张三"] and figures(r.totals) == (1, 1, 0, 0, 0, 0)
    assert [(w.visitor, w.visits) for w in r.workers] == [("王网格", 1)]


def test_months_are_checked():
    assert parse_month("2026-09") == (2026, 9)
    assert parse_month(" 2026-9 ") == (2026, 9)
    assert parse_month("2026/09") == (2026, 9)  # as a date field takes a month (fix-small; tests/test_cli_dates.py)
    for bad in ("2026-13", "26-09", "2026/13", "", "September"):
        with pytest.raises(UserError, match="YYYY-MM"):
            parse_month(bad)
    with pytest.raises(UserError, match="2026-11"):
        report_day(2026, 11, TODAY)
    assert report_day(2026, 2, TODAY) == D(2026, 2, 28)

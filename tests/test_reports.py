"""The monthly report against figures worked out by hand (story: tests/report_helpers.py).

September 2026, report day 09-30. Key persons: A B C D E F (G01) and H I J K L
(G02) = 11. Not: M (merged into D), G (closed 08-20, before the month), N
(registered 10-03, after it).
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.errors import UserError
from storage.register.residents import register_resident
from storage.register.visits import log_visit
from storage.reports.monthly import monthly_report, parse_month, report_day
from tests.foundation_helpers import make_db
from tests.report_helpers import G1, G2, TODAY, V1, V2, V3, build_township, set_phone_counts

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
    # visited: A (home), B (phone counts), D, F, I, J (video counts like phone), K = 7;
    # not: C (nobody seen), E (proxy), H (visit deleted), L.
    # overdue at 09-30: C (last seen 08-01, due 08-31), E (08-20 -> 09-19), I (emergency from 09-28,
    # daily: 09-10 -> 09-11). Not D: high, weekly, but seen 09-25 on the merged duplicate -> due 10-02.
    # emergency + high at 09-30: D (high), I (emergency); J went back to medium on 09-10, K is high only from 10-05.
    # open referrals: F's school referral; K's police referral (closed 10-02). Not K's clinic one (closed 09-20),
    # not G's (G is no key person). Aged out: E (18 on 09-15, active), L (closed for aged_out on 09-05).
    assert figures(r.totals) == (11, 7, 3, 2, 2, 2)
    assert r.totals.visit_rate == pytest.approx(7 / 11)

    grid = {row.key: (row.label, figures(row)) for row in r.rows["grid"]}
    assert grid == {
        G1: ("柳溪一网格", (6, 4, 2, 1, 1, 1)),  # A B C D E F; visited A B D F; overdue C E; high D; ref F; aged E
        G2: ("桃源一网格", (5, 3, 1, 1, 1, 1)),  # H I J K L; visited I J K; overdue I; emergency I; ref K; aged L
    }
    village = {row.key: (row.label, figures(row)) for row in r.rows["village"]}
    assert village == {
        V1: ("柳溪村", (6, 4, 2, 1, 1, 1)),  # grid G01's village
        V2: ("桃源村", (4, 2, 1, 1, 1, 1)),  # H I K L (J lives in 石桥村); visited I K
        V3: ("石桥村", (1, 1, 0, 0, 0, 0)),  # J: the resident's own village wins over the grid's
    }
    assert [row.key for row in r.rows["village"]] == [V1, V2, V3]
    category = {row.key: figures(row) for row in r.rows["category"]}
    assert category == {
        "left_behind_child": (3, 3, 0, 0, 2, 0),  # B F K; referrals F K
        "child_in_difficulty": (2, 0, 1, 0, 0, 2),  # E L; overdue E; aged E L
        "solitary_elder": (3, 3, 0, 1, 0, 0),  # A D J; high D
        "empty_nest_elder": (1, 0, 1, 0, 0, 0),  # C
        "left_behind_elder": (1, 0, 0, 0, 0, 0),  # H, registered 09-25: due 10-25
        "severely_disabled": (2, 2, 1, 2, 0, 0),  # D I (D counts in two category rows, once in the totals)
    }
    assert sum(row.key_persons for row in r.rows["category"]) == 12


def test_september_lists(town):
    db, ids = town
    r = monthly_report(db, 2026, 9, today=TODAY)
    # by grid name, then pinyin: 柳溪 before 桃源 (code points); liu wu < wang san; huang ba < sun shi er
    assert names(r.not_visited) == ["刘五", "王三", "黄八", "孙十二"]
    # most overdue first: C 30 days (08-31 -> 09-30), I 19 (09-11), E 11 (09-19)
    assert [(p.name, p.due_on, p.days_overdue) for p in r.overdue] == [
        ("王三", D(2026, 8, 31), 30), ("周九", D(2026, 9, 11), 19), ("刘五", D(2026, 9, 19), 11)]
    assert [(p.name, p.risk_level, p.risk_since) for p in r.emergency_high] == [
        ("周九", "emergency", D(2026, 9, 28)), ("赵四", "high", D(2026, 8, 20))]
    # oldest first: K's police referral opened 09-01, F's school referral 09-03
    assert [(f.name, f.agency, f.opened_on, f.days_open) for f in r.referrals] == [
        ("郑十一", "police", D(2026, 9, 1), 29), ("陈六", "school", D(2026, 9, 3), 27)]
    assert [(p.name, p.age_out_on, p.status) for p in r.aged_out] == [
        ("孙十二", D(2026, 8, 1), "closed"), ("刘五", D(2026, 9, 15), "active")]
    d = next(p for p in r.people if p.id == ids["D"])
    assert d.last_seen == D(2026, 9, 25)  # the duplicate's visit
    a = next(p for p in r.people if p.id == ids["A"])
    assert (a.id_number, a.age, a.village) == ("11010519491231002X", 76, "柳溪村")  # born 1949-12-31
    workers = [(w.visitor, w.grid, w.visits, w.home, w.phone, w.video, w.proxy, w.not_seen, w.counted,
                w.residents_seen) for w in r.workers]
    assert workers == [
        # 王: A, B phone, C not seen, D twice, M (=D), E proxy, F = 8 visits; 6 home; counted A B D D M F = 6;
        # residents seen A B D F = 4
        ("王网格", "柳溪一网格", 8, 6, 1, 0, 1, 1, 6, 4),
        # 李: I, J video, K = 3 (H's visit was deleted; G's and L's were in August)
        ("李网格", "桃源一网格", 3, 2, 0, 1, 0, 0, 3, 3),
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
    assert names(r.behind("category", "child_in_difficulty", "aged_out")) == ["孙十二", "刘五"]


def test_phone_calls_stop_counting_when_the_township_says_so(tmp_path):
    db, ids = build_township(tmp_path / "t.db")
    set_phone_counts(db, False)
    r = monthly_report(db, 2026, 9, today=TODAY)
    # B (phone) and J (video) are no longer visited: 7 - 2 = 5.
    # Overdue gains B (last seen 08-05, due 09-04) and J (never seen: registered 01-10, medium, due 02-09).
    assert figures(r.totals) == (11, 5, 5, 2, 2, 2)
    assert not r.phone_counts
    overdue = {p.name: p.days_overdue for p in r.overdue}
    assert overdue == {"王三": 30, "周九": 19, "刘五": 11, "李二": 26, "吴十": 233}
    wang = r.workers[0]
    assert (wang.counted, wang.residents_seen) == (5, 3)  # B's call no longer counts


def test_current_month_is_taken_at_today(town):
    db, ids = town
    r = monthly_report(db, 2026, 10, today=TODAY)
    assert r.day == TODAY
    # F and L were closed in September, N registered 10-03: A B C D E H I J K N
    assert r.totals.key_persons == 10 and r.totals.visited == 0
    assert names(r.emergency_high) == ["周九", "赵四", "郑十一"]  # K high from 10-05
    assert r.referrals == []  # K's police referral closed 10-02
    k = next(p for p in r.people if p.id == ids["K"])
    assert (k.due_on, k.days_overdue) == (D(2026, 9, 15), 35)  # weekly now: 09-08 + 7
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
    for bad in ("2026-13", "26-09", "2026/09", "", "September"):
        with pytest.raises(UserError, match="YYYY-MM"):
            parse_month(bad)
    with pytest.raises(UserError, match="2026-11"):
        report_day(2026, 11, TODAY)
    assert report_day(2026, 2, TODAY) == D(2026, 2, 28)

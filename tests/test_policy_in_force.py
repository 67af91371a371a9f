"""A month is counted under the visit policy in force on its statistics day, not the one in force now.

The defect (a township clerk's walk): a policy set on 2 December "from today" changed November's report
(89.5 % fell to 83.1 %), printed "in force since 2 December" beside "report day 30 November". November,
reported to the county already, keeps its figures and its policy; December is counted under the new one.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.core.changes import writer
from storage.core.china_day import china_today
from storage.core.i18n import set_language
from storage.register.policy_set import changed_policy, current_policy, set_policy
from storage.register.residents import register_resident
from storage.register.risk import change_risk
from storage.register.visits import log_visit
from storage.reports.files import notes
from storage.reports.monthly import add_trend, monthly_report
from storage.sync.merge import merge_paths
from tests.foundation_helpers import clock_on, make_db

D = dt.date
T, G1 = "330521101", "330521101-G01"
SET_ON = D(2026, 12, 2)  # the clerk sets the new policy "from today"
FIRST_POLICY = D(2026, 10, 1)  # the one in force before it


def _figures(report) -> tuple:
    t = report.totals
    return t.key_persons, t.visited, t.in_person, t.other_ways, t.overdue, t.emergency_high


def _trend(trend) -> list:
    return [(r.key, r.key_persons, r.visited) for r in [*trend.rows, trend.total]]


def _point(trend, month: tuple[int, int]) -> tuple:
    i = trend.months.index(month)
    return tuple((r.key, r.key_persons[i], r.visited[i]) for r in [*trend.rows, trend.total])


def _visit(db, rid: str, day: dt.date, method: str, today: dt.date) -> None:
    log_visit(db, rid, {"visit_date": day, "method": method, "visitor": "王网格", "contact_made": True}, today=today)


def _township(tmp_path):
    """Five key persons of one grid, registered in June; a policy set on 1 October: video calls never count."""
    with clock_on(D(2026, 6, 1)):  # they entered gridcare when registered (storage/register/entered.py)
        return _township_in_june(tmp_path)


def _township_in_june(tmp_path):
    db = make_db(tmp_path / "t.db", role="township", worker="周民政")
    with db.write() as s:
        w = writer(s)
        w.write("village", f"{T}001", {"name": "柳溪村", "township_code": T})
        w.write("grid", G1, {"code": "G01", "name": "柳溪一网格", "township_code": T, "village_code": f"{T}001",
                             "worker_name": "王网格"})
    ids = {k: register_resident(db, {"name": name, "grid_code": G1, "categories": ["solitary_elder"],
                                     "registered_on": D(2026, 6, 1)}, today=D(2026, 6, 1)).id
           for k, name in zip("ABCDE", ("张一", "李二", "王三", "赵四", "刘五"), strict=True)}
    set_policy(db, changed_policy(current_policy(db), counts={"video": "never"}), today=FIRST_POLICY)
    nov = D(2026, 11, 25)
    _visit(db, ids["A"], D(2026, 11, 5), "home", nov)
    _visit(db, ids["B"], D(2026, 11, 10), "phone", nov)  # counts until 2 December
    _visit(db, ids["C"], D(2026, 11, 12), "video", nov)  # never counts under either
    change_risk(db, ids["E"], "high", "跌倒", assessed_on=D(2026, 11, 1), today=nov)
    _visit(db, ids["E"], D(2026, 11, 20), "home", nov)  # weekly at high risk: due 11-27; every 3 days: 11-23
    _visit(db, ids["A"], D(2026, 12, 1), "home", SET_ON)
    _visit(db, ids["B"], D(2026, 12, 1), "phone", SET_ON)
    return db, ids


def _new_policy(db, day: dt.date = SET_ON, **changes):
    """The clerk's change of 2 December: phone calls never count, high risk every 3 days."""
    changes = changes or {"counts": {"phone": "never"}, "every": {"high": 3}}
    return set_policy(db, changed_policy(current_policy(db), **changes), today=day)


def test_a_new_policy_leaves_the_months_before_it_as_they_were(tmp_path):
    db, ids = _township(tmp_path)
    november = monthly_report(db, 2026, 11, today=D(2026, 12, 1), with_trend=True)
    december = monthly_report(db, 2026, 12, today=SET_ON, with_trend=True)
    # A, B (phone), E visited; C (video) and D not. Overdue: C and D (never seen), E (due 11-27)
    assert _figures(november) == (5, 3, 2, 1, 3, 1)
    assert november.policy.since == FIRST_POLICY and november.policy.counts["phone"] == "reached"

    _new_policy(db)
    after = monthly_report(db, 2026, 11, today=D(2026, 12, 10), with_trend=True)
    assert _figures(after) == _figures(november)
    assert after.policy == november.policy  # the one in force on 30 November, with its since
    assert {p.name: p.days_overdue for p in after.overdue} == {p.name: p.days_overdue for p in november.overdue}
    assert {p.name: p.days_overdue for p in after.overdue}["刘五"] == 3
    assert _trend(after.trend) == _trend(november.trend)

    now = monthly_report(db, 2026, 12, today=D(2026, 12, 10), with_trend=True)
    assert now.policy.since == SET_ON and now.policy.counts["phone"] == "never" and now.policy.every["high"] == 3
    # December: A (home); B's call no longer counts. Overdue on 12-10: B, C, D never seen under it; E (3 days)
    assert _figures(now) == (5, 1, 1, 0, 4, 1) and _figures(december)[1] == 2
    assert {p.name: p.days_overdue for p in now.overdue}["刘五"] == 17  # due 11-23
    # the trend: November's point as it was, December's under the new policy (the report's own)
    assert _point(now.trend, (2026, 11)) == _point(november.trend, (2026, 11))
    assert (now.trend.total.key_persons[-1], now.trend.total.visited[-1]) == (5, 1)
    assert _point(december.trend, (2026, 12)) != _point(now.trend, (2026, 12))
    assert now.trend.mixed
    # the workbook and the screen ask add_trend for it again: the same
    assert _trend(add_trend(db, now)) == _trend(now.trend)


def test_the_report_says_the_policy_of_its_day_and_until_when(tmp_path):
    db, _ids = _township(tmp_path)
    set_language("zh_CN")
    try:
        before = notes(monthly_report(db, 2026, 11, today=D(2026, 12, 1)))
        assert before == "统计日 2026年11月30日；乡镇探访制度，自2026年10月1日起施行。"
        _new_policy(db)
        after = notes(monthly_report(db, 2026, 11, today=SET_ON))
        # not "自2026年12月2日起施行" beside 11月30日: the one in force then, and that it was replaced
        assert after == "统计日 2026年11月30日；乡镇探访制度，2026年10月1日至2026年12月1日施行。"
        assert notes(monthly_report(db, 2026, 12, today=SET_ON)) == "统计日 2026年12月2日；乡镇探访制度，自2026年12月2日起施行。"
        # a month before any policy: the defaults, and since when the township's own applies
        assert notes(monthly_report(db, 2026, 9, today=SET_ON)) == (
            "统计日 2026年9月30日；默认探访制度（乡镇自2026年10月1日起另行设定）。")
    finally:
        set_language("en")


def test_a_policy_set_twice_in_one_day_the_later_one_counts(tmp_path):
    db, _ids = _township(tmp_path)
    november = monthly_report(db, 2026, 11, today=D(2026, 12, 1))
    _new_policy(db)  # phone calls never, high risk every 3 days
    last = _new_policy(db, counts={"phone": "always"})  # the same day: calls count again (high: still 3 days)
    now = monthly_report(db, 2026, 12, today=D(2026, 12, 10))
    assert now.policy == last and now.policy.counts["phone"] == "always" and now.policy.every["high"] == 3
    assert _figures(now)[1] == 2  # B's call counts again
    again = monthly_report(db, 2026, 11, today=D(2026, 12, 10))
    assert _figures(again) == _figures(november) and again.policy == november.policy
    assert {p.name: p.days_overdue for p in again.overdue} == {p.name: p.days_overdue for p in november.overdue}


def test_a_workers_laptop_keeps_november_after_the_return_bundle(tmp_path):
    from storage.sync.export import export_bundle
    from tests.sync_helpers import elder, make_township

    t = make_township(tmp_path)
    a = t.worker("王网格", "G01")
    r = elder(a, "张三", registered_on=D(2026, 6, 1))
    _visit(a, r.id, D(2026, 11, 3), "phone", D(2026, 11, 24))
    merge_paths(t.db, [export_bundle(a, tmp_path / "up").path])
    november = monthly_report(a, 2026, 11, today=D(2026, 12, 1))
    assert _figures(november)[:2] == (1, 1) and november.policy.is_default

    _new_policy(t.db)
    merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code="G01").path])
    after = monthly_report(a, 2026, 11, today=D(2026, 12, 10), with_trend=True)
    assert _figures(after) == _figures(november) and after.policy.is_default
    assert "December 2, 2026" in after.policy_title()  # "(the township set its own from …)", not "has not set one"
    assert after.trend.total.visited[-1] == 1
    december = monthly_report(a, 2026, 12, today=D(2026, 12, 10))
    assert december.policy.since == SET_ON and december.policy.counts["phone"] == "never"
    for db in (a, t.db):
        db.dispose()


def test_a_county_keeps_november_when_one_township_changes_its_policy(tmp_path, db_target):
    from tests.county_helpers import elder, make_county, make_township

    county = make_county(db_target, tmp_path / "county.pub")
    sites = {}
    for code in ("330521101", "330521102"):
        with clock_on(D(2026, 6, 1)):  # the elders entered gridcare when registered (storage/register/entered.py)
            t = sites[code] = make_township(tmp_path, code, tmp_path / "county.pub", county)
            w = t.worker("G01", "王芳")
            people = [elder(w, f"{code[-3:]}{i}", registered_on=D(2026, 6, 1)).id for i in range(3)]
        _visit(w, people[0], D(2026, 11, 5), "home", D(2026, 11, 24))
        _visit(w, people[1], D(2026, 11, 10), "phone", D(2026, 11, 24))
        _visit(w, people[1], D(2026, 12, 1), "phone", SET_ON)
        t.collect()
        assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []

    def by_township(report) -> dict:
        return {r.key: (r.key_persons, r.visited, r.overdue) for r in report.rows["township"]}

    november = monthly_report(county, 2026, 11, today=D(2026, 12, 1), with_trend=True)
    assert by_township(november) == {"330521101": (3, 2, 1), "330521102": (3, 2, 1)}

    _new_policy(sites["330521101"].db)  # phone calls never count in 101 from 2 December
    assert merge_paths(county, [sites["330521101"].to_county(tmp_path / "up")]).refused == []
    after = monthly_report(county, 2026, 11, today=D(2026, 12, 10), with_trend=True)
    assert by_township(after) == by_township(november)
    assert after.township_policies == {} and after.policy_title() == november.policy_title()
    assert _trend(after.trend) == _trend(november.trend)

    december = monthly_report(county, 2026, 12, today=D(2026, 12, 10), with_trend=True)
    assert set(december.township_policies) == {"330521101"}
    assert by_township(december) == {"330521101": (3, 0, 2), "330521102": (3, 1, 1)}  # 101: the call no longer counts
    assert _point(december.trend, (2026, 11)) == _point(november.trend, (2026, 11))
    assert december.trend.total.visited[-1] == 1 and december.trend.mixed
    # each township's figures at the county are those of its own report, November and December alike
    for code, t in sites.items():
        for month, report in ((11, after), (12, december)):
            own = monthly_report(t.db, 2026, month, today=D(2026, 12, 10), with_trend=True)
            assert by_township(report)[code] == (own.totals.key_persons, own.totals.visited, own.totals.overdue)
            assert [(r.key_persons, r.visited) for r in report.trend.rows if r.key.startswith(code)] == [
                (r.key_persons, r.visited) for r in own.trend.rows]
    county.dispose()
    for t in sites.values():
        t.close()


def test_the_cli_report_of_last_month_is_the_same_after_gridcare_policy_set(tmp_path, capsys):
    """`gridcare policy set` today, then `gridcare report --month` of last month: the same figures."""
    from storage.reports.months import shift_month
    from tui.cli import main

    today = china_today()
    year, month = shift_month(today.year, today.month, -1)
    db, ids = _township(tmp_path)
    _visit(db, ids["D"], D(year, month, 10), "phone", today)
    _new_policy(db, D(year, month, 1), counts={"video": "never"})  # in force all last month
    db.dispose()
    args = ["--db", str(tmp_path / "t.db"), "--lang", "en"]

    def report() -> list[str]:
        assert main([*args, "report", "--month", f"{year:04d}-{month:02d}", "--limit", "50"]) == 0
        return capsys.readouterr().out.splitlines()

    before, policy_before = _policy_apart(report())
    assert main([*args, "policy", "set", "--count", "phone=never", "--every", "high=3"]) == 0
    capsys.readouterr()
    after, policy_after = _policy_apart(report())
    assert after == before  # every table, the trend and every list, as they were (B's and D's calls still count)
    assert "in force since" in policy_before and "in force from" in policy_after and " to " in policy_after


def _policy_apart(lines: list[str]) -> tuple[list[str], str]:
    """The printed report without its policy line (it may wrap), and that line."""
    i = next(i for i, line in enumerate(lines) if line.startswith("Report day"))
    j = lines.index("", i)
    return lines[:i] + lines[j:], " ".join(lines[i:j])


@pytest.fixture(autouse=True)
def _english():
    yield
    set_language("en")

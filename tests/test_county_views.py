"""What the county sees of what it merged: the month's report, its Home, the register's search.

The county's database is a SQLite file and a PostgreSQL database in turn (the `db_target` fixture).
"""

from __future__ import annotations

import pytest

from storage.sync.merge import merge_paths
from tests.county_helpers import (
    COUNTY,
    busy_township,
    edit_some,
    make_county,
    make_township,
)


def _followup(report, code: str) -> tuple:
    """What the follow-up and benefit sheets say of township `code`'s residents, comparable across databases."""
    f, w = report.followup, report.watch
    ids = {p.id for p in report.people if p.township_code == code} if report.groupings[0] == "township" else {
        p.id for p in report.people}
    return (sorted((x.person.id, x.assessed_on, [(c.dimension, c.before, c.after) for c in x.changes])
                   for x in f.worsened if x.person.id in ids),
            [(r.key, r.key_persons, r.assessed, r.moderate, r.severe) for r in f.assessment_rows
             if (r.key or "").startswith(code)],
            sorted((r.resident_id, r.benefit, r.start_on, r.end_on) for r in (*w.unclaimed, *w.ending, *w.unpaired)
                   if r.resident_id in ids),
            sorted((e.person.id, e.key, e.found_on, e.mandatory, e.emergency_level, e.acknowledged_at,
                    e.next_visit_on) for e in f.emergencies if e.person.id in ids))


def test_the_county_report_is_each_township_report_side_by_side(tmp_path, db_target):
    """Per township (and per village below it) the county's month is exactly what each township reports."""
    import datetime as dt

    from storage.demo.build import generate
    from storage.reports.monthly import monthly_report

    day = dt.date(2026, 11, 24)
    from storage.register.policy_set import changed_policy, current_policy, set_policy
    from storage.reports.monthly import add_trend

    county = make_county(db_target, tmp_path / "county.pub")
    own, t_dbs = {}, {}
    for n, code in enumerate(("330521101", "330521102", "330521103"), start=1):
        t = make_township(tmp_path, code, tmp_path / "county.pub", county)
        generate(t.db, seed=n, scale="grid", today=day)
        if n == 1:  # a township of its own mind: phone calls count even unanswered, low risk due every 10 days
            mine = changed_policy(current_policy(t.db), counts={"phone": "always", "video": "always"},
                                  every={"low": 10, "medium": 14})
            set_policy(t.db, mine, today=day)
        elif n == 2:  # another township changed it once and then set the defaults' rules back
            set_policy(t.db, changed_policy(current_policy(t.db), counts={"phone": "always"}), today=day)
            set_policy(t.db, changed_policy(current_policy(t.db), defaults=True), today=day)
        assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
        own[code] = monthly_report(t.db, 2026, 11, today=day)
        t_dbs[code] = t.db
    report = monthly_report(county, 2026, 11, today=day, with_trend=True)
    assert set(report.township_policies) == {"330521101", "330521102"}
    assert report.township_policies["330521101"].counts["phone"] == "always" and report.policy.is_default
    # the policy line says each township's own was used, not "the township has not set one" (the defaults')
    from storage.core.i18n import set_language
    from storage.reports.files import notes
    from storage.reports.xlsx_sheets import policy_line

    set_language("zh_CN")
    try:
        assert "各乡镇按本乡镇的探访制度计算（2 个乡镇已设定，其余按默认制度）" in notes(report)
        assert policy_line(report) == "统计依据：各乡镇按本乡镇的探访制度计算（2 个乡镇已设定，其余按默认制度）。"
        assert "乡镇尚未设定" not in notes(report) + policy_line(report)
    finally:
        set_language("en")
    assert report.groupings == ("township", "village", "grid", "category")
    assert (report.township_code, report.township_name) == COUNTY
    figures = ("key_persons", "visited", "overdue", "emergency_high", "open_referrals", "aged_out")
    by_township = {r.key: r for r in report.rows["township"]}
    assert set(by_township) == set(own)
    for code, township in own.items():
        assert [getattr(by_township[code], f) for f in figures] == [getattr(township.totals, f) for f in figures]
        assert by_township[code].label == township.township_name
        villages = [r for r in report.rows["village"] if r.key.startswith(code)]
        assert [(r.key, *(getattr(r, f) for f in figures)) for r in villages] == [
            (r.key, *(getattr(r, f) for f in figures)) for r in township.rows["village"]]
        assert all(r.label.startswith(township.township_name) for r in villages)
        behind = report.behind("township", code, "key_persons")
        assert sorted(p.id for p in behind) == sorted(p.id for p in township.people)
        # the records plans added travel too: the follow-up and benefit sheets are the township's own
        assert _followup(report, code) == _followup(township, code)
        trend = add_trend(t_dbs[code], township)
        assert [(r.key, r.key_persons, r.visited) for r in report.trend.rows if r.key.startswith(code)] == [
            (r.key, r.key_persons, r.visited) for r in trend.rows]
        # a grid is named below its township, as a village is (two townships may each have a 杨家村)
        assert [r.label for r in report.trend.rows if r.key.startswith(code)] == [
            township.township_name + r.label for r in trend.rows]
    sheets = [_followup(t, code) for code, t in own.items()]
    assert all(sum(r[2] for r in s[1]) > 0 and s[2] and s[3] for s in sheets)  # assessed, benefit lists, emergencies
    assert report.totals.key_persons == sum(t.totals.key_persons for t in own.values()) > 500
    assert report.trend.total.visited == [sum(x) for x in zip(*(r.visited for r in report.trend.rows), strict=True)]
    assert own["330521101"].totals.visited != own["330521102"].totals.visited  # the policies made a difference
    _each_townships_lists_alone(county, report)
    county.dispose()
    for db in t_dbs.values():
        db.dispose()


def _each_townships_lists_alone(county, november) -> None:
    """The county Home's Enter on a township's figure reads that township alone: the same people, in the same
    order, as the whole county's report lists behind it; a month that is over and one just begun (most not
    visited, most of them counted in SQL alone: month_sql's plain)."""
    import datetime as dt

    from storage.reports.monthly import MEASURES, monthly_report
    from storage.reports.township_people import alone_in, township_people

    december = monthly_report(county, 2026, 12, today=dt.date(2026, 12, 4))
    quiet = 0
    for report in (november, december):
        for code in ("330521101", "330521102", "330521103"):
            for measure in MEASURES:
                expected = [r.id for r in report.behind("township", code, measure)]
                got = township_people(county, report.year, report.month, code, measure, today=report.day)
                assert [r.id for r in got] == expected, (report.month, code, measure)
                assert all(getattr(r, "township_code", code) == code for r in got)
        quiet += len(report.not_visited) - sum(not p.visited for p in report.listed)
        # the Reports screen's rows of one village or grid (each of one township) are read so too
        for grouping in ("village", "grid"):
            for row in report.rows[grouping]:
                town = alone_in(report, grouping, row.key)
                assert town is not None and town == row.key[:9], (grouping, row.key)
                for measure in ("key_persons", "visit_rate"):
                    got = township_people(county, report.year, report.month, town, measure, today=report.day,
                                          grouping=grouping, key=row.key)
                    assert [r.id for r in got] == [r.id for r in report.behind(grouping, row.key, measure)]
        assert alone_in(report, "category", "solitary_elder") is None and alone_in(report, "village", None) is None
    assert sum(len(november.behind("township", c, "visit_rate")) > 0 for c in ("330521101", "330521102")) == 2
    assert quiet > 100  # (the lists the SQL alone counts are among those compared)
    # and the SQL reads that township's rows alone (what makes it quick), the listed and the quiet ones
    from storage.reports.month_sql import listed_rows

    with county.session() as s:
        conn = s.connection()
        for is_quiet in (False, True):
            rows = listed_rows(conn, december.policy, december.first, december.last, december.day, None, [], {},
                               quiet=is_quiet, township="330521102")
            assert rows and {r[7].split("-")[0] for r in rows} == {"330521102"}
        # every key person of one: with those counted elsewhere than now (placed.py), read to be kept by then
        from storage.register.report_query import key_persons

        other = next(p.id for p in december.listed if p.township_code == "330521103")
        read = list(key_persons(conn, december.policy, december.first, december.last, december.day, None,
                                "330521102", also=[other]))
        assert {p.grid_code.split("-")[0] for p in read if p.id != other} == {"330521102"}
        assert other in {p.id for p in read} and len(read) > 100


def test_the_county_home_shows_each_township_its_last_bundle_and_what_is_missing(tmp_path, db_target):
    import datetime as dt

    from storage.reports.county_home import county_home
    from storage.reports.monthly import monthly_report

    county = make_county(db_target, tmp_path / "county.pub")
    a = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=3, county=county)
    b = busy_township(tmp_path, "330521102", tmp_path / "county.pub", n=2, county=county)
    first = a.to_county(tmp_path / "up")
    edit_some(a, "甲")
    a.to_county(tmp_path / "lost")  # bundle 2 of township 101 never arrives
    edit_some(a, "乙")
    third = a.to_county(tmp_path / "up")
    merged = merge_paths(county, [first, third, b.to_county(tmp_path / "up")])
    silent = make_township(tmp_path, "330521103", tmp_path / "county.pub", county)  # enrolled, has sent nothing
    from tui.texts import describe_totals

    # the merge names the township whose bundle is missing, not a "device" (tests run in English)
    assert [line for line in describe_totals(merged) if "missing" in line] == [
        "Township 镇101 330521101: bundle 2 missing.",
        "Cannot find a missing bundle? Ask the township to send everything again (gridcare export --county --full): "
        "that bundle fills every gap before it."]
    day = dt.date(2026, 11, 24)
    home = county_home(county, day)
    report = monthly_report(county, 2026, 11, today=day)
    assert (home.county_code, home.county_name, home.month_text) == (*COUNTY, "2026-11")
    # the silent township is on the list: a county asks first after a township it has not heard from
    assert [g.code for g in home.townships] == ["330521101", "330521102", "330521103"]
    one, two, three = home.townships
    assert (one.name, one.last_seq, one.missing, two.last_seq, two.missing) == ("镇101", 3, [2], 1, [])
    assert (three.name, three.last_bundle, three.last_seq, three.key_persons) == ("镇103", None, 0, 0)
    assert one.last_bundle is not None
    assert home.totals.key_persons == report.totals.key_persons == one.key_persons + two.key_persons
    assert (one.visited, one.emergency_high) == next((r.visited, r.emergency_high) for r in report.rows["township"]
                                                     if r.key == "330521101")
    assert [p.id for p in home.emergencies] == [p.id for p in report.people if p.risk_level == "emergency"]
    # every township has its G01网格: at a county a grid is named below its township, in the tables, the lists and
    # the workers' rows (they read "G01网格" twice before)
    assert [r.label for r in report.rows["grid"] if r.key] == ["镇101G01网格", "镇101G02网格", "镇102G01网格", "镇102G02网格"]
    assert {p.grid for p in report.people} == {"镇101G01网格", "镇101G02网格", "镇102G01网格", "镇102G02网格"}
    assert sorted((w.grid, w.visitor) for w in report.workers) == [
        ("镇101G01网格", "王芳"), ("镇101G02网格", "李强"), ("镇102G01网格", "王芳"), ("镇102G02网格", "李强")]
    county.dispose()
    a.close()
    b.close()
    silent.close()


def test_the_register_searches_alike_on_a_county_of_either_engine(tmp_path, db_target):
    """The county's register (a PostgreSQL county included): the township's own search, page for page."""
    import datetime as dt

    from storage.demo.build import generate
    from storage.register.search import (
        ResidentFilter,
        count_residents,
        search_residents,
    )

    day = dt.date(2026, 11, 24)
    county = make_county(db_target, tmp_path / "county.pub")
    t = make_township(tmp_path, "330521101", tmp_path / "county.pub", county)
    generate(t.db, seed=3, scale="grid", today=day)
    assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
    with t.db.session() as s:
        names = [r.name for r in search_residents(s, "", limit=400, today=day)]
        phone = next(r.phone for r in search_residents(s, "", limit=50, today=day) if r.phone)
        some_id = next(r.id for r in search_residents(s, "", limit=50, today=day))
    from storage.core.models import Resident

    with t.db.session() as s:
        id_number = s.get(Resident, some_id).id_number
    queries = ["", names[0][:1], names[7][:2], names[11][1:], "zh", "w", id_number[-4:], id_number[-6:], phone[:5],
               phone[-4:], "a-bu", "12", "G01", "g01", "g1"]  # a grid's code: its people, on both engines
    filters = [ResidentFilter(), ResidentFilter(category="solitary_elder"), ResidentFilter(risk="high"),
               ResidentFilter(due="overdue"), ResidentFilter(due="due_week"), ResidentFilter(due="visited_month"),
               ResidentFilter(due="not_visited_month"), ResidentFilter(category="advanced_age", status=None)]

    def pages(db):
        out = []
        with db.session() as s:
            for q in queries:
                for f in filters:
                    first = search_residents(s, q, filters=f, limit=30, today=day)
                    second = search_residents(s, q, filters=f, limit=30, offset=30, today=day)
                    out.append((q, f, count_residents(s, q, filters=f, today=day),
                                [(r.id, r.masked_id, r.age, r.categories, r.risk_level, r.last_visit, r.due_on)
                                 for r in first + second]))
        return out

    expected, found = pages(t.db), pages(county)
    assert sum(n for _q, _f, n, _rows in expected) > 500 and sum(1 for _q, _f, n, _r in expected if n) > 30
    assert all(any(n for _q, f, n, _r in expected if f == wanted) for wanted in filters)
    assert found == expected
    county.dispose()
    t.close()


@pytest.mark.postgres
def test_every_read_of_a_county_report_on_a_server_runs_without_its_jit(tmp_path, monkeypatch, pg_url):
    """PostgreSQL's JIT compiler, started by these queries' costs, took longer than they do (the trend read
    on its own for a file: 10–12 s at a county instead of 2–3 s): each part of the report turns it off."""
    import datetime as dt

    from sqlalchemy import text

    from storage.reports import monthly
    from storage.reports.files import save_report
    county = make_county(pg_url, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", county=county)
    assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
    seen: list[str] = []
    trend_of = monthly.trend_of

    def watched(conn, *args):
        seen.append(conn.execute(text("SHOW jit")).scalar())
        return trend_of(conn, *args)

    monkeypatch.setattr(monthly, "trend_of", watched)
    report = monthly.monthly_report(county, 2026, 11, today=dt.date(2026, 11, 24), with_trend=True)
    report.trend = None  # as the files find it when the caller did not ask for it
    save_report(county, report, tmp_path / "report.xlsx")
    assert seen == ["off", "off"]
    county.dispose()
    t.close()

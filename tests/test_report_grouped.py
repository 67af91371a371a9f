"""The monthly report's figures and lists are exactly what the month's rule says of each key person.

`report.people` applies storage/register/due.py to every key person one by one, as the report did
before issue #17 moved its counting into grouped SQL; everything the report shows (the tables per
township, village, grid and category, the coverage sheet, the lists, the referrals, the assessment
sheet, who worsened, the emergencies) is worked out again here from those people and compared. The
data: the hand-made township of tests/report_helpers.py (closed before a visit, registered mid-month,
a phone call nobody answered, a merged duplicate, risk findings, age-outs) on top of a generated one,
plus residents with no village, their own interval and 80-year-olds; under several policies; on
SQLite and on PostgreSQL; and at a county whose townships set different policies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.core.changes import writer
from storage.core.db import open_database
from storage.register.assessments import DIMENSIONS, assess_resident, worsened
from storage.register.categories import RISK_ORDER, SHOWN_CATEGORIES
from storage.register.duplicates import merge_residents
from storage.register.policy import CategoryRule
from storage.register.policy_set import changed_policy, current_policy, set_policy
from storage.register.residents import close_case, register_resident, update_resident
from storage.register.risk import change_risk
from storage.register.visits import log_visit
from storage.reports.coverage import coverage_rows
from storage.reports.monthly import MonthlyReport, monthly_report
from tests.foundation_helpers import copy_db, make_db
from tests.report_helpers import G1, G2, TODAY, V1, add_story

D = dt.date
FIGURES = ("key_persons", "visited", "in_person", "other_ways", "overdue", "emergency_high", "open_referrals",
           "aged_out")
G3 = "330521101-G09"  # a grid of no village


def _edge_cases(db) -> None:
    """Residents the hand-made story lacks: no village at all, their own interval, 80 and over, an assessment
    history that worsens in September, a case closed after its visit in the month, a phone call at high risk."""
    with db.write() as s:
        writer(s).write("grid", G3, {"code": "G09", "name": "无村网格", "township_code": "330521101"})
    day = D(2026, 9, 1)

    def person(name, grid, cats, **extra):
        fields = {"name": name, "grid_code": grid, "categories": cats, "registered_on": D(2026, 1, 5), **extra}
        # entered on the day registered (a registration date may not lie ahead of the day it is entered)
        return register_resident(db, fields, today=fields["registered_on"]).id

    def visit(rid, when, method="home", reached=True):
        log_visit(db, rid, {"visit_date": when, "method": method, "visitor": "王网格", "contact_made": reached},
                  today=TODAY)

    nowhere = person("无村甲", G3, ["solitary_elder"], birth_date=D(1940, 2, 29))  # 80+, leap-day birthday
    visit(nowhere, D(2026, 9, 4))
    person("无村乙", G3, ["left_behind_elder"])  # never visited: due by the month of registration
    own = person("自定甲", G1, ["empty_nest_elder"], visit_frequency_days=5)  # their own interval: every 5 days
    visit(own, D(2026, 9, 20))
    own2 = person("自定乙", G2, ["empty_nest_elder"], visit_frequency_days=40)
    visit(own2, D(2026, 8, 30))
    visit(own2, D(2026, 9, 2), "phone")
    old = person("高龄甲", G2, ["widowed_childless_elder"], birth_date=D(1946, 9, 30), village_code=V1)  # 80 on 09-30
    visit(old, D(2026, 9, 29), "video")
    grades = dict.fromkeys(DIMENSIONS, "mild")
    assess_resident(db, old, grades, assessed_on=D(2026, 7, 1), today=TODAY)
    assess_resident(db, old, {**grades, "health": "severe", "housing": "moderate"}, assessed_on=D(2026, 9, 12),
                    today=TODAY)
    assess_resident(db, old, {**grades, "health": "moderate"}, assessed_on=D(2026, 9, 12), today=TODAY)  # same day
    closed = person("结案甲", G1, ["solitary_elder"])
    visit(closed, D(2026, 9, 6))
    close_case(db, closed, "moved_away", D(2026, 9, 18))
    after = person("结案乙", G2, ["solitary_elder"])  # its only September visit is dated after its close
    visit(after, D(2026, 8, 20))
    visit(after, D(2026, 9, 20))
    close_case(db, after, "moved_away", D(2026, 9, 10))
    # moved by the clerk after every month reported (by its events' clock): each report counts them in G1, where
    # the events before put them (storage/register/placed.py), on every path
    moved = person("迁移甲", G1, ["solitary_elder"])
    visit(moved, D(2026, 9, 8))
    update_resident(db, moved, {"grid_code": G2}, today=TODAY)
    late = person("月中甲", G2, ["solitary_elder"], registered_on=D(2026, 9, 20))  # registered mid-month
    visit(late, D(2026, 9, 10))  # a visit before the registration date still counts in its month
    visit(late, D(2026, 8, 25))  # but not in a month before it: August is no month of theirs
    # registered later than first entered, after the visits were logged (a correction, or another device's
    # event in a merge): the August visit falls in no month of theirs, the September one counts
    corrected = person("更正甲", G1, ["solitary_elder"])
    visit(corrected, D(2026, 8, 10))
    visit(corrected, D(2026, 9, 12))
    update_resident(db, corrected, {"registered_on": D(2026, 9, 5)}, today=TODAY)
    # its registration, as merged from another device, after its close: on no month's register, never visited
    reopened = person("结案丙", G2, ["solitary_elder"])
    visit(reopened, D(2026, 9, 3))
    close_case(db, reopened, "moved_away", D(2026, 9, 12))
    with db.write() as s:
        writer(s).write("resident", reopened, {"registered_on": D(2026, 9, 20)})
    risky = person("高危甲", G1, ["severely_disabled"])
    change_risk(db, risky, "high", "独居", assessed_on=D(2026, 9, 25))
    visit(risky, D(2026, 9, 26), "phone")  # high risk, reached by phone: visited, and not overdue on 09-30
    kid = person("儿童甲", G2, ["left_behind_child"], birth_date=D(2010, 9, 3))  # 16 on 2026-09-03
    visit(kid, day)
    # registered twice: the record kept had a phone call in September, the duplicate the month's home visit
    # (in person, on the record), the other pair's only visit of August and September was on the duplicate
    kept, dup = person("重复甲", G1, ["empty_nest_elder"]), person("重复甲", G1, ["empty_nest_elder"])
    visit(kept, D(2026, 9, 2), "phone")
    visit(dup, D(2026, 9, 14))
    kept2, dup2 = person("重复乙", G2, ["solitary_elder"]), person("重复乙", G2, ["solitary_elder"])
    visit(dup2, D(2026, 8, 3), "video")
    visit(dup2, D(2026, 9, 21), "video")
    merge_residents(db, kept, dup)
    merge_residents(db, kept2, dup2)


@pytest.fixture(scope="module")
def town_file(tmp_path_factory) -> Path:
    from storage.demo.build import generate

    path = tmp_path_factory.mktemp("grouped") / "town.db"
    db = make_db(path, role="township")
    generate(db, seed=7, scale="grid", today=TODAY)  # 300 residents, a year of visits, findings, assessments
    add_story(db)
    _edge_cases(db)
    db.dispose()
    return path


POLICIES = {
    "default": {},
    # phone calls never count; low risk due every 10 days, medium every 20
    "strict": {"counts": {"phone": "never"}, "every": {"low": 10, "medium": 20}},
    # calls count even unanswered; elders living alone of 80 and over weekly, left-behind children fortnightly
    "rules": {"counts": {"phone": "always", "video": "always"},
              "add_rules": [CategoryRule("solitary_elder", 7, 80), CategoryRule("left_behind_child", 14)]},
}


def _target(town_file: Path, tmp_path: Path, policy: str, engine: str):
    path = copy_db(town_file, tmp_path / f"{policy}.db")
    if POLICIES[policy]:
        db = open_database(path)
        # from September: August is counted under the defaults, September and October under this one (and the
        # trend's months each under its own)
        set_policy(db, changed_policy(current_policy(db), **POLICIES[policy]), today=D(2026, 9, 1))
        db.dispose()
    if engine == "sqlite":
        return open_database(path), None
    from tests import pg

    url = pg.create_database()
    pg.copy_sqlite_into(path, url)
    return open_database(url), url


def _key(p) -> tuple:
    return (p.grid, p.name, p.id)


def reference(report: MonthlyReport) -> dict:
    """Everything compared, worked out from report.people (each key person with the rule applied on its own)."""
    people = report.people
    rows: dict[str, dict] = {g: {} for g in report.groupings}
    total = dict.fromkeys(FIGURES, 0)
    cover: dict[tuple, dict] = {}

    def add(target: dict, p) -> None:
        target["key_persons"] += 1
        target["visited"] += p.visited
        target["in_person"] += p.visited_how == "in_person"
        target["other_ways"] += p.visited_how == "other_ways"
        for f in ("overdue", "aged_out"):
            target[f] += getattr(p, f)
        target["emergency_high"] += p.high_risk
        target["open_referrals"] += p.open_referrals

    for p in people:
        add(total, p)
        keys = {"township": [(p.township_code, p.township)], "village": [(p.village_code, p.village)],
                "grid": [(p.grid_code, p.grid)], "category": [(c, None) for c in p.categories]}
        for grouping in report.groupings:
            for code, label in keys[grouping]:
                entry = rows[grouping].setdefault(code, {"label": label, **dict.fromkeys(FIGURES, 0)})
                add(entry, p)
        for code in [None, *p.categories]:
            add(cover.setdefault((p.village_code, p.grid_code, code), dict.fromkeys(FIGURES, 0)), p)
    return {
        "rows": rows, "total": total, "cover": cover,
        "not_visited": [p.id for p in people if not p.visited],
        "overdue": [p.id for p in sorted((p for p in people if p.overdue), key=lambda p: (-p.days_overdue, p.sort_key))],
        "emergency_high": [p.id for p in sorted((p for p in people if p.high_risk),
                                                key=lambda p: (RISK_ORDER[p.risk_level], p.sort_key))],
        "aged_out": [p.id for p in sorted((p for p in people if p.aged_out), key=lambda p: (p.age_out_on, p.sort_key))],
        "persons": {p.id: dataclasses.astuple(p) for p in people},
        "referred": sorted((f.resident_id, f.id) for f in report.referrals),
    }


def observed(report: MonthlyReport) -> dict:
    def figures(row) -> dict:
        return {f: getattr(row, f) for f in FIGURES}

    rows = {g: {r.key: {"label": None if g == "category" else r.label, **figures(r)} for r in report.rows[g]}
            for g in report.groupings}
    listed = [p for name in ("not_visited", "overdue", "emergency_high", "aged_out") for p in report.list_rows(name)]
    return {
        "rows": rows, "total": figures(report.totals),
        "cover": [(c.kind, c.village, c.grid, c.category, figures(c.figures)) for c in coverage_rows(report)],
        **{name: [p.id for p in report.list_rows(name)] for name in ("not_visited", "overdue", "emergency_high",
                                                                     "aged_out")},
        "persons": {p.id: dataclasses.astuple(p) for p in listed},
        "referred": sorted((f.resident_id, f.id) for f in report.referrals),
    }


def reference_cover(report: MonthlyReport, cover: dict[tuple, dict]) -> list:
    """The coverage sheet's rows in its order: per village and grid each category then the grid's subtotal,
    then each category for everyone, then the total."""
    order = {c: i for i, c in enumerate(SHOWN_CATEGORIES)}
    labels = {}
    for p in report.people:
        labels.setdefault((p.village_code, p.grid_code), (p.village, p.grid))
    out = []
    by_code = lambda c: (order.get(c, len(order)), c)  # noqa: E731
    for place in sorted(labels, key=lambda k: (k[0] == "", k[0], k[1])):
        cats = sorted((k[2] for k in cover if k[:2] == place and k[2] is not None), key=by_code)
        out += [("category", *labels[place], c, cover[(*place, c)]) for c in cats]
        out.append(("grid_total", *labels[place], None, cover[(*place, None)]))
    everyone: dict[str, dict] = {}
    for (_v, _g, c), figures in cover.items():
        if c is not None:
            entry = everyone.setdefault(c, dict.fromkeys(FIGURES, 0))
            for f in FIGURES:
                entry[f] += figures[f]
    out += [("township_category", "", "", c, everyone[c]) for c in sorted(everyone, key=by_code)]
    return out


def _compare(report: MonthlyReport, db) -> None:
    want, got = reference(report), observed(report)
    want["cover"] = reference_cover(report, want["cover"]) + [("total", "", "", None, want["total"])]
    for entry in want["rows"].get("category", {}).values():  # a category row's label is the category's name
        entry["label"] = None
    assert got["rows"] == want["rows"]
    assert got["total"] == want["total"]
    for name in ("not_visited", "overdue", "emergency_high", "aged_out", "referred"):
        assert got[name] == want[name], name
    assert got["persons"] == {k: v for k, v in want["persons"].items() if k in got["persons"]}
    assert got["cover"] == want["cover"]
    # the tables' order: by code, villages with no code last, categories in the order they are shown
    order = {c: i for i, c in enumerate(SHOWN_CATEGORIES)}
    keys = {g: [r.key for r in report.rows[g]] for g in report.groupings}
    assert keys["village"] == sorted(keys["village"], key=lambda k: (k == "", k))
    assert keys["grid"] == sorted(keys["grid"])
    assert keys["category"] == sorted(keys["category"], key=lambda k: (order.get(k, len(order)), k))
    _compare_followup(report, db)


def _compare_followup(report: MonthlyReport, db) -> None:
    """The assessment sheet, who worsened and the emergencies, from each key person's own assessments."""
    from storage.register.report_query import alias_roots, as_date

    people = {p.id: p for p in report.people}
    with db.session() as s:
        conn = s.connection()
        roots = alias_roots(conn)
        history: dict[str, list] = {}
        for row in conn.execute(text(
                "SELECT a.id, a.resident_id, a.assessed_on, " + ", ".join(f"a.{d}" for d in DIMENSIONS) +
                ", (SELECT min(e.hlc) FROM event e WHERE e.record_type = 'assessment' AND e.record_id = a.id)"
                " FROM assessment a WHERE NOT a.deleted AND a.assessed_on <= :day"), {"day": report.day.isoformat()}):
            rid = roots.get(row[1], row[1])
            if rid in people:
                history.setdefault(rid, []).append(
                    (as_date(row[2]), row[-1] or 0, row[0], dict(zip(DIMENSIONS, row[3:-1], strict=True))))
    by_village: dict[str, list] = {}
    worse = []
    for p in report.people:
        h = sorted(history.get(p.id, []), key=lambda r: r[:3])
        latest = h[-1][3] if h else {}
        entry = by_village.setdefault(p.village_code, [0, 0, dict.fromkeys(DIMENSIONS, 0), dict.fromkeys(DIMENSIONS, 0)])
        entry[0] += 1
        entry[1] += bool(h)
        for d in DIMENSIONS:
            entry[2][d] += latest.get(d) == "moderate"
            entry[3][d] += latest.get(d) == "severe"
        for before, after in zip(h, h[1:], strict=False):
            if report.first <= after[0] <= report.day and worsened({"assessed_on": after[0], **after[3]}, before[3]):
                worse.append((p.id, after[0]))
    f = report.followup
    assert {r.key: [r.key_persons, r.assessed, r.moderate, r.severe] for r in f.assessment_rows} == by_village
    assert sorted((w.person.id, w.assessed_on) for w in f.worsened) == sorted(worse)
    assert all(w.person == people[w.person.id] for w in f.worsened)
    assert all(e.person == people[e.person.id] for e in f.emergencies)


def _compare_trend(db, trend) -> None:
    """Each month of the trend is that month's report: per grid, its key persons and how many were visited."""
    got, want = {}, {}
    for i, (year, month) in enumerate(trend.months):
        for row in trend.rows:
            if row.key_persons[i]:
                got[(row.key, i)] = (row.key_persons[i], row.visited[i])
        for p in monthly_report(db, year, month, today=TODAY).people:
            kp, visited = want.get((p.grid_code, i), (0, 0))
            want[(p.grid_code, i)] = (kp + 1, visited + p.visited)
    assert got == want
    assert trend.total.key_persons == [sum(r.key_persons[i] for r in trend.rows) for i in range(len(trend.months))]
    assert len({i for _g, i in got}) == 12  # people in every month of the twelve


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("policy", list(POLICIES))
def test_the_grouped_report_is_the_rule_applied_to_each_key_person(town_file, tmp_path, policy, engine):
    db, url = _target(town_file, tmp_path, policy, engine)
    try:
        seen = []
        for year, month, grid in ((2026, 9, None), (2026, 10, None), (2026, 8, None), (2026, 9, G2)):
            report = monthly_report(db, year, month, today=TODAY, grid_code=grid)
            _compare(report, db)
            seen.append(report.totals)
            assert [p.grid_code for p in report.people if p.name == "迁移甲"] == ([] if grid == G2 else [G1])
        # early in a month most key persons are not visited yet, and those the SQL can tell are neither overdue
        # nor anything else are read only for the list of the not visited (when asked, or with the rest)
        for lists in (False, True):
            report = monthly_report(db, 2026, 10, today=D(2026, 10, 4), with_lists=lists)
            _compare(report, db)
            quiet = {p.id for p in report.not_visited} - {p.id for p in report.listed}
            assert len(quiet) >= 20, len(quiet)  # (the strict policy, due every 10 days: the fewest)
        _compare_trend(db, monthly_report(db, 2026, 10, today=TODAY, with_trend=True).trend)
        september = seen[0]
        # the data reach every figure (a comparison of zeros would prove nothing)
        assert all(getattr(september, f) > 0 for f in FIGURES), september
        assert september.key_persons > 300 and september.not_visited > 0
    finally:
        db.dispose()
        if url:
            from tests import pg

            pg.drop_database(url)

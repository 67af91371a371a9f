"""The demo generator: deterministic, realistic, and exactly what the change log folds to."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from storage.core import hlc as clock
from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.fold import rebuild_all
from storage.core.identity import get_identity, init_township, init_worker
from storage.core.models import Benefit, Event, Grid, Referral, Resident, RiskAssessment, Village, Visit
from storage.demo.build import generate
from storage.register.categories import CHILD_CATEGORIES, ELDER_CATEGORIES
from storage.register.due import DueFacts, due_on
from storage.register.idnumbers import parse_disability_card, parse_id_number
from storage.register.policy import Policy, age_on, ageing_out
from storage.register.residents import EDITABLE, validate_resident
from storage.register.visits import VISIT_FIELDS, validate_visit
from storage.sync.dump import dump_lines
from storage.sync.export import pending_counts

TODAY = dt.date(2026, 11, 24)


def _all(db, model):
    with db.session() as s:
        return s.exec(select(model)).all()


@pytest.fixture(scope="module")
def grid_db(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("demo") / "g.db")
    seen = []
    summary = generate(db, seed=3, today=TODAY, progress=lambda done, total: seen.append((done, total)))
    assert summary["residents"] == 300 and summary["grids"] == 1
    assert 3300 <= summary["visits"] <= 4300  # twelve whole months and this one so far
    assert seen[-1] == (300, 300) and len(seen) > 2
    return db


def test_same_seed_same_dump_other_seed_other_dump(tmp_path, grid_db):
    again = open_database(tmp_path / "again.db")
    generate(again, seed=3, today=TODAY)
    assert list(dump_lines(again)) == list(dump_lines(grid_db))
    small = []
    for seed in (3, 4):
        db = open_database(tmp_path / f"small{seed}.db")
        generate(db, seed=seed, today=TODAY, residents=40)
        small.append(list(dump_lines(db)))
    assert small[0] != small[1]


def _rebuilt_equals_written(db) -> None:
    before = list(dump_lines(db))
    with db.write() as s:
        rebuild_all(s)
    assert list(dump_lines(db)) == before


def test_state_written_in_bulk_is_what_the_change_log_folds_to(grid_db, tmp_path):
    _rebuilt_equals_written(grid_db)
    other = open_database(tmp_path / "other.db")
    generate(other, seed=5, today=TODAY, residents=120)
    _rebuilt_equals_written(other)


def test_every_record_is_an_event_stamped_in_the_past(grid_db):
    ident = get_identity(grid_db)
    events = _all(grid_db, Event)
    by_type = Counter(e.record_type for e in events)
    residents, visits = _all(grid_db, Resident), _all(grid_db, Visit)
    manual_risks = [r for r in _all(grid_db, RiskAssessment) if r.source == "manual"]
    assert by_type["visit"] == len(visits)
    assert by_type["risk"] == len(manual_risks) > 0
    # a resident's events: registration, closing, and the day a paired helper was named
    assert by_type["resident"] == len(residents) + sum(r.status == "closed" for r in residents) + \
        sum(bool(r.helper_name) for r in residents)
    assert by_type["benefit"] == len(_all(grid_db, Benefit)) > 0
    assert by_type["referral"] >= len(_all(grid_db, Referral))
    newest: dict[tuple[str, str], int] = {}
    for e in sorted(events, key=lambda e: e.hlc):
        assert e.id == f"{e.device_id}-{e.hlc}"
        assert e.base_hlc == newest.get((e.record_type, e.record_id), 0)
        newest[(e.record_type, e.record_id)] = e.hlc
    generated = [e for e in events if e.record_type in ("resident", "visit", "risk", "referral", "benefit")]
    assert {e.device_id for e in generated} == {ident.device_id}
    assert {e.author for e in generated} == {ident.worker_name}
    assert all(e.exported_seq is None for e in events)
    assert ident.last_hlc >= max(e.hlc for e in events)
    # a visit's event is dated like the visit, so the history reads plausibly
    for v in visits[:50]:
        stamp = next(e.hlc for e in events if e.record_id == v.id)
        assert dt.datetime.fromtimestamp(clock.wall_ms(stamp) / 1000, dt.timezone.utc).date() == v.visit_date


def test_worker_demo_is_a_demo_worker_database_whose_records_export(grid_db):
    ident = get_identity(grid_db)
    assert ident.role == "worker" and ident.demo and ident.grid_code == "330521101-G01"
    assert pending_counts(grid_db)["visit"] >= 3300
    villages = _all(grid_db, Village)
    assert [(v.id, v.name) for v in villages] == [("330521101201", "柳溪村")]
    assert {r.village_code for r in _all(grid_db, Resident)} == {"330521101201"}


def test_id_numbers_and_disability_cards_are_valid(grid_db):
    residents = _all(grid_db, Resident)
    with_id = [r for r in residents if r.id_number]
    assert 280 <= len(with_id) < 300  # about 3% have none
    assert len({r.id_number for r in with_id}) == len(with_id)
    for r in with_id:
        info = parse_id_number(r.id_number, today=TODAY)
        assert (info.birth_date, info.sex, r.id_number[:6]) == (r.birth_date, r.sex, "330521")
        assert r.id_rev == r.id_number[::-1]
    cards = [r for r in residents if r.disability_card]
    assert len(cards) >= 50
    for r in cards:
        card = parse_disability_card(r.disability_card, r.id_number, today=TODAY)
        assert (card.category, card.grade) == (r.disability_category, r.disability_grade)
    for r in residents:
        if "severely_disabled" in r.categories:
            assert r.disability_grade in (1, 2) and age_on(r.birth_date, TODAY) >= 18


def _passes_the_apps_own_checks(db) -> None:
    """Every resident as registered (checked on the day they were), every visit as logged."""
    from storage.register.benefits import validate_benefit
    from storage.register.pairing import HELPER_FIELDS

    for r in _all(db, Resident):
        fields = {k: v for k, v in r.model_dump().items()
                  if k in EDITABLE and k != "visit_frequency_days" and k not in HELPER_FIELDS}
        validate_resident(fields, today=r.registered_on)
        assert r.name_initials and r.name_pinyin
        if r.helper_name:  # paired after registration: checked on the day the helper was named
            assert r.registered_on < r.helper_since < TODAY
            validate_resident({k: getattr(r, k) for k in HELPER_FIELDS}, today=r.helper_since, existing=r)
    for b in _all(db, Benefit):
        validate_benefit(b.model_dump(), today=TODAY)
    for v in _all(db, Visit):
        validate_visit({k: v for k, v in v.model_dump().items() if k in VISIT_FIELDS}, today=TODAY)


def test_the_register_passes_the_apps_own_checks(grid_db):
    _passes_the_apps_own_checks(grid_db)


def test_the_mix_is_realistic(grid_db):
    residents = _all(grid_db, Resident)
    n = len(residents)
    cats = Counter(c for r in residents for c in r.categories)
    children = [r for r in residents if set(r.categories) & set(CHILD_CATEGORIES)]
    elders = [r for r in residents if set(r.categories) & ELDER_CATEGORIES]
    assert 0.25 * n <= len(children) <= 0.45 * n
    assert 0.35 * n <= len(elders) <= 0.60 * n
    assert 0.15 * n <= cats["severely_disabled"] + cats["disabled_3_4_intellectual_mental"] <= 0.35 * n
    assert 0.08 * n <= cats["severely_disabled"] and 0.015 * n <= cats["disabled_3_4_intellectual_mental"] <= 0.08 * n
    # the other key persons of the plans (issue #15), each a few percent
    for cat in ("left_behind_woman", "widowed_childless_elder", "seriously_ill"):
        assert 0.015 * n <= cats[cat] <= 0.10 * n, cat
    assert all(r.sex == "F" and age_on(r.birth_date, TODAY) >= 18 for r in residents if "left_behind_woman" in r.categories)
    assert any("seriously_ill" in r.categories and age_on(r.birth_date, TODAY) < 18 for r in residents)
    assert any(len(r.categories) > 1 for r in residents)
    for r in children:
        assert 2 <= age_on(r.birth_date, TODAY) <= 18
        assert r.guardian_name and r.guardian_relation and r.father_status and r.mother_status
        assert r.father_name[:1] == r.name[:1] or len(r.father_name) > 3
    for r in elders:
        assert 60 <= age_on(r.birth_date, TODAY) <= 96
        assert not {"oldest_old", "dibao", "tekun"} & set(r.flags)  # derived, or dated benefit records now
    assert sum(age_on(r.birth_date, TODAY) >= 80 for r in elders) >= 0.1 * len(elders)  # 高龄, from the birth date
    adults = [r for r in residents if age_on(r.birth_date, TODAY) >= 18]
    assert sum(bool(r.phone) for r in adults) > 0.6 * len(adults)
    assert sum(bool(r.guardian_phone) for r in children) > 0.8 * len(children)
    risks = Counter(r.risk_level for r in residents)
    assert 0.55 * n <= risks["low"] <= 0.85 * n and risks["medium"] >= 0.1 * n
    assert risks["high"] + risks["emergency"] >= 0.04 * n


def test_some_are_overdue_unvisited_ageing_out_closed_or_referred(grid_db):
    residents, visits, referrals = _all(grid_db, Resident), _all(grid_db, Visit), _all(grid_db, Referral)
    last: dict[str, dt.date] = {}
    for v in visits:
        assert v.visit_date <= TODAY and v.next_visit_on > v.visit_date  # today's: this morning's round
        last[v.resident_id] = max(last.get(v.resident_id, v.visit_date), v.visit_date)
    policy = Policy()
    active = [r for r in residents if r.status == "active"]
    late = [(TODAY - due_on(policy, DueFacts(last.get(r.id), r.registered_on, r.risk_level), TODAY)).days
            for r in active]
    assert 0.03 <= sum(d > 14 for d in late) / len(active) <= 0.12
    unvisited = sum(last.get(r.id, dt.date.min) < TODAY.replace(day=1) for r in active) / len(active)
    assert 0.07 <= unvisited <= 0.20
    soon = [ageing_out(r.categories, r.birth_date, TODAY, 90) for r in active]
    assert any(d and d > TODAY for d in soon) and any(d and d <= TODAY for d in soon)
    closed = [r for r in residents if r.status == "closed"]
    assert closed and all(r.close_reason and r.closed_on for r in closed)
    for r in closed:
        assert r.close_reason != "aged_out" or set(r.categories) & set(CHILD_CATEGORIES)
        assert all(v.visit_date < r.closed_on for v in visits if v.resident_id == r.id)
    assert 0.02 * len(residents) <= len(referrals) <= 0.10 * len(residents)
    assert any(ref.status != "closed" for ref in referrals)
    assert all(ref.closed_on and ref.outcome for ref in referrals if ref.status == "closed")


def test_visits_record_contact_as_the_counting_rule_reads_it(grid_db):
    """Phone calls that reached the person, a few that did not; nobody reached through others."""
    visits = _all(grid_db, Visit)
    by = Counter((v.method, v.contact_made) for v in visits)
    phones = by[("phone", True)] + by[("phone", False)]
    assert phones > 100 and 0.03 * phones <= by[("phone", False)] <= 0.2 * phones
    assert by[("proxy", True)] == 0 and by[("home", False)] < 0.06 * (by[("home", True)] + by[("home", False)])
    for v in visits:
        assert v.resident_seen == (v.method == "home" and v.contact_made)
        assert v.contact_made or "本人" not in v.met_with  # a call that did not get through was not with the person
    policy = Policy()
    # the default policy counts the reached calls: some residents are visited this month by phone only
    month = [v for v in visits if v.visit_date >= TODAY.replace(day=1) and policy.counts_visit(v.method, v.contact_made)]
    methods: dict[str, set[str]] = {}
    for v in month:
        methods.setdefault(v.resident_id, set()).add(v.method)
    assert any(m == {"phone"} for m in methods.values())


def test_home_the_register_and_the_report_agree_on_the_demo(grid_db):
    from storage.register.home import home_data
    from storage.register.search import ResidentFilter, count_residents
    from storage.reports.monthly import monthly_report

    data = home_data(grid_db, TODAY)
    report = monthly_report(grid_db, TODAY.year, TODAY.month, today=TODAY, with_trend=True)
    assert (data.overall.total, data.overall.visited) == (report.totals.key_persons, report.totals.visited)
    with grid_db.session() as s:
        overdue = count_residents(s, "", filters=ResidentFilter(due="overdue"), today=TODAY)
        week = count_residents(s, "", filters=ResidentFilter(due="due_week"), today=TODAY)
    assert overdue == data.counts["overdue"] == report.totals.overdue > 0
    assert week == sum(1 for r in data.due_week if TODAY <= r.due_on <= TODAY + dt.timedelta(days=6)) > 0
    assert report.trend.total.rates[-1] == pytest.approx(report.totals.visit_rate)


def test_demo_refuses_to_run_twice(grid_db):
    with pytest.raises(UserError):
        generate(grid_db, seed=9, today=TODAY)


def test_an_existing_worker_database_gets_its_own_grid(tmp_path):
    db = open_database(tmp_path / "w.db")
    init_worker(db, "330521103", "钟管镇", "G07", "东岭村第二网格", "李敏", None, village_code="330521103204")
    summary = generate(db, seed=1, today=TODAY, residents=40)
    assert summary["residents"] == 40
    ident = get_identity(db)
    assert {r.grid_code for r in _all(db, Resident)} == {"330521103-G07"}
    assert {r.id_number[:6] for r in _all(db, Resident) if r.id_number} == {"330521"}
    assert {e.device_id for e in _all(db, Event)} == {ident.device_id}
    assert not get_identity(db).demo


def test_a_township_database_gets_one_grid_at_grid_scale(tmp_path):
    db = open_database(tmp_path / "t.db")
    init_township(db, "330521102", "洛舍镇", None)
    summary = generate(db, seed=2, today=TODAY)
    assert summary["grids"] == 1 and summary["residents"] == 300
    grids = _all(db, Grid)
    assert [g.id for g in grids] == ["330521102-G01"] and grids[0].village_code.startswith("330521102")
    ident = get_identity(db)
    assert not ident.demo  # set up by `init`: a real township that got demo data
    devices = {e.device_id for e in _all(db, Event) if e.record_type == "visit"}
    assert len(devices) == 1 and ident.device_id not in devices
    _rebuilt_equals_written(db)


@pytest.mark.slow
def test_township_scale(tmp_path):
    db = open_database(tmp_path / "t.db")
    summary = generate(db, seed=1, scale="township", today=TODAY)
    assert summary["residents"] == 6000 and summary["grids"] == 40 and 66000 <= summary["visits"] <= 80000
    villages = _all(db, Village)
    assert 8 <= len(villages) <= 12 and all(len(v.id) == 12 and v.id.startswith("330521101") for v in villages)
    assert len({v.name for v in villages}) == len(villages)
    names = [r.name for r in _all(db, Resident)]
    assert {n[0] for n in names} >= {"曾"} and {n[0] for n in names} & {"单", "解"}
    assert len({e.device_id for e in _all(db, Event) if e.record_type == "visit"}) == 40
    ident = get_identity(db)
    assert ident.role == "township" and ident.demo and ident.township_code == "330521101"
    _passes_the_apps_own_checks(db)


def test_cli(tmp_path):
    path = tmp_path / "c.db"
    out = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(path), "--lang", "en", "demo", "--seed", "3"],
                         cwd=Path(__file__).parents[1], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(Path(__file__).parents[1])})
    assert out.returncode == 0, out.stderr
    assert "300 residents" in out.stdout
    db = open_database(path)  # dated by the real today: every stamp is behind the clock, so real edits win
    events, now = _all(db, Event), clock.pack(clock.now_ms(), 0)
    assert all(e.hlc < now for e in events) and get_identity(db).last_hlc >= max(e.hlc for e in events)


def test_a_worker_set_up_without_a_village_gets_the_village_of_its_demo_residents(tmp_path):
    """Walk F, 5: `init --role worker` without --village-name, then `demo`: the 300 residents were in 柳溪村 and
    the grid in none, so the township (which holds no village records) reported them under the bare code and
    put every resident registered on screen in 无所属村. The grid's record now names its village."""
    from tests.sync_helpers import make_township

    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    generate(w, seed=3, today=TODAY)
    (grid,) = _all(w, Grid)
    assert (grid.village_code, grid.village_name) == ("330521101201", "柳溪村")
    assert {r.village_code for r in _all(w, Resident)} == {"330521101201"}

"""The demo generator: deterministic, realistic, and exactly what the change log folds to."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from storage.changes import rebuild_all
from storage.db import open_database
from storage.demo import generate
from storage.dump import dump_lines
from storage.errors import UserError
from storage.export import pending_counts
from storage.identity import get_identity
from storage.idnumbers import parse_disability_card, parse_id_number
from storage.models import Event, Referral, Resident, Visit
from storage.policy import Policy, ageing_out, due_date

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def grid_db(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("demo") / "g.db")
    summary = generate(db, seed=3, today=TODAY)
    assert summary["residents"] == 300 and 3000 <= summary["visits"] <= 4200
    return db


def _dump(db):
    return [line for line in dump_lines(db) if '"type":"grid"' not in line and '"type":"township"' not in line]


def test_same_seed_same_data_other_seed_other_data(tmp_path, grid_db):
    again = open_database(tmp_path / "again.db")
    generate(again, seed=3, today=TODAY)
    assert _dump(again) == _dump(grid_db)
    other = open_database(tmp_path / "other.db")
    generate(other, seed=4, today=TODAY)
    assert _dump(other) != _dump(grid_db)


def test_state_written_in_bulk_is_what_the_change_log_folds_to(tmp_path):
    db = open_database(tmp_path / "fold.db")
    generate(db, seed=5, today=TODAY)
    before = list(dump_lines(db))
    with db.write() as s:
        rebuild_all(s)
    assert list(dump_lines(db)) == before


def test_worker_demo_is_a_worker_database_whose_records_export(grid_db):
    ident = get_identity(grid_db)
    assert ident.role == "worker" and ident.demo
    assert pending_counts(grid_db)["visit"] >= 3000
    with grid_db.session() as s:
        newest = max(e.hlc for e in s.exec(select(Event).where(Event.device_id == ident.device_id)).all())
        assert s.get(type(ident), 1).last_hlc >= newest


def test_ids_cards_and_the_mix_are_realistic(grid_db):
    with grid_db.session() as s:
        residents = s.exec(select(Resident)).all()
        visits = s.exec(select(Visit)).all()
        referrals = s.exec(select(Referral)).all()
    with_id = [r for r in residents if r.id_number]
    assert len(with_id) >= 280
    for r in with_id:
        info = parse_id_number(r.id_number)
        assert (info.birth_date, info.sex) == (r.birth_date, r.sex)
        assert r.id_rev == r.id_number[::-1]
    for r in residents:
        if r.disability_card:
            card = parse_disability_card(r.disability_card, r.id_number)
            assert (card.category, card.grade) == (r.disability_category, r.disability_grade)
            if "severely_disabled" in r.categories:
                assert card.severe
    cats = Counter(c for r in residents for c in r.categories)
    assert 60 <= cats["left_behind_child"] + cats["child_in_difficulty"] <= 150
    assert cats["solitary_elder"] + cats["empty_nest_elder"] + cats["left_behind_elder"] >= 100
    risks = Counter(r.risk_level for r in residents)
    assert risks["high"] + risks["emergency"] >= 5 and risks["low"] >= 150
    last = {}
    for v in visits:
        last[v.resident_id] = max(last.get(v.resident_id, v.visit_date), v.visit_date)
    policy = Policy()
    active = [r for r in residents if r.status == "active"]
    overdue = [r for r in active if TODAY > due_date(last.get(r.id), r.registered_on, policy.frequency_days(r.risk_level), TODAY)]
    not_this_month = [r for r in active if last.get(r.id, dt.date.min) < TODAY.replace(day=1)]
    assert len(overdue) >= 10 and len(not_this_month) >= 20
    assert any(ageing_out(r.categories, r.birth_date, TODAY, 90) for r in active)
    assert any(r.status == "closed" for r in residents)
    assert any(ref.status != "closed" for ref in referrals)
    assert all(v.visit_date < TODAY for v in visits)


def test_demo_refuses_to_run_twice(grid_db):
    with pytest.raises(UserError):
        generate(grid_db, seed=3, today=TODAY)


@pytest.mark.slow
def test_township_scale(tmp_path):
    db = open_database(tmp_path / "t.db")
    summary = generate(db, seed=1, scale="township", today=TODAY)
    assert summary["residents"] == 6000 and summary["grids"] == 40 and 66000 <= summary["visits"] <= 80000
    with db.session() as s:
        names = [r.name for r in s.exec(select(Resident)).all()]
    assert any(n[0] in "单曾解" for n in names)


def test_cli(tmp_path):
    out = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(tmp_path / "c.db"), "--lang", "en", "demo", "--seed", "2"],
                         cwd=Path(__file__).parents[1], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(Path(__file__).parents[1])})
    assert out.returncode == 0, out.stderr
    assert "300 residents" in out.stdout

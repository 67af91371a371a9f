"""The county report's SQL rewritten for speed (issue #17) says what the SQL it replaced says, on both engines:
the day a risk level began (month_sql.run_start_sql against due.risk_from_sql), each resident's latest
assessment (month_sql.latest_assessment_ctes against assessment_ctes' window passes), and the parts read
beside the report on a second connection (storage/reports/beside.py) fail the report when they fail.

The histories are drawn to reach the ties: several findings on one day ordered by their clock only, a level
that comes back after another, deleted rows, findings after the report day, duplicates merged into a record."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import text

from storage.core.changes import writer
from storage.core.db import open_database
from storage.register.assessments import DIMENSIONS, assess_resident
from storage.register.due import risk_from_sql
from storage.register.duplicates import merge_residents
from storage.register.report_query import risk_packed
from storage.register.residents import register_resident
from storage.reports.month_sql import ROOTS_CTES, assessment_ctes, latest_assessment_ctes, run_start_sql
from storage.reports.monthly import monthly_report
from tests.foundation_helpers import make_db

D = dt.date
TODAY = D(2026, 10, 20)
GRID = "330521101-G01"
LEVELS = ("low", "medium", "high", "emergency")
DAYS = (D(2026, 9, 3), D(2026, 9, 5), D(2026, 9, 30))
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _on(engine: str, path):
    """The database at `path`, or a server copy of it; and the server URL to drop afterwards."""
    if engine == "sqlite":
        return open_database(path), None
    from tests import pg

    url = pg.create_database()
    pg.copy_sqlite_into(path, url)
    return open_database(url), url


def _drop(db, url) -> None:
    db.dispose()
    if url:
        from tests import pg

        pg.drop_database(url)


def _risk_histories(path) -> list[str]:
    """60 residents' findings, drawn: dates among a few days (so that several share one), clocks that may
    tie, every level, some deleted. Written straight into risk_assessment (the query reads nothing else)."""
    db = make_db(path)
    draw = random.Random(17)
    rows, residents = [], [f"r{i:02d}" for i in range(60)]
    for rid in residents:
        for n in range(draw.randint(1, 8)):
            rows.append({"id": f"{rid}-{n}", "rid": rid, "level": draw.choice(LEVELS),
                         "on": D(2026, 9, draw.randint(1, 7)).isoformat(), "hlc": draw.randint(1, 4),
                         "deleted": draw.random() < 0.1})
    with db.write() as s:
        s.execute(text("INSERT INTO risk_assessment (id, resident_id, level, reason, assessed_on, assessor, source,"
                       " hlc, deleted) VALUES (:id, :rid, :level, '', :on, '', 'manual', :hlc, :deleted)"), rows)
    db.dispose()
    return residents


@pytest.mark.parametrize("engine", ENGINES)
def test_the_day_a_level_began_is_risk_from_sql_s(tmp_path, engine):
    residents = _risk_histories(tmp_path / "risk.db")
    db, url = _on(engine, tmp_path / "risk.db")
    try:
        with db.session() as s:
            conn = s.connection()
            new = run_start_sql(risk_packed(conn), ":rid", ":level", ":day")
            sql = text(f"SELECT {risk_from_sql(':rid', ':level', ':day')}, {new}")
            pairs, began = [], 0
            for rid in residents:
                for level in LEVELS:
                    for day in DAYS:
                        old, got = conn.execute(sql, {"rid": rid, "level": level, "day": day.isoformat()}).one()
                        pairs.append(((rid, level, day), str(got) if got else None, str(old) if old else None))
                        began += old is not None
    finally:
        _drop(db, url)
    assert [(key, got) for key, got, _old in pairs] == [(key, old) for key, _got, old in pairs]
    assert began > 150  # the histories reach the rule (a comparison of NULLs would prove nothing): NULL
    # wherever the level asked is not the latest one, so about one in four


def _assessed_town(path) -> None:
    """Residents assessed up to three times, twice on one day for many of them (the clock decides which
    is the latest), two duplicates merged into their records."""
    db = make_db(path, role="township")
    with db.write() as s:
        writer(s).write("grid", GRID, {"code": "G01", "name": "一网格", "township_code": "330521101"})
    draw = random.Random(5)
    ids = []
    for i in range(24):
        rid = register_resident(db, {"name": f"测评{i:02d}", "grid_code": GRID, "categories": ["solitary_elder"],
                                     "registered_on": D(2026, 1, 5)}, today=D(2026, 1, 5)).id
        ids.append(rid)
        for _n in range(draw.randint(1, 3)):
            grades = {d: draw.choice(("mild", "moderate", "severe")) for d in DIMENSIONS}
            assess_resident(db, rid, grades, assessed_on=draw.choice(DAYS[:2]), today=TODAY)
    merge_residents(db, ids[0], ids[1])
    merge_residents(db, ids[2], ids[3])
    db.dispose()


@pytest.mark.parametrize("engine", ENGINES)
def test_the_latest_assessment_is_the_window_passes_one(tmp_path, engine):
    _assessed_town(tmp_path / "a.db")
    db, url = _on(engine, tmp_path / "a.db")
    try:
        with db.session() as s:
            conn = s.connection()
            old_sql = text(f"{ROOTS_CTES}, {assessment_ctes()} SELECT la.rid, la.id FROM la ORDER BY la.rid")
            new_sql = text(f"{ROOTS_CTES}, {latest_assessment_ctes()} SELECT la.rid, la.id FROM la ORDER BY la.rid")
            ties = conn.execute(text("SELECT count(*) FROM (SELECT resident_id, assessed_on FROM assessment"
                                     " GROUP BY resident_id, assessed_on HAVING count(*) > 1) x")).scalar_one()
            found = {}
            for day in DAYS:
                params = {"day": day.isoformat()}
                found[day] = ([tuple(r) for r in conn.execute(new_sql, params)],
                              [tuple(r) for r in conn.execute(old_sql, params)])
    finally:
        _drop(db, url)
    for day, (new, old) in found.items():
        assert new == old, day
    assert ties >= 5 and len(found[DAYS[2]][0]) == 22  # ties reached; 24 residents, two merged away


@pytest.mark.parametrize("engine", ENGINES)
def test_a_part_read_beside_the_report_fails_the_report(tmp_path, engine, monkeypatch):
    _assessed_town(tmp_path / "b.db")
    db, url = _on(engine, tmp_path / "b.db")
    try:
        report = monthly_report(db, 2026, 9, today=TODAY)
        assert report.totals.key_persons == 22 and report.followup.assessment_total.assessed == 22

        def broken(*_args, **_kw):
            raise RuntimeError("benefit lists broke")

        monkeypatch.setattr("storage.reports.beside.benefit_watch", broken)
        with pytest.raises(RuntimeError, match="benefit lists broke"):
            monthly_report(db, 2026, 9, today=TODAY)
        monkeypatch.undo()

        def main_broken(*_args, **_kw):
            raise ValueError("listed key persons broke")

        monkeypatch.setattr("storage.reports.monthly.read_people", main_broken)
        with pytest.raises(ValueError, match="listed key persons broke"):
            monthly_report(db, 2026, 9, today=TODAY)
        # the report waited for the part beside it: no connection left checked out of the pool
        assert db.engine.pool.checkedout() == 0
    finally:
        _drop(db, url)

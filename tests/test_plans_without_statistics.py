"""No read of the register walks a big table again for each row, on a file SQLite has no statistics for.

Nothing ANALYZEs a worker's, a township's or an SQLite county's file, so SQLite plans by its defaults, and
given an equality on a low-cardinality column it takes that column's index: the day a high risk began read
every assessment at that level for each listed person (a county's November report: 11 minutes, not 13 s), and
who moved since the day read every resident event's row (16-30 s). Every SELECT run by the reports, Home, the
search, the resident page and the read-only commands is collected here and its plan checked; plans do not
depend on how many rows there are (no statistics), so a small demo shows the plans of a county's file.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import sqlite3

import pytest

from storage.demo.build import generate
from storage.register.emergencies import open_emergencies
from storage.register.home import read_home
from storage.register.profile import resident_profile
from storage.register.search import search_residents
from storage.reports.monthly import monthly_report
from tests.plan_helpers import plan_problems, shown, statements
from tui.cli import main

TODAY = dt.date(2026, 12, 4)


def test_the_registers_reads_do_not_walk_a_table_per_row(tmp_path, monkeypatch):
    from storage.core.db import open_database

    path = tmp_path / "w.db"
    db = open_database(path)
    generate(db, seed=3, scale="grid", today=TODAY, residents=40)
    db.dispose()
    with statements(monkeypatch) as seen:
        for argv in (["report", "--month", "2026-11"], ["report"], ["emergencies"], ["duplicates"], ["policy"],
                     ["villages"], ["dump"]):
            with contextlib.redirect_stdout(io.StringIO()):
                assert main(["--db", str(path), *argv]) == 0, argv
        db = open_database(path)
        monthly_report(db, 2026, 11, today=TODAY, with_trend=True)
        with db.session() as s:
            open_emergencies(s, TODAY)
        with db.session() as s:
            found = [r for q in ("王", "wf", "1", "") for r in search_residents(s, q, today=TODAY)[:2]]
        for r in found:
            resident_profile(db, r.id, TODAY)
        db.dispose()
        raw = sqlite3.connect(path)
        read_home(raw, TODAY)
        raw.close()
    explained, bad = plan_problems(path, seen)
    # the listed key persons were read, and the search found people (the test saw what it is for)
    assert any("x AS MATERIALIZED" in s for s in seen) and len(found) >= 4 and explained > 60, explained
    assert not bad, shown(bad)


@pytest.mark.parametrize("role", ["worker", "township"])
def test_the_screens_reads_do_not_walk_a_table_per_row(tmp_path, monkeypatch, role):
    """The app itself, at 80×24, walked from Home through the register, a resident's page, the report (a month
    back too), sync, conflicts and the policy: every read its screens make, planned without statistics."""
    from storage.core.db import open_database
    from storage.core.identity import init_township

    path = tmp_path / "g.db"
    db = open_database(path)
    if role == "township":
        init_township(db, "330521101", "新市镇", tmp_path / "t.pub")
    generate(db, seed=5, scale="grid", today=TODAY, residents=40)
    db.dispose()
    with statements(monkeypatch) as seen:
        visited = asyncio.run(_walk(path))
    explained, bad = plan_problems(path, seen)
    assert {"ResidentsScreen", "ResidentScreen", "ReportsScreen", "SyncScreen"} <= visited, visited
    assert explained > 40, explained
    assert not bad, shown(bad)


def test_the_county_screens_reads_do_not_walk_a_table_per_row(tmp_path, monkeypatch):
    """A county on SQLite (the tests' and a small county's): its Home and Enter on a township's figures (those
    not visited, every key person), the report and a month back, sync."""
    from storage.sync.merge import merge_paths
    from tests.county_helpers import busy_township, make_county

    path = tmp_path / "county.db"
    county = make_county(path, tmp_path / "county.pub")
    t = busy_township(tmp_path, "330521101", tmp_path / "county.pub", n=3, county=county)
    assert merge_paths(county, [t.to_county(tmp_path / "up")]).refused == []
    county.dispose()
    t.close()
    with statements(monkeypatch) as seen:
        visited = asyncio.run(_walk(path, home="CountyHomeScreen", steps=(
            (["enter"], "ReportListScreen"), (["escape", "right", "enter"], "ReportListScreen"),
            (["escape", "m"], "ReportsScreen"), (["left_square_bracket"], "ReportsScreen"), (["escape", "s"], "SyncScreen"),
            (["escape", "2"], None))))
    explained, bad = plan_problems(path, seen)
    assert {"ReportsScreen", "SyncScreen", "CountyHomeScreen", "ReportListScreen"} <= visited and explained > 30, (visited, explained)
    assert not bad, shown(bad)


_REGISTER_WALK = ((["r"], "ResidentsScreen"), (["down", "enter"], "ResidentScreen"),
                  (["escape", "escape", "m"], "ReportsScreen"), (["left_square_bracket"], "ReportsScreen"),
                  (["escape", "s"], "SyncScreen"), (["escape", "c"], None), (["escape", "p"], None))


async def _walk(path, home: str = "HomeScreen", steps=_REGISTER_WALK) -> set[str]:
    from tests.pilot_helpers import on_screen, settle
    from tui.app import make_app

    app = make_app(path, lang="zh_CN", today=TODAY)
    visited: set[str] = {home}
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, home)
        for keys, screen in steps:
            await pilot.press(*keys)
            if screen:
                await on_screen(pilot, screen)
            else:
                await settle(pilot)
            visited.add(type(app.screen).__name__)
    return visited


def test_a_day_of_writing_and_the_bundles_both_ways_do_not_walk_a_table_per_row(tmp_path, monkeypatch):
    """The worker registers, visits, edits, closes and reopens; exports; the township merges and sends the
    grid its return bundle; the laptop merges it: every read of both files, planned without statistics."""
    from storage.core.db import open_database
    from storage.register.residents import close_case, register_resident, reopen_case, update_resident
    from storage.register.visits import log_visit
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.sync_helpers import make_township

    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    generate(a, seed=2, scale="grid", today=TODAY, residents=30)
    paths = a.path, t.db.path
    a.dispose()
    t.db.dispose()
    with statements(monkeypatch) as seen:  # (opened inside: a pooled connection is traced when it is made)
        worker, township = open_database(paths[0]), open_database(paths[1])
        r = register_resident(worker, {"name": "江爱珍", "categories": ["solitary_elder"]}, today=TODAY)
        log_visit(worker, r.id, {"visit_date": TODAY, "mandatory_report": True}, today=TODAY)
        update_resident(worker, r.id, {"phone": "13857201235"}, today=TODAY)
        close_case(worker, r.id, "moved_away", TODAY, today=TODAY)
        reopen_case(worker, r.id)
        assert not merge_paths(township, [export_bundle(worker, tmp_path / "up").path]).refused
        back = export_bundle(township, tmp_path / "back", grid_code="G01")
        assert not merge_paths(worker, [back.path]).refused
        worker.dispose()
        township.dispose()
    for path in paths:
        explained, bad = plan_problems(path, seen)
        assert explained > 50 and not bad, (path.name, explained, shown(bad))

"""A past month's report counts a key person in the grid and village they were in then (walk G, 4).

Seen: the clerk moved 江爱珍 from G01 to G02 on 2 December; November's report, made on 3 December, put her
(and G01's November visit to her) in G02's row, and the G01 worker's own November report left her out. The
events are stamped by a clock set to each day of the story (tests/foundation_helpers.py `clock_on`), as a
laptop's are; the path is the one people walk: the worker registers and visits, exports, the township
merges, the clerk moves her, the return bundle reaches the worker, and each prints November.
"""

from __future__ import annotations

import datetime as dt

import pytest

from storage.register.placed import Step, day_end, place_on
from storage.register.residents import register_resident, update_resident
from storage.register.visits import log_visit
from storage.reports.monthly import monthly_report
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import clock_on
from tests.sync_helpers import make_township

D = dt.date
T = "330521101"
G01, G02 = f"{T}-G01", f"{T}-G02"
MOVED_ON = D(2026, 12, 2)
TODAY = D(2026, 12, 3)


def _rows(report, grouping: str) -> dict[str, tuple[int, int]]:
    return {r.key: (r.key_persons, r.visited) for r in report.rows[grouping]}


def _story(tmp_path, *, mandatory: bool = False):
    """Two grids; the G01 worker registers 江爱珍 and 陈阿公 in October, visits her in November; the township
    merges; on 2 December the clerk moves her to G02, and the return bundle reaches G01."""
    with clock_on(D(2026, 10, 5)):
        t = make_township(tmp_path)
        a, b = t.worker("王芳", "G01"), t.worker("李强", "G02")
        her = register_resident(a, {"name": "江爱珍", "categories": ["solitary_elder"], "grid_code": G01},
                                today=D(2026, 10, 5)).id
        register_resident(a, {"name": "陈阿公", "categories": ["solitary_elder"], "grid_code": G01}, today=D(2026, 10, 5))
        register_resident(b, {"name": "赵大山", "categories": ["solitary_elder"], "grid_code": G02}, today=D(2026, 10, 5))
    with clock_on(D(2026, 11, 10)):
        log_visit(a, her, {"visit_date": D(2026, 11, 10), "method": "home", "visitor": "王芳", "contact_made": True,
                           "mandatory_report": mandatory}, today=D(2026, 11, 10))
        for n, db in enumerate((a, b)):
            assert not merge_paths(t.db, [export_bundle(db, tmp_path / f"up{n}").path]).refused
    with clock_on(MOVED_ON):
        update_resident(t.db, her, {"grid_code": G02}, today=MOVED_ON)
        back = merge_paths(a, [export_bundle(t.db, tmp_path / "back", grid_code=G01).path])
        assert back.moved_away == [("江爱珍", "G02")]
    return t, a, her


def test_november_counts_her_in_g01_and_december_in_g02(tmp_path):
    t, a, her = _story(tmp_path)
    november = monthly_report(t.db, 2026, 11, today=TODAY, with_trend=True)
    assert _rows(november, "grid") == {G01: (2, 1), G02: (1, 0)}  # her visit in G01's row, with her
    assert {p.name: p.grid_code for p in november.read_everyone()} == {"江爱珍": G01, "陈阿公": G01, "赵大山": G02}
    assert {p.name: p.grid_code for p in november.listed} == {"陈阿公": G01, "赵大山": G02}  # not visited
    december = monthly_report(t.db, 2026, 12, today=TODAY, with_trend=True)
    assert _rows(december, "grid") == {G01: (1, 0), G02: (2, 0)}
    trend = {r.key: (r.key_persons[-3:], r.visited[-3:]) for r in december.trend.rows}
    assert trend == {G01: ([2, 2, 1], [0, 1, 0]), G02: ([1, 1, 2], [0, 0, 0])}
    # a grid's report of November (the worker's, and the clerk's for one grid) is the grid she was in then
    assert _rows(monthly_report(t.db, 2026, 11, today=TODAY, grid_code=G02), "grid") == {G02: (1, 0)}
    assert _rows(monthly_report(t.db, 2026, 11, today=TODAY, grid_code=G01), "grid") == {G01: (2, 1)}
    mine = monthly_report(a, 2026, 11, today=TODAY, with_trend=True)  # on the G01 worker's laptop
    assert _rows(mine, "grid") == {G01: (2, 1)}
    assert {r.key: r.key_persons[-2:] for r in mine.trend.rows} == {G01: [2, 2]}
    assert _rows(monthly_report(a, 2026, 12, today=TODAY), "grid") == {G01: (1, 0)}  # she is G02's now


@pytest.mark.postgres
def test_a_county_on_postgresql_places_her_the_same(tmp_path):
    from storage.core.db import open_database
    from tests import pg

    t, _a, _her = _story(tmp_path, mandatory=True)
    t.db.dispose()
    url = pg.create_database()
    try:
        pg.copy_sqlite_into(tmp_path / "township.db", url)
        db = open_database(url)
        try:
            november = monthly_report(db, 2026, 11, today=TODAY, with_trend=True)
            assert _rows(november, "grid") == {G01: (2, 1), G02: (1, 0)}
            assert {p.name: p.grid_code for p in november.read_everyone()}["江爱珍"] == G01
            g01 = monthly_report(db, 2026, 11, today=TODAY, grid_code=G01)
            assert [(e.person.name, e.person.grid_code) for e in g01.followup.emergencies] == [("江爱珍", G01)]
            december = monthly_report(db, 2026, 12, today=TODAY, with_trend=True)
            assert {r.key: r.key_persons[-3:] for r in december.trend.rows} == {G01: [2, 2, 1], G02: [1, 1, 2]}
        finally:
            db.dispose()
    finally:
        pg.drop_database(url)


def _step(day: dt.date, grid: str | None, village: str | None = None, sets_village: bool = False) -> Step:
    return Step(day_end(day) - (1 << 16), "aaaa000000000001", grid, village, sets_village)


VILLAGES = {G01: f"{T}001", G02: f"{T}002"}


def test_where_the_events_put_someone_on_a_day():
    moved = [_step(D(2026, 10, 5), G01), _step(MOVED_ON, G02, f"{T}009", True)]
    assert place_on(moved, day_end(D(2026, 11, 30)), VILLAGES) == (G01, f"{T}001")  # the grid's village
    assert place_on(moved, day_end(MOVED_ON), VILLAGES) == (G02, f"{T}009")  # the move's own village
    # a village set to nothing again is the grid's
    cleared = [*moved, _step(D(2026, 12, 5), None, None, True)]
    assert place_on(cleared, day_end(D(2026, 12, 6)), VILLAGES) == (G02, f"{T}002")
    # a record written after the day (a roster imported later): where it was first written
    late = [_step(D(2026, 12, 1), G01), _step(MOVED_ON, G02)]
    assert place_on(late, day_end(D(2026, 10, 31)), VILLAGES) == (G01, f"{T}001")
    # the day's end is midnight in China: a move at 23:59 on 30 November (15:59 UTC) is November's
    assert day_end(D(2026, 11, 30)) >> 16 == int(dt.datetime(2026, 11, 30, 16, tzinfo=dt.timezone.utc).timestamp() * 1000)


def test_an_emergency_found_in_november_stays_in_the_grid_she_was_in(tmp_path):
    """Found by G01's worker on 10 November, moved to G02 on 2 December: November's emergencies were read by
    her grid now, so G01's report of November left the finding out, and G02's found her in no G02 row."""
    from storage.register.emergencies import find_emergencies

    t, a, her = _story(tmp_path, mandatory=True)
    november = monthly_report(t.db, 2026, 11, today=TODAY)
    assert [(e.person.name, e.person.grid_code) for e in november.followup.emergencies] == [("江爱珍", G01)]
    g01 = monthly_report(t.db, 2026, 11, today=TODAY, grid_code=G01)
    assert [e.person.name for e in g01.followup.emergencies] == ["江爱珍"]
    assert monthly_report(t.db, 2026, 11, today=TODAY, grid_code=G02).followup.emergencies == []
    assert [e.person.name for e in monthly_report(a, 2026, 11, today=TODAY).followup.emergencies] == ["江爱珍"]
    # Home asks who acts now: the grid she is in today
    with t.db.session() as s:
        assert [e.grid_code for e in find_emergencies(s, D(2026, 11, 1), TODAY, G02)] == [G02]

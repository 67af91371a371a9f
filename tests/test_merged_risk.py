"""A record that duplicates were merged into carries the newest finding of them all (walk G, 2, second half).

Seen: after the clerk merged 江爱珍's two records, the other grid's worker assessed the duplicate 高; the report
counted her at high risk, Home's high-risk list and the register's risk filter did not (the kept record's own
newest finding was 低). Un-merging gives each record its own finding back, whatever order the events arrive in.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from storage.core.changes import writer
from storage.core.db import open_database
from storage.core.models import Resident
from storage.register.duplicates import merge_residents, undo_merge
from storage.register.home import home_data
from storage.register.profile import resident_profile
from storage.register.residents import register_resident
from storage.register.risk import change_risk
from storage.register.search import ResidentFilter, search_residents
from storage.register.visits import log_visit
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import copy_db, make_db
from tests.sync_helpers import elder, make_township

TODAY = dt.date(2026, 11, 24)


def _person(db, name: str):
    return register_resident(db, {"name": name, "categories": ["solitary_elder"], "birth_date": dt.date(1944, 5, 6),
                                  "registered_on": dt.date(2025, 3, 1), "grid_code": "330521101-G01"}, today=TODAY)


def _level(db, rid: str) -> str:
    with db.session() as s:
        return s.get(Resident, rid).risk_level


def _assess(db, rid: str, level: str, day: int) -> None:
    change_risk(db, rid, level, f"第{day}日", assessed_on=dt.date(2026, 11, day), today=TODAY)


def test_the_kept_record_takes_the_newest_finding_of_its_duplicates_on_every_screen(db_target):
    db = make_db(db_target, role="township")
    kept, dup = _person(db, "江爱珍"), _person(db, "江爱珍")
    _assess(db, kept.id, "low", 1)
    _assess(db, dup.id, "high", 20)
    merge_residents(db, kept.id, dup.id)
    assert _level(db, kept.id) == "high"
    assert [r.id for r in home_data(db, TODAY).high_risk] == [kept.id]
    with db.session() as s:
        assert [r.id for r in search_residents(s, "", filters=ResidentFilter(risk="high"), today=TODAY)] == [kept.id]
    _assess(db, kept.id, "medium", 22)  # on the kept record, newer: it wins
    assert _level(db, kept.id) == "medium"
    _assess(db, dup.id, "emergency", 23)  # the duplicate assessed again (its worker has not heard of the merge)
    assert _level(db, kept.id) == "emergency"
    undo_merge(db, dup.id)  # two people after all: each its own finding
    assert (_level(db, kept.id), _level(db, dup.id)) == ("medium", "emergency")
    merge_residents(db, kept.id, dup.id)
    assert _level(db, kept.id) == "emergency"
    with db.write() as s:  # a deleted record is no one's duplicate
        writer(s).delete("resident", dup.id)
    assert _level(db, kept.id) == "medium"
    db.dispose()


def test_the_finding_that_came_with_a_duplicate_restarts_the_visit_clock_on_every_screen(db_target):
    """高 found on the duplicate on 20 November, the pair last visited on the 10th: the next visit is due a week after
    the finding (the 27th), on Home, in the register and on her page alike; not a week after the visit (the 17th),
    as the kept record's own assessments, none of them high, had it."""
    db = make_db(db_target, role="township")
    kept, dup = _person(db, "江爱珍"), _person(db, "江爱珍")
    log_visit(db, kept.id, {"visit_date": dt.date(2026, 11, 10), "resident_seen": True}, today=TODAY)
    _assess(db, kept.id, "low", 1)
    _assess(db, dup.id, "high", 20)
    merge_residents(db, kept.id, dup.id)
    due = dt.date(2026, 11, 27)
    assert [(r.id, r.due_on) for r in home_data(db, TODAY).high_risk] == [(kept.id, due)]
    with db.session() as s:
        assert [(r.id, r.due_on) for r in search_residents(s, "江爱珍", today=TODAY)] == [(kept.id, due)]
        assert search_residents(s, "", filters=ResidentFilter(due="overdue"), today=TODAY) == []
    assert resident_profile(db, kept.id, TODAY).due_on == due
    db.dispose()


def test_a_chain_of_merges_brings_the_finding_to_the_record_at_its_end(tmp_path):
    db = make_db(tmp_path / "t.db", role="township")
    top, middle, low = _person(db, "陈阿婆"), _person(db, "陈阿婆"), _person(db, "陈阿婆")
    _assess(db, low.id, "high", 10)
    merge_residents(db, middle.id, low.id)
    merge_residents(db, top.id, middle.id)
    assert _level(db, top.id) == "high"
    undo_merge(db, low.id)  # the one below leaves the chain: both records above lose its finding
    assert (_level(db, top.id), _level(db, middle.id), _level(db, low.id)) == ("low", "low", "high")
    db.dispose()


def test_a_merge_and_its_undo_sent_back_to_the_grid_give_one_state_in_any_order(tmp_path):
    """The fold's path: the clerk's merge and undo reach the worker in return bundles, in either order or
    together; the record un-merged last gives the kept record its own finding back each time."""
    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    kept, dup = elder(worker, "江爱珍"), elder(worker, "江爱珍")
    _assess(worker, kept.id, "low", 1)
    _assess(worker, dup.id, "high", 20)
    merge_paths(t.db, [export_bundle(worker, tmp_path / "up").path])
    worker.dispose()
    merge_residents(t.db, kept.id, dup.id)
    merged = export_bundle(t.db, tmp_path / "back1", grid_code="G01").path
    undo_merge(t.db, dup.id)
    undone = export_bundle(t.db, tmp_path / "back2", grid_code="G01").path
    dumps = set()
    for n, batches in enumerate(([[merged], [undone]], [[undone], [merged]], [[merged, undone]])):
        copy = copy_db(tmp_path / "G01.db", tmp_path / f"copy{n}.db")
        db = open_database(copy)
        for i, batch in enumerate(batches):
            assert merge_paths(db, batch).refused == []
            if n == 0 and i == 0:  # the merge alone: the pair's newest
                assert _level(db, kept.id) == "high"
        assert (_level(db, kept.id), _level(db, dup.id)) == ("low", "high")
        with db.session() as s:
            assert s.exec(select(Resident).where(Resident.id == dup.id)).one().merged_into is None
        dumps.add("\n".join(dump_lines(db)))
        db.dispose()
    assert len(dumps) == 1


def test_two_records_merged_into_each_other_on_two_devices_unseen_end_the_refresh(tmp_path):
    """Two clerks (or a hostile bundle) can leave A merged into B and B into A: the chains are followed once."""
    db = make_db(tmp_path / "t.db", role="township")
    a, b = _person(db, "陈阿婆"), _person(db, "陈阿婆")
    _assess(db, b.id, "high", 10)
    with db.write() as s:
        w = writer(s)
        w.write("resident", a.id, {"merged_into": b.id})
        w.write("resident", b.id, {"merged_into": a.id})
    _assess(db, a.id, "medium", 12)  # refreshed again, the cycle walked
    assert (_level(db, a.id), _level(db, b.id)) == ("medium", "medium")  # each: the newest of the two
    db.dispose()

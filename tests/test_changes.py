"""The change log: one event per write, state derived from events, merge laws of the fold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from storage.core import hlc
from storage.core.changes import new_id, writer
from storage.core.errors import UserError
from storage.core.fold import rebuild, rebuild_all
from storage.core.models import Conflict, Event, Resident, Visit
from storage.sync.dump import dump_lines
from tests.foundation_helpers import make_db, scratch
from tests.profiles import quick_and_slow


def test_hlc_never_goes_backwards_even_if_the_wall_clock_does():
    t1 = hlc.tick(0, physical_ms=2_000_000)
    t2 = hlc.tick(t1, physical_ms=1_000)  # the clock jumped back to 1970
    t3 = hlc.tick(t2, physical_ms=1_000)
    assert t1 < t2 < t3
    assert hlc.wall_ms(t3) == 2_000_000
    # after seeing a remote event from the future, local events come after it
    remote = hlc.pack(9_000_000, 5)
    assert hlc.tick(hlc.observe(t3, remote), physical_ms=1_000) > remote


def test_hlc_counter_overflow_moves_to_the_next_millisecond():
    last = hlc.pack(10, hlc.COUNTER_MASK)
    assert hlc.tick(last, physical_ms=10) == hlc.pack(11, 0)


def test_each_write_is_one_event_and_updates_state(tmp_path):
    db = make_db(tmp_path / "a.db")
    rid = new_id()
    with db.write() as s:
        w = writer(s)
        ev = w.write("resident", rid, {"name": "张三", "categories": ["solitary_elder"],
                                       "birth_date": dt.date(1950, 1, 2)})
    assert ev.id == f"aaaa000000000001-{ev.hlc}"
    with db.session() as s:
        r = s.get(Resident, rid)
        assert r.name == "张三" and r.birth_date == dt.date(1950, 1, 2) and r.categories == ["solitary_elder"]
        events = s.exec(select(Event).where(Event.record_id == rid)).all()
        assert len(events) == 1 and events[0].fields["birth_date"] == "1950-01-02"


def test_writes_to_unknown_or_derived_fields_are_refused(tmp_path):
    db = make_db(tmp_path / "a.db")
    with db.write() as s:
        with pytest.raises(ValueError):
            writer(s).write("resident", new_id(), {"risk_level": "high"})
        with pytest.raises(ValueError):
            writer(s).write("resident", new_id(), {"no_such_field": 1})


def test_state_written_in_place_equals_state_rebuilt_from_events(tmp_path):
    db = make_db(tmp_path / "a.db")
    rid, vid = new_id(), new_id()
    with db.write() as s:
        w = writer(s)
        w.write("resident", rid, {"name": "李四", "categories": ["left_behind_child"], "id_number": "11010519491231002X"})
        w.write("resident", rid, {"phone": "13800000000"})
        w.write("visit", vid, {"resident_id": rid, "visit_date": dt.date(2026, 11, 1), "risk_after": "high",
                               "hazards": ["fire"]})
        w.write("risk", new_id(), {"resident_id": rid, "level": "medium", "assessed_on": dt.date(2026, 11, 2)})
        w.delete("visit", vid)
    before = list(dump_lines(db))
    with db.write() as s:
        rebuild_all(s)
    assert list(dump_lines(db)) == before
    with db.session() as s:
        r = s.get(Resident, rid)
        assert r.id_rev == "X20013219491501011"  # the ID number reversed (tail search), derived again by the rebuild
        assert r.risk_level == "medium"  # the visit that said "high" was deleted


def _foreign_event(record_type, record_id, fields, *, ms, device, base=0, author="x"):
    stamp = hlc.pack(ms, 0)
    return Event(id=f"{device}-{stamp}", record_type=record_type, record_id=record_id, fields=fields,
                 hlc=stamp, device_id=device, base_hlc=base, author=author)


def _apply(db, events):
    with db.write() as s:
        for ev in events:
            s.merge(ev)
        s.flush()
        rebuild(s, {(e.record_type, e.record_id) for e in events})


def test_fold_last_writer_wins_per_field_and_edits_of_different_fields_combine(tmp_path):
    db = make_db(tmp_path / "a.db")
    create = _foreign_event("resident", "r1", {"name": "赵五", "phone": "1"}, ms=100, device="d1")
    a = _foreign_event("resident", "r1", {"phone": "2"}, ms=200, device="d1", base=create.hlc)
    b = _foreign_event("resident", "r1", {"address": "东村"}, ms=150, device="d2", base=create.hlc)
    _apply(db, [b, a, create])
    with db.session() as s:
        r = s.get(Resident, "r1")
        assert (r.name, r.phone, r.address) == ("赵五", "2", "东村")
        assert s.exec(select(Conflict)).all() == []


def test_concurrent_edits_of_one_field_make_a_conflict_and_a_decision_clears_it(tmp_path):
    db = make_db(tmp_path / "a.db")
    create = _foreign_event("resident", "r1", {"name": "赵五", "phone": "1"}, ms=100, device="d1")
    worker = _foreign_event("resident", "r1", {"phone": "2"}, ms=200, device="d1", base=create.hlc, author="网格员")
    township = _foreign_event("resident", "r1", {"phone": "3"}, ms=300, device="d2", base=create.hlc, author="民政")
    _apply(db, [create, worker, township])
    with db.session() as s:
        assert s.get(Resident, "r1").phone == "3"
        (c,) = s.exec(select(Conflict)).all()
        assert (c.field, c.winner_value, c.loser_value, c.loser_author) == ("phone", "3", "2", "网格员")
    decision = _foreign_event("resident", "r1", {"phone": "2"}, ms=400, device="d2", base=township.hlc)
    _apply(db, [decision])
    with db.session() as s:
        assert s.get(Resident, "r1").phone == "2"
        assert s.exec(select(Conflict)).all() == []


def test_a_delete_is_never_undone_by_an_older_or_concurrent_edit(tmp_path):
    db = make_db(tmp_path / "a.db")
    create = _foreign_event("visit", "v1", {"resident_id": "r1", "notes": "a"}, ms=100, device="d1")
    delete = _foreign_event("visit", "v1", {"deleted": True}, ms=300, device="d1", base=create.hlc)
    late_edit = _foreign_event("visit", "v1", {"notes": "b"}, ms=500, device="d2", base=create.hlc)
    _apply(db, [delete, create])
    _apply(db, [late_edit])
    with db.session() as s:
        assert s.get(Visit, "v1").deleted is True
    with db.write() as s, pytest.raises(UserError):
        writer(s).write("visit", "v1", {"notes": "c"})


def test_fold_result_does_not_depend_on_arrival_order(tmp_path):
    events = [
        _foreign_event("resident", "r1", {"name": "甲", "phone": "1"}, ms=100, device="d1"),
        _foreign_event("resident", "r1", {"phone": "2"}, ms=200, device="d2", base=0),
        _foreign_event("resident", "r1", {"phone": "3"}, ms=200, device="d3", base=0),  # same ms: device breaks the tie
        _foreign_event("visit", "v1", {"resident_id": "r1", "risk_after": "high", "visit_date": "2026-11-01"},
                       ms=250, device="d1"),
    ]
    dumps = set()
    for i, order in enumerate([events, events[::-1], events[1:] + events[:1]]):
        db = make_db(tmp_path / f"{i}.db")
        for ev in order:
            _apply(db, [ev])
        dumps.add("\n".join(dump_lines(db)))
    assert len(dumps) == 1
    assert '"phone":"3"' in dumps.pop()


_event_strategy = st.builds(
    lambda rid, field, value, ms, device, base: _foreign_event(
        "resident", f"r{rid}", {field: value} if field != "deleted" else {"deleted": True},
        ms=ms, device=f"d{device}", base=hlc.pack(base, 0)),
    st.integers(0, 2), st.sampled_from(["name", "phone", "address", "deleted"]), st.sampled_from(["甲", "乙", "丙"]),
    st.integers(1, 6), st.integers(1, 3), st.integers(0, 6),
)


def _fold_property(sized):
    @sized
    @given(events=st.lists(_event_strategy, min_size=1, max_size=12, unique_by=lambda e: e.id), data=st.data())
    def test(events, data):
        dumps = set()
        with scratch() as folder:
            for i in range(3):
                order = data.draw(st.permutations(events), label=f"order {i}")
                batches = data.draw(st.integers(1, len(order)), label="batch size")
                db = make_db(Path(folder) / f"{i}.db")
                for j in range(0, len(order), batches):
                    _apply(db, [_copy(e) for e in order[j : j + batches]])
                _apply(db, [_copy(e) for e in order[:2]])  # again: idempotent
                dumps.add("\n".join(line for line in dump_lines(db) if '"type":"grid"' not in line))
                db.dispose()
        assert len(dumps) == 1

    return test


test_fold_is_a_function_of_the_set_of_events, test_fold_at_scale = quick_and_slow("fold", _fold_property)


def _copy(ev):
    return Event(**ev.model_dump())

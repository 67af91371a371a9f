"""Merge laws (docs/design.md §2): any order, any repetition, any batching -> the same dump, byte for byte.

Random edit histories on two worker devices and the township: registrations,
edits of random fields (the same field by a worker and the township that have
not seen each other), name changes, visits and their deletion, risk changes,
referrals, case closing, the township's corrections going back to a grid.
Every worker bundle written is then merged into fresh and edited township
databases in many orders, repeated, and in batches.

    GRIDCARE_HYPOTHESIS_EXAMPLES=10000 pytest tests/test_merge_laws.py
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage.core.db import open_database
from storage.sync.dump import dump_lines
from storage.core.errors import UserError
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from storage.core.changes import writer
from storage.core.models import Assessment, Resident
from storage.register.assessments import DIMENSIONS, assess_resident
from storage.register.emergencies import acknowledge, open_emergencies
from storage.register.referrals import open_referral, set_referral_status
from storage.register.residents import close_case, reopen_case, update_resident
from storage.register.risk import change_risk
from storage.register.visits import delete_visit, log_visit

from tests.foundation_helpers import copy_db
from tests.sync_helpers import elder, make_township

EXAMPLES = int(os.environ.get("GRIDCARE_HYPOTHESIS_EXAMPLES", "60"))
# tmpfs where there is one: the laws are about content, and fsync dominates otherwise
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None

WORKERS = {"w1": ("王芳", "G01"), "w2": ("李强", "G02")}
ACTORS = ("w1", "w2", "T")
OPS = ("phone", "address", "name", "register", "visit", "delete_visit", "risk", "referral", "referral_status",
       "close", "export", "township_merges", "township_back", "assess", "regrade", "ack")
GRADES = ("none", "mild", "moderate", "severe", "na")
op_strategy = st.tuples(st.sampled_from(ACTORS), st.sampled_from(OPS), st.integers(0, 5), st.integers(0, 9))

_TEMPLATE: dict[str, Path] = {}


def _template() -> Path:
    """A township and two workers with two residents each, first bundles merged: built once, copied per example."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="gridcare-laws-", dir=SCRATCH))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # tmpfs is memory
        t = make_township(folder)
        t.db.dispose()
        copy_db(folder / "township.db", folder / "township-fresh.db")
        for actor, (name, grid) in WORKERS.items():
            db = t.worker(name, grid)
            elder(db, f"{actor}甲")
            elder(db, f"{actor}乙")
            export_bundle(db, folder / f"b-{actor}-000.gcb")
            db.dispose()
        merge_paths(t.db, sorted(folder.glob("*.gcb")))
        t.db.dispose()
        _TEMPLATE["path"] = folder
    return _TEMPLATE["path"]


class World:
    def __init__(self, folder: Path):
        shutil.copytree(_template(), folder, dirs_exist_ok=True)
        self.folder = folder
        self.t = open_database(folder / "township.db")
        self.fresh = folder / "township-fresh.db"  # a township that has merged nothing: the strongest test of order
        self.workers = {k: open_database(folder / f"{grid}.db") for k, (_n, grid) in WORKERS.items()}
        self.residents: dict[str, list[str]] = {}
        for k, db in self.workers.items():
            with db.session() as s:
                self.residents[k] = list(s.execute(select(Resident.id).order_by(Resident.id)).scalars())
        self.residents["T"] = list(self.residents["w1"])  # the clerk edits the records worker 1 edits
        self.visits: dict[str, list[str]] = {k: [] for k in ACTORS}
        self.referrals: dict[str, list[str]] = {k: [] for k in ACTORS}
        self.assessments: dict[str, list[str]] = {k: [] for k in ACTORS}
        self.bundles: list[Path] = sorted(folder.glob("*.gcb"))
        self.counter = 0

    def db(self, actor):
        return self.t if actor == "T" else self.workers[actor]

    def export(self, actor):
        try:
            self.bundles.append(export_bundle(self.workers[actor], self.folder / f"b-{actor}-{len(self.bundles):03d}.gcb").path)
        except UserError:
            pass  # nothing new since the last bundle

    def apply(self, actor, op, which, value):
        db = self.db(actor)
        rid = self.residents[actor][which % len(self.residents[actor])]
        try:
            self._apply(actor, op, db, rid, which, value)
        except UserError:
            pass  # e.g. the record was deleted or the case is closed: refused like a user's action would be

    def _apply(self, actor, op, db, rid, which, value):
        today = dt.date(2026, 11, 24)
        if op == "export" and actor != "T":
            self.export(actor)
        elif op == "township_merges":
            merge_paths(self.t, self.bundles)
        elif op == "township_back":
            to = "w2" if actor == "w2" else "w1"
            back = export_bundle(self.t, self.folder / "back", grid_code=WORKERS[to][1])
            assert merge_paths(self.workers[to], [back.path]).refused == []
        elif op == "phone":
            update_resident(db, rid, {"phone": f"1380000000{value}"}, today=today)
        elif op == "address":
            update_resident(db, rid, {"address": f"{actor}路{value}号"}, today=today)
        elif op == "name":
            update_resident(db, rid, {"name": ["张三", "章三", "单小明", "王芳芳"][value % 4]}, today=today)
        elif op == "register" and actor != "T":
            self.counter += 1
            self.residents[actor].append(elder(db, f"{actor}新{self.counter}").id)
            if actor == "w1":
                self.residents["T"].append(self.residents[actor][-1])
        elif op == "visit":
            assessment = ({d: GRADES[(value + i) % len(GRADES)] for i, d in enumerate(DIMENSIONS)}, {"health": f"{actor}{value}"})
            visit = log_visit(db, rid, {"notes": f"{actor}-{value}", "risk_after": ["low", "high", "emergency"][value % 3],
                                        "mandatory_report": value == 7},
                              assessment=assessment if value % 2 else None, today=today)
            self.visits[actor].append(visit.id)
        elif op == "assess":
            grades = {d: GRADES[(value * (i + 1)) % len(GRADES)] for i, d in enumerate(DIMENSIONS)}
            self.assessments[actor].append(assess_resident(db, rid, grades, {"economy": f"{actor}{value}"}, today=today).id)
        elif op == "regrade":
            # a correction of one grade, as an edit event on the record (the same field may be edited
            # on two laptops that have not seen each other: a conflict to queue, the same everywhere)
            known = self.assessments["w1" if actor == "T" else actor]  # the clerk edits what worker 1 wrote
            if known:
                aid = known[which % len(known)]
                with db.write() as s:
                    if s.get(Assessment, aid) is not None:  # the township has merged it
                        writer(s).write("assessment", aid, {"economy": GRADES[value % len(GRADES)]})
        elif op == "ack" and actor == "T":
            with db.session() as s:
                waiting = open_emergencies(s, today)
            if waiting:
                acknowledge(db, waiting[which % len(waiting)].key, note=f"收到{value}",
                            now=dt.datetime(2026, 11, 24, 10, value, tzinfo=dt.timezone.utc))
        elif op == "delete_visit" and self.visits[actor]:
            delete_visit(db, self.visits[actor].pop(which % len(self.visits[actor])))
        elif op == "risk":
            change_risk(db, rid, ["low", "medium", "high", "emergency"][value % 4], f"理由{value}")
        elif op == "referral":
            self.referrals[actor].append(open_referral(db, rid, "minzheng", f"转介{value}").id)
        elif op == "referral_status" and self.referrals[actor]:
            set_referral_status(db, self.referrals[actor][which % len(self.referrals[actor])], "in_progress")
        elif op == "close":
            if value % 2:
                close_case(db, rid, "moved_away", closed_on=today)
            else:
                reopen_case(db, rid)

    def close(self):
        for db in (self.t, *self.workers.values()):
            db.dispose()


def _merged_dump(base: Path, folder: Path, batches: list[list[Path]]) -> str:
    copy = folder / f"variant-{len(list(folder.glob('variant-*.db')))}.db"
    copy_db(base, copy)
    db = open_database(copy)
    for batch in batches:
        report = merge_paths(db, batch)
        assert report.refused == []
    text = "\n".join(dump_lines(db))
    db.dispose()
    return text


def _check_laws(ops, order_of, repeats_of, cut_of) -> str:
    """Apply `ops`, then merge every worker bundle in the orders the callables choose; the one dump of `base`."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        folder = Path(tmp)
        world = World(folder)
        for actor, op, which, value in ops:
            world.apply(actor, op, which, value)
        for actor in world.workers:
            world.export(actor)
        world.close()
        base = folder / "township-edited.db"
        copy_db(folder / "township.db", base)
        bundles = world.bundles
        order, repeated, cut = order_of(bundles), repeats_of(bundles), cut_of(bundles)
        for start in (world.fresh, base):  # a new township; the one whose clerk also edited
            dumps = {
                _merged_dump(start, folder, [bundles]),  # in the order written
                _merged_dump(start, folder, [order]),  # another order
                _merged_dump(start, folder, [order, repeated + order]),  # again, with repeats: idempotent
                _merged_dump(start, folder, [order[:cut], order[cut:]]),  # two batches: associative
            }
            assert len(dumps) == 1
            dump = dumps.pop()
            assert '"type":"resident"' in dump
        return dump


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(op_strategy, min_size=3, max_size=25), data=st.data())
def test_merging_in_any_order_any_number_of_times_gives_the_same_dump(ops, data):
    _check_laws(ops, lambda b: data.draw(st.permutations(b), label="order"),
                lambda b: data.draw(st.lists(st.sampled_from(b), max_size=6), label="repeats"),
                lambda b: data.draw(st.integers(0, len(b)), label="batch cut"))


def test_assessments_and_acknowledgements_merge_like_every_record_and_clashing_grades_are_queued():
    """One history that surely holds what the random ones only may: assessments at visits and on their own,
    the same grade corrected on a worker's laptop and at the township unseen by each other, emergencies
    acknowledged by the township and sent back to the grid."""
    ops = [
        ("w1", "assess", 0, 2), ("w1", "visit", 1, 5), ("w2", "visit", 0, 3), ("w1", "visit", 0, 2),
        ("w1", "export", 0, 0), ("T", "township_merges", 0, 0), ("T", "ack", 0, 1),
        ("T", "regrade", 0, 3),  # the township corrects w1's assessment...
        ("w1", "regrade", 0, 1),  # ...and so does w1, neither having seen the other's
        ("T", "township_back", 0, 0), ("w2", "assess", 1, 4), ("w2", "risk", 0, 3),
    ]
    dump = _check_laws(ops, lambda b: list(reversed(b)), lambda b: b[:2], lambda b: len(b) // 2)
    assert '"type":"assessment"' in dump and '"type":"emergency_ack"' in dump
    assert '"record_type":"assessment"' in dump and '"field":"economy"' in dump  # the clash, queued for review

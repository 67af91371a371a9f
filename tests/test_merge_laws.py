"""Merge laws (docs/design.md §2): any order, any repetition, any batching -> the same dump, byte for byte.

Random edit histories on two worker devices and the township: registrations,
edits of random fields (the same field by a worker and the township that have
not seen each other), name changes, visits and their deletion, risk changes,
referrals, case closing, the township's corrections going back to a grid.
Every worker bundle written is then merged into fresh and edited township
databases in many orders, repeated, and in batches.

A few histories in every run, a few hundred in .ci/run's slow run, 10,000 on demand:

    GRIDCARE_TEST_PROFILE=thorough python -m pytest -m slow tests/test_merge_laws.py
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.models import Resident
from storage.register.referrals import open_referral, set_referral_status
from storage.register.residents import close_case, reopen_case, update_resident
from storage.register.risk import change_risk
from storage.register.visits import delete_visit, log_visit
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import copy_db
from tests.profiles import quick_and_slow
from tests.sync_helpers import elder, make_township

# tmpfs where there is one: the laws are about content, and fsync dominates otherwise
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None

WORKERS = {"w1": ("王芳", "G01"), "w2": ("李强", "G02")}
ACTORS = ("w1", "w2", "T")
OPS = ("phone", "address", "name", "register", "visit", "delete_visit", "risk", "referral", "referral_status",
       "close", "export", "township_merges", "township_back")
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
            visit = log_visit(db, rid, {"notes": f"{actor}-{value}", "risk_after": ["low", "high"][value % 2]}, today=today)
            self.visits[actor].append(visit.id)
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


def _merge_laws(sized):
    @sized
    @given(ops=st.lists(op_strategy, min_size=3, max_size=25), data=st.data())
    def test(ops, data):
        with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
            _laws_hold(Path(tmp), ops, data)

    return test


def _laws_hold(folder: Path, ops, data) -> None:
    world = World(folder)
    for actor, op, which, value in ops:
        world.apply(actor, op, which, value)
    for actor in world.workers:
        world.export(actor)
    world.close()
    base = folder / "township-edited.db"
    copy_db(folder / "township.db", base)
    bundles = world.bundles
    order = data.draw(st.permutations(bundles), label="order")
    repeated = data.draw(st.lists(st.sampled_from(bundles), max_size=6), label="repeats")
    cut = data.draw(st.integers(0, len(bundles)), label="batch cut")
    for start in (world.fresh, base):  # a new township; the one whose clerk also edited
        dumps = {
            _merged_dump(start, folder, [bundles]),  # in the order written
            _merged_dump(start, folder, [order]),  # another order
            _merged_dump(start, folder, [order, repeated + order]),  # again, with repeats: idempotent
            _merged_dump(start, folder, [order[:cut], order[cut:]]),  # two batches: associative
        }
        assert len(dumps) == 1
        assert '"type":"resident"' in dumps.pop()


test_merging_in_any_order_any_number_of_times_gives_the_same_dump, test_merge_laws_at_scale = quick_and_slow(
    "merge_laws", _merge_laws)

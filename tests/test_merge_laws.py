"""Merge laws (DESIGN.md §2): any order, any repetition, any batching -> the same dump, byte for byte.

Random edit histories on two worker devices and the township, including edits of
one field by a worker and the township that have not seen each other. Run many
more histories with GRIDCARE_HYPOTHESIS_EXAMPLES=10000.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.db import open_database
from storage.dump import dump_lines
from storage.errors import UserError
from storage.export import export_bundle
from storage.merge import merge_paths
from storage.referrals import open_referral
from storage.residents import update_resident
from storage.risk import change_risk
from storage.visits import delete_visit, log_visit

from tests.sync_helpers import elder, make_township

EXAMPLES = int(os.environ.get("GRIDCARE_HYPOTHESIS_EXAMPLES", "25"))

ACTORS = ("w1", "w2", "T")
OPS = ("phone", "address", "visit", "delete_visit", "risk", "referral", "export", "township_merges")
op_strategy = st.tuples(st.sampled_from(ACTORS), st.sampled_from(OPS), st.integers(0, 3), st.integers(0, 9))


class World:
    def __init__(self, folder: Path):
        self.folder = folder
        self.t = make_township(folder)
        self.t.db.dispose()
        self.fresh = folder / "township-fresh.db"  # before any bundle: the strongest test of order
        shutil.copy(self.t.db.path, self.fresh)
        self.workers = {"w1": self.t.worker("王芳", "G01"), "w2": self.t.worker("李强", "G02")}
        self.residents = {k: [elder(db, f"{k}甲").id, elder(db, f"{k}乙").id] for k, db in self.workers.items()}
        self.visits: dict[str, list[str]] = {k: [] for k in ACTORS}
        self.bundles: list[Path] = []
        for k in self.workers:
            self.export(k)
        merge_paths(self.t.db, self.bundles)
        # the township edits grid 1's residents, the same records worker 1 edits
        self.residents["T"] = self.residents["w1"]

    def db(self, actor):
        return self.t.db if actor == "T" else self.workers[actor]

    def export(self, actor):
        try:
            self.bundles.append(export_bundle(self.workers[actor], self.folder / f"b{len(self.bundles):03d}.gcb").path)
        except UserError:
            pass  # nothing new since the last bundle

    def apply(self, actor, op, which, value):
        db, rid = self.db(actor), self.residents[actor][which % 2]
        if op == "export" and actor != "T":
            self.export(actor)
        elif op == "township_merges":
            merge_paths(self.t.db, self.bundles)
        elif op == "phone":
            update_resident(db, rid, {"phone": f"1380000000{value}"})
        elif op == "address":
            update_resident(db, rid, {"address": f"{actor}路{value}号"})
        elif op == "visit":
            self.visits[actor].append(log_visit(db, rid, {"notes": f"{actor}-{value}", "risk_after": ["low", "high"][value % 2]}).id)
        elif op == "delete_visit" and self.visits[actor]:
            vid = self.visits[actor].pop(which % len(self.visits[actor]))
            delete_visit(db, vid)
        elif op == "risk":
            change_risk(db, rid, ["low", "medium", "high", "emergency"][value % 4], f"理由{value}")
        elif op == "referral":
            open_referral(db, rid, "minzheng", f"转介{value}")


def _merged_dump(base: Path, folder: Path, batches: list[list[Path]]) -> str:
    copy = folder / f"variant-{len(list(folder.glob('variant-*')))}.db"
    shutil.copy(base, copy)
    db = open_database(copy)
    for batch in batches:
        report = merge_paths(db, batch)
        assert report.refused == []
    text = "\n".join(dump_lines(db))
    db.dispose()
    return text


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(op_strategy, min_size=3, max_size=25), data=st.data())
def test_merging_in_any_order_any_number_of_times_gives_the_same_dump(ops, data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        world = World(folder)
        for actor, op, which, value in ops:
            world.apply(actor, op, which, value)
        for actor in world.workers:
            world.export(actor)
        world.t.db.dispose()
        base = folder / "township-edited.db"
        shutil.copy(world.t.db.path, base)
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
                _merged_dump(start, folder, [list(reversed(order))]),
            }
            assert len(dumps) == 1
            assert '"type":"resident"' in dumps.pop()

"""The world the merge-law tests play in: a township, two workers and a third grid's device, and the
edit histories drawn for them (tests/test_merge_laws.py, tests/test_merge_laws_hostile.py).
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import strategies as st
from sqlalchemy import select

from storage.core.changes import writer
from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.models import Assessment, Resident
from storage.register.assessments import DIMENSIONS, assess_resident
from storage.register.benefits import end_benefit, record_benefit
from storage.register.duplicates import merge_residents, undo_merge
from storage.register.emergencies import acknowledge, open_emergencies
from storage.register.pairing import end_pairing, set_paired_helper
from storage.register.referrals import open_referral, set_referral_status
from storage.register.residents import close_case, reopen_case, update_resident
from storage.register.risk import change_risk
from storage.register.visits import delete_visit, log_visit
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import SCRATCH, copy_db
from tests.sync_helpers import elder, make_township

WORKERS = {"w1": ("王芳", "G01"), "w2": ("李强", "G02")}
HOSTILE = ("赵敏", "G03")
ACTORS = ("w1", "w2", "T")
OPS = ("phone", "address", "name", "register", "visit", "delete_visit", "risk", "referral", "referral_status",
       "close", "benefit", "benefit_end", "pair", "export", "township_merges", "township_back", "assess", "regrade",
       "ack", "dup_merge", "dup_undo")
BENEFIT_KINDS = ("dibao", "tekun", "care_subsidy", "temporary_assistance", "low_income")
GRADES = ("none", "mild", "moderate", "severe", "na")
op_strategy = st.tuples(st.sampled_from(ACTORS), st.sampled_from(OPS), st.integers(0, 5), st.integers(0, 9))
# what a form may be handed besides what was meant (by `value`): a pasted NUL, half a character from a Windows
# console, a pair of halves; the writer cleans them, so every engine (PostgreSQL too) merges the same bytes
ODD_TEXT = {3: "\x00", 6: "\ud800", 8: "\ud83d\ude00"}

_TEMPLATE: dict[str, Path] = {}


def _template() -> Path:
    """A township and two workers with two residents each, first bundles merged: built once, copied per example."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="gridcare-laws-", dir=SCRATCH))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # tmpfs is memory
        t = make_township(folder)
        for actor, (name, grid) in WORKERS.items():
            db = t.worker(name, grid)  # enrolled by the clerk's code
            elder(db, f"{actor}甲")
            elder(db, f"{actor}乙")
            export_bundle(db, folder / f"b-{actor}-000.gcb")
            db.dispose()
        # a third grid's worker, enrolled like the others, who turns hostile (test_a_hostile_device...)
        hostile = t.worker(HOSTILE[0], HOSTILE[1], path=folder / "hostile" / "hostile.db")
        hostile.dispose()
        t.db.dispose()
        copy_db(folder / "township.db", folder / "township-fresh.db")  # codes made, nothing merged
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
        self.benefits: dict[str, list[str]] = {k: [] for k in ACTORS}
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
            update_resident(db, rid, {"address": f"{actor}路{value}{ODD_TEXT.get(value, '')}号"}, today=today)
        elif op == "name":
            update_resident(db, rid, {"name": ["张三", "章三", "单小明", "王芳芳"][value % 4]}, today=today)
        elif op == "register" and actor != "T":
            self.counter += 1
            self.residents[actor].append(elder(db, f"{actor}新{self.counter}").id)
            if actor == "w1":
                self.residents["T"].append(self.residents[actor][-1])
        elif op == "visit":
            assessment = ({d: GRADES[(value + i) % len(GRADES)] for i, d in enumerate(DIMENSIONS)}, {"health": f"{actor}{value}"})
            visit = log_visit(db, rid, {"notes": f"{ODD_TEXT.get(value, '')}{actor}-{value}",
                                        "risk_after": ["low", "high", "emergency"][value % 3],
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
        elif op == "benefit":
            # a period of a kind the resident may hold already (refused like the screen refuses it)
            start = dt.date(2026, 1 + value, 1)
            self.benefits[actor].append(record_benefit(db, rid, BENEFIT_KINDS[which % len(BENEFIT_KINDS)],
                                                       start_on=start, today=today).id)
            if actor == "w1":
                self.benefits["T"].append(self.benefits[actor][-1])  # the clerk may end what worker 1 recorded
        elif op == "benefit_end" and self.benefits[actor]:
            end_benefit(db, self.benefits[actor][which % len(self.benefits[actor])], dt.date(2026, 11, 1 + value),
                        today=today)
        elif op == "pair":
            # the same resident paired by a worker and the clerk unseen: a conflict on the helper's fields
            if value % 3:
                set_paired_helper(db, rid, ["李梅", "王强", "张老师"][value % 3], f"1390000000{value}", f"{actor}单位",
                                  dt.date(2026, 10, 1 + value), today=today)
            else:
                end_pairing(db, rid, today=today)
        elif op == "dup_merge" and actor == "T":
            # the clerk finds two of worker 1's records one person (and, by dup_undo, two after all): the kept
            # record's risk level is the newest finding of both, whatever order the workers' findings arrive in
            others = [r for r in self.residents["T"] if r != rid]
            merge_residents(db, rid, others[value % len(others)])
        elif op == "dup_undo" and actor == "T":
            undo_merge(db, rid)
        elif op == "close":
            if value % 2:  # with a remark of its own (close_note), which two sides may write unseen
                close_case(db, rid, "moved_away", closed_on=today, note=f"{actor}说明{value}" if value % 3 else "")
            else:
                reopen_case(db, rid)

    def close(self):
        for db in (self.t, *self.workers.values()):
            db.dispose()

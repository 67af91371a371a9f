"""Merge laws (docs/design.md §2): any order, any repetition, any batching -> the same dump, byte for byte.

Random edit histories on two worker devices and the township: registrations,
edits of random fields (the same field by a worker and the township that have
not seen each other), name changes, visits and their deletion, risk changes,
referrals, case closing, the township's corrections going back to a grid.
Every worker bundle written is then merged into fresh and edited township
databases in many orders, repeated, and in batches; and the same on PostgreSQL,
whose dumps must be byte for byte those of SQLite.

A few histories in every run, a few hundred in .ci/run's slow run, 10,000 on demand:

    GRIDCARE_TEST_PROFILE=thorough python -m pytest -m slow tests/test_merge_laws.py
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from storage.core.changes import writer
from storage.core.db import open_database
from storage.core.errors import UserError
from storage.core.models import Assessment, Resident
from storage.register.assessments import DIMENSIONS, assess_resident
from storage.register.benefits import end_benefit, record_benefit
from storage.register.emergencies import acknowledge, open_emergencies
from storage.register.pairing import end_pairing, set_paired_helper
from storage.register.referrals import open_referral, set_referral_status
from storage.register.residents import close_case, reopen_case, update_resident
from storage.register.risk import change_risk
from storage.register.visits import delete_visit, log_visit
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import SCRATCH, copy_db
from tests.profiles import quick_and_slow
from tests.sync_helpers import elder, make_township

WORKERS = {"w1": ("王芳", "G01"), "w2": ("李强", "G02")}
HOSTILE = ("赵敏", "G03")
ACTORS = ("w1", "w2", "T")
OPS = ("phone", "address", "name", "register", "visit", "delete_visit", "risk", "referral", "referral_status",
       "close", "benefit", "benefit_end", "pair", "export", "township_merges", "township_back", "assess", "regrade",
       "ack")
BENEFIT_KINDS = ("dibao", "tekun", "care_subsidy", "temporary_assistance", "low_income")
GRADES = ("none", "mild", "moderate", "severe", "na")
op_strategy = st.tuples(st.sampled_from(ACTORS), st.sampled_from(OPS), st.integers(0, 5), st.integers(0, 9))

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
        elif op == "close":
            if value % 2:  # with a remark of its own (close_note), which two sides may write unseen
                close_case(db, rid, "moved_away", closed_on=today, note=f"{actor}说明{value}" if value % 3 else "")
            else:
                reopen_case(db, rid)

    def close(self):
        for db in (self.t, *self.workers.values()):
            db.dispose()


def _merged_dump(base: Path, folder: Path, batches: list[list[Path]], pg_url: str | None = None) -> str:
    """Merge the batches into a copy of `base` (a file; or, given `pg_url`, that server database) and dump it."""
    if pg_url:
        from tests.pg import copy_sqlite_into

        copy_sqlite_into(base, pg_url)
        db = open_database(pg_url)
    else:
        copy = folder / f"variant-{len(list(folder.glob('variant-*.db')))}.db"
        copy_db(base, copy)
        db = open_database(copy)
    for batch in batches:
        report = merge_paths(db, batch)
        assert report.refused == []
    text = "\n".join(dump_lines(db))
    db.dispose()
    return text


def _history(folder: Path, ops) -> tuple[World, Path]:
    """The world after `ops`, every worker's last work exported; (world, the edited township's file)."""
    world = World(folder)
    for actor, op, which, value in ops:
        world.apply(actor, op, which, value)
    for actor in world.workers:
        world.export(actor)
    world.close()
    base = folder / "township-edited.db"
    copy_db(folder / "township.db", base)
    return world, base


def _check_laws(ops, order_of, repeats_of, cut_of) -> str:
    """Apply `ops`, then merge every worker bundle in the orders the callables choose; the one dump of `base`."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        folder = Path(tmp)
        world, base = _history(folder, ops)
        bundles = world.bundles
        order, repeated, cut = order_of(bundles), repeats_of(bundles), cut_of(bundles)
        for start in (world.fresh, base):  # a new township; the one whose clerk also edited
            dumps = {
                _merged_dump(start, folder, [bundles]),  # in the order written
                _merged_dump(start, folder, [order]),  # commutative
                _merged_dump(start, folder, [order, repeated]),  # idempotent
                _merged_dump(start, folder, [order[:cut], order[cut:]]),  # two batches: associative
            }
            assert len(dumps) == 1
            dump = dumps.pop()
            assert '"type":"resident"' in dump
        return dump


def _check_on_server(pg_url, ops, order_of, repeats_of, cut_of) -> str:
    """The laws on PostgreSQL: every order gives the bytes SQLite gives in the order written."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        folder = Path(tmp)
        world, base = _history(folder, ops)
        bundles = world.bundles
        order, repeated, cut = order_of(bundles), repeats_of(bundles), cut_of(bundles)
        for start in (world.fresh, base):
            on_sqlite = _merged_dump(start, folder, [bundles])
            on_server = {
                _merged_dump(start, folder, [order], pg_url),
                _merged_dump(start, folder, [order[:cut], repeated + order[cut:]], pg_url),
            }
            assert on_server == {on_sqlite}
        return on_sqlite


def _merge_laws(sized):
    @sized
    @given(ops=st.lists(op_strategy, min_size=3, max_size=25), data=st.data())
    def test(ops, data):
        _check_laws(ops, lambda b: data.draw(st.permutations(b), label="order"),
                    lambda b: data.draw(st.lists(st.sampled_from(b), max_size=6), label="repeats"),
                    lambda b: data.draw(st.integers(0, len(b)), label="batch cut"))

    return test


# the longest of the slow tests: in two halves, one on each of `-n 2`'s workers
(test_merging_in_any_order_any_number_of_times_gives_the_same_dump, test_merge_laws_at_scale,
 test_merge_laws_at_scale_second_half) = quick_and_slow("merge_laws", _merge_laws, parts=2)


# One history that surely holds what the random ones only may: assessments at visits and on their own,
# the same grade corrected on a worker's laptop and at the township unseen by each other, emergencies
# acknowledged by the township and sent back to the grid, benefits recorded and ended.
FOLLOW_UP_OPS = [
    ("w1", "assess", 0, 2), ("w1", "visit", 1, 5), ("w2", "visit", 0, 3), ("w1", "visit", 0, 2),
    ("w1", "benefit", 0, 1), ("w1", "export", 0, 0), ("T", "township_merges", 0, 0), ("T", "ack", 0, 1),
    ("T", "regrade", 0, 3),  # the township corrects w1's assessment...
    ("w1", "regrade", 0, 1),  # ...and so does w1, neither having seen the other's
    ("T", "benefit_end", 0, 2), ("T", "township_back", 0, 0), ("w2", "assess", 1, 4), ("w2", "risk", 0, 3),
]


def _has_the_new_records(dump: str) -> None:
    assert '"type":"assessment"' in dump and '"type":"emergency_ack"' in dump and '"type":"benefit"' in dump
    assert '"record_type":"assessment"' in dump and '"field":"economy"' in dump  # the clash, queued for review


def test_assessments_and_acknowledgements_merge_like_every_record_and_clashing_grades_are_queued():
    _has_the_new_records(_check_laws(FOLLOW_UP_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                     lambda b: len(b) // 2))


@pytest.mark.postgres
def test_assessments_acknowledgements_and_benefits_merge_on_postgresql_with_the_same_bytes(pg_url):
    _has_the_new_records(_check_on_server(pg_url, FOLLOW_UP_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                          lambda b: len(b) // 2))


# A case closed with a remark on a worker's laptop and at the township, neither having seen the other,
# then reopened on the other worker's: the remark (close_note) merges like every field, and the clash of
# the two remarks is queued for review by its field.
CLOSING_OPS = [
    ("w1", "export", 0, 0), ("T", "township_merges", 0, 0),
    ("w1", "close", 0, 1), ("T", "close", 0, 5), ("w2", "close", 0, 7), ("w2", "close", 0, 0),
    ("T", "township_back", 0, 0),
]


def _has_the_closing_remarks(dump: str) -> None:
    assert '"close_note":"w1说明1"' in dump or '"close_note":"T说明5"' in dump
    assert '"record_type":"resident"' in dump and '"field":"close_note"' in dump  # the clash, queued


def test_a_closing_remark_merges_like_every_field_and_two_unseen_remarks_are_queued():
    _has_the_closing_remarks(_check_laws(CLOSING_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                         lambda b: len(b) // 2))


@pytest.mark.postgres
def test_a_closing_remark_merges_on_postgresql_with_the_same_bytes(pg_url):
    _has_the_closing_remarks(_check_on_server(pg_url, CLOSING_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                              lambda b: len(b) // 2))


def _server_laws(sized):
    @pytest.mark.postgres
    @sized
    @given(ops=st.lists(op_strategy, min_size=3, max_size=25), data=st.data())
    def test(pg_url, ops, data):
        _check_on_server(pg_url, ops, lambda b: data.draw(st.permutations(b), label="order"),
                         lambda b: data.draw(st.lists(st.sampled_from(b), max_size=6), label="repeats"),
                         lambda b: data.draw(st.integers(0, len(b)), label="batch cut"))

    return test


# a server database per variant costs more than a file copy: fewer histories (tests/profiles.py)
test_the_same_laws_hold_on_postgresql_with_the_same_bytes, test_the_same_laws_hold_on_postgresql_at_scale = (
    quick_and_slow("merge_laws_pg", _server_laws))


# --- a hostile device among the honest ones -------------------------------------------------
#
# The third grid's enrolled device turns hostile: it writes bundles with the project's own
# writer holding whatever events it likes, signed with its real key and carrying its real
# enrollment proof, and an impostor claims worker 1's device id with a key of its own. What it
# knows: the other devices' ids and workers' names (file names, manifests) and, to make the
# attacks count, the ids of the honest residents registered before (leaked to it). Law: its
# events never change any honest grid's state, in any order; every bundle with a forbidden
# event is refused whole (the impostor's waits for the clerk), and its own grid's are merged.
#
# A township that has merged nothing yet gets the honest grids' first bundles first: a device
# can only name a record it has seen, and it cannot have seen one the township has not merged
# (storage/sync/authorise.py says why).

HOSTILE_GRID = f"330521101-{HOSTILE[1]}"
ATTACKS = ("own", "other_device", "id_squat", "author", "edit_honest", "delete_honest", "visit_honest", "steal",
           "place_elsewhere", "setting", "township", "village", "grid_other", "impostor")
attack_strategy = st.tuples(st.sampled_from(ATTACKS), st.integers(0, 3), st.booleans())


def _ident(db):
    from storage.core.models import Identity

    with db.session() as s:
        return s.get(Identity, 1)


class Hostile:
    def __init__(self, world: World):
        self.world = world
        self.db = open_database(world.folder / "hostile" / "hostile.db")
        self.me = _ident(self.db)
        self.honest = {k: _ident(db) for k, db in world.workers.items()}
        self.victims = [rid for k in WORKERS for rid in world.residents[k][:2]]  # registered before: leaked
        self.seq = 0
        self.clock = 10**15  # a clock far ahead of everyone's: it would win every field it may write

    def _event(self, record_type, record_id, fields, *, device=None, author=None, event_id=None):
        self.clock += 1
        device = device or self.me.device_id
        return {"id": event_id or f"{device}-{self.clock}", "record_type": record_type, "record_id": record_id,
                "fields": fields, "hlc": self.clock, "device_id": device, "base_hlc": self.clock - 1,
                "author": self.me.worker_name if author is None else author}

    def _own_resident(self, grid=HOSTILE_GRID):
        self.clock += 1
        return {"name": f"恶{self.clock % 1000}", "grid_code": grid, "township_code": "330521101",
                "categories": ["solitary_elder"], "birth_date": "1950-01-01", "registered_on": "2026-11-01"}

    def attack_events(self, attack, which):
        w1 = self.honest["w1"]
        victim = self.victims[which % len(self.victims)]
        new_id = f"{self.clock:016x}"
        if attack == "own":
            return [self._event("resident", new_id, self._own_resident())]
        if attack == "other_device":
            return [self._event("resident", victim, {"phone": "13999999999"}, device=w1.device_id, author=w1.worker_name)]
        if attack == "id_squat":  # its own device, but the id of worker 1's next event
            return [self._event("resident", new_id, self._own_resident(), event_id=f"{w1.device_id}-{self.clock + 7}")]
        if attack == "author":
            return [self._event("resident", new_id, self._own_resident(), author=w1.worker_name)]
        if attack == "edit_honest":
            return [self._event("resident", victim, {"name": "冒名", "id_number": "11010519491231002X"})]
        if attack == "delete_honest":
            return [self._event("resident", victim, {"deleted": True})]
        if attack == "visit_honest":
            return [self._event("visit", new_id, {"resident_id": victim, "visit_date": "2026-11-20", "method": "home",
                                                  "risk_after": "emergency"})]
        if attack == "steal":
            return [self._event("resident", victim, {"grid_code": HOSTILE_GRID})]
        if attack == "place_elsewhere":
            return [self._event("resident", new_id, self._own_resident(grid=w1.grid_code))]
        if attack == "setting":
            return [self._event("setting", "visit_policy", {"value": {"default_days": 3650}})]
        if attack == "township":
            return [self._event("township", "330521101", {"name": "假镇"})]
        if attack == "village":
            return [self._event("village", "330521101201", {"name": "假村", "township_code": "330521101"})]
        if attack == "grid_other":
            return [self._event("grid", w1.grid_code, {"name": "假网格", "worker_name": "赵敏"})]
        raise AssertionError(attack)

    def bundle(self, attack, which, mixed) -> Path:
        from storage.core.keys import generate_keypair, read_public_key_file
        from storage.sync.bundle_file import write_bundle

        township = read_public_key_file(self.world.folder / "township.pub")
        path = self.world.folder / "hostile" / f"h-{self.seq:03d}-{attack}.gcb"
        if attack == "impostor":  # claims worker 1's device, with a key of its own and no enrollment proof
            w1, keys = self.honest["w1"], generate_keypair()
            events = [self._event("resident", self.victims[which % len(self.victims)], {"deleted": True},
                                  device=w1.device_id, author=w1.worker_name)]
            manifest = {"kind": "worker", "township_code": "330521101", "grid_code": w1.grid_code,
                        "device_id": w1.device_id, "worker": w1.worker_name, "seq": 1 + which,
                        "age_recipient": keys.age_recipient, "sign_public": keys.sign_public}
            return write_bundle(path, manifest, events, township.age_recipient, keys.sign_secret).path
        self.seq += 1
        events = self.attack_events(attack, which)
        if mixed and attack != "own":  # a forbidden event hidden among allowed ones
            events = self.attack_events("own", which) + events + self.attack_events("own", which)
        manifest = {"kind": "worker", "township_code": "330521101", "grid_code": self.me.grid_code,
                    "device_id": self.me.device_id, "worker": self.me.worker_name, "seq": self.seq,
                    "age_recipient": self.me.device_age_recipient, "sign_public": self.me.device_sign_public,
                    "enroll_proof": self.me.enroll_proof}
        from storage.core.private_keys import private_keys

        secret = private_keys(self.db.path).device_sign_secret
        return write_bundle(path, manifest, events, township.age_recipient, secret).path


def _honest_state(text: str) -> list[str]:
    """The dump without the hostile grid's own records."""
    import json

    rows = [json.loads(line) for line in text.splitlines()]
    theirs = {r["id"] for r in rows if r["type"] == "resident" and r.get("grid_code") == HOSTILE_GRID}
    kept = []
    for line, r in zip(text.splitlines(), rows, strict=True):
        if (r["type"] == "grid" and r["id"] == HOSTILE_GRID) or (r["type"] == "resident" and r["id"] in theirs):
            continue
        if r.get("resident_id") in theirs or (r["type"] == "conflict" and r["record_id"] in theirs):
            continue
        kept.append(line)
    return kept


def _merge_all(base: Path, folder: Path, order: list[Path]):
    copy = folder / f"variant-{len(list(folder.glob('variant-*.db')))}.db"
    copy_db(base, copy)
    db = open_database(copy)
    report = merge_paths(db, order)
    text = "\n".join(dump_lines(db))
    db.dispose()
    return report, text


def _hostile_law(sized):
    @sized
    @given(ops=st.lists(op_strategy, min_size=0, max_size=12),
           attacks=st.lists(attack_strategy, min_size=1, max_size=5), data=st.data())
    def test(ops, attacks, data):
        _hostile_device_changes_nothing_honest(ops, attacks, data)

    return test


def _hostile_device_changes_nothing_honest(ops, attacks, data) -> None:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        folder = Path(tmp)
        world = World(folder)
        for actor, op, which, value in ops:
            world.apply(actor, op, which, value)
        for actor in world.workers:
            world.export(actor)
        hostile = Hostile(world)
        bad = {hostile.bundle(attack, which, mixed): attack for attack, which, mixed in attacks}
        hostile.db.dispose()
        world.close()
        base = folder / "township-edited.db"
        copy_db(folder / "township.db", base)
        first = [b for b in world.bundles if b.name.endswith("-000.gcb")]  # the honest grids' first bundles
        rest = data.draw(st.permutations([b for b in world.bundles if b not in first] + list(bad)), label="order")
        for start in (world.fresh, base):
            order = first + rest
            report, with_hostile = _merge_all(start, folder, order)
            _honest_report, honest_only = _merge_all(start, folder, [b for b in order if b not in bad])
            assert _honest_state(with_hostile) == _honest_state(honest_only)
            outcome = {b.file: b for b in report.bundles}
            for path, attack in bad.items():
                got = outcome[path.name]
                # the impostor waits, or is refused once the device it claims is enrolled with the real key
                expected = {"own": ("new", "already"), "impostor": ("waiting", "refused")}.get(attack, ("refused",))
                assert got.status in expected, (attack, got.status, got.message)
            assert [b.file for b in report.refused if Path(b.file).stem.split("-")[0] != "h"] == []


test_a_hostile_device_never_changes_an_honest_grids_state, test_hostile_device_at_scale = quick_and_slow(
    "hostile", _hostile_law)

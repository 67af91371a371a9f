"""Merge laws with a hostile device among the honest ones: its events never change an honest grid's state."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from storage.core.db import open_database
from storage.sync.dump import dump_lines
from storage.sync.merge import merge_paths
from tests.foundation_helpers import SCRATCH, copy_db
from tests.merge_world import HOSTILE, WORKERS, World, op_strategy
from tests.profiles import quick_and_slow

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

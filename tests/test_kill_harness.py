"""Crash safety (docs/design.md §5): SIGKILL a real process at random moments of saves, exports and merges.

After every kill: the file passes PRAGMA integrity_check, every write reported
as saved is there, the state is exactly what the change log folds to (nothing
half-written), and the work can be re-run to completion. A few kills in every
run, a few dozen in .ci/run's slow run, 1,000 on demand (tests/profiles.py):

    GRIDCARE_TEST_PROFILE=thorough python -m pytest -m slow tests/test_kill_harness.py
    GRIDCARE_KILLS=200 python -m pytest -m slow tests/test_kill_harness.py   # any number
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from storage.core.db import open_database
from storage.core.fold import rebuild_all
from storage.core.models import BundleReceived, Event, Resident, Visit
from storage.register.visits import log_visit
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.foundation_helpers import copy_db
from tests.profiles import size
from tests.sync_helpers import elder, make_township

SCRIPT = Path(__file__).parent / "crash_worker.py"
# kills during saves; a third as many merge runs are killed (each costs a fresh copy and a full re-merge)
KILLS = [pytest.param(size("kills", slow=False), id="quick", marks=pytest.mark.quick_twin),
         pytest.param(size("kills", slow=True), id="at_scale", marks=pytest.mark.slow)]


def _ready_lines(log: Path) -> int:
    return log.read_text(encoding="utf-8").count("ready") if log.exists() else 0


def _saved_lines(log: Path) -> int:
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text(encoding="utf-8").splitlines() if line.split()[0] in ("visit", "register"))


def _run_and_kill(args: list[str], rng: random.Random, max_delay: float, *, after_a_save: bool = False) -> None:
    """Start the process, wait until it has started (a slow machine takes seconds), kill it at a random moment.

    `after_a_save`: the random moment comes after its first save is reported (on a loaded machine every
    kill of a run could otherwise land before any save, and the checks after it would check nothing)."""
    log = Path(args[-1])
    started, saved = _ready_lines(log), _saved_lines(log)
    proc = subprocess.Popen([sys.executable, str(SCRIPT), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _ready_lines(log) == started and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    while after_a_save and _saved_lines(log) == saved and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(rng.uniform(0, max_delay))
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.returncode not in (-signal.SIGKILL, 0):
        raise AssertionError(proc.stderr.read().decode())


def _integrity(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def _state_is_the_fold_of_the_log(db) -> None:
    before = list(dump_lines(db))
    with db.write() as s:
        rebuild_all(s)
    assert list(dump_lines(db)) == before


@pytest.mark.parametrize("kills", KILLS)
def test_kills_during_saves_and_exports_lose_nothing(tmp_path, kills):
    t = make_township(tmp_path)
    w = t.worker("王芳", "G01")
    for name in ("甲", "乙", "丙"):
        log_visit(w, elder(w, name).id, {})
    w.dispose()
    out, log = tmp_path / "usb", tmp_path / "saved.log"
    out.mkdir()
    rng = random.Random(11)
    for i in range(kills):
        last_chance = i == kills - 1 and not _saved_lines(log)
        _run_and_kill(["worker", str(w.path), str(out), str(log)], rng, 1.0, after_a_save=last_chance)
        _integrity(w.path)
        db = open_database(w.path)
        with db.session() as s:
            for line in log.read_text(encoding="utf-8").splitlines():
                kind, *rest = line.split()
                if kind in ("ready", "try-edit"):
                    continue
                if kind == "visit":
                    assert s.get(Visit, rest[0]) is not None, line
                elif kind == "register":
                    assert s.get(Resident, rest[0]) is not None, line
                elif kind == "export":
                    assert s.get(BundleReceived, (db_device(s), int(rest[0]))) is not None, line
                    assert (out / rest[1]).exists(), line
            # the phone is the last edit reported as saved, or one attempted after it (saved, then killed)
            allowed: dict[str, set[str]] = {}
            for line in log.read_text(encoding="utf-8").splitlines():
                kind, *rest = line.split()
                if kind == "edit":
                    allowed[rest[0]] = {rest[1]}
                elif kind == "try-edit":
                    allowed.setdefault(rest[0], set()).add(rest[1])
            reported = {line.split()[1] for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("edit ")}
            for rid, phones in allowed.items():
                if rid in reported:
                    assert s.get(Resident, rid).phone in phones, (rid, phones)
        _state_is_the_fold_of_the_log(db)
        db.dispose()
    assert _saved_lines(log), "no write was reported saved before the kills: the checks above checked nothing"
    # the work can be completed: one more export, then the township gets everything
    db = open_database(w.path)
    from storage.sync.export import pending_counts

    if pending_counts(db):
        export_bundle(db, out)
    report = merge_paths(t.db, [out])
    assert report.refused == []
    with db.session() as s, t.db.session() as ts:
        mine = {v.id for v in s.exec(select(Visit)).all()}
        theirs = {v.id for v in ts.exec(select(Visit)).all()}
    assert mine <= theirs
    for leftover in out.glob(".*.part"):
        leftover.unlink()


def db_device(session) -> str:
    from storage.core.models import Identity

    return session.get(Identity, 1).device_id


def _kill_during_merge(args: list[str], rng: random.Random) -> bool:
    """Start a merge run and kill it while a bundle drawn at random is being merged.

    The moment follows the run's own progress lines (one before each bundle), never a timing taken
    beforehand: on a loaded machine a measured window can miss the run altogether. True when the
    kill landed before the run ended.
    """
    log = Path(args[-1])
    proc = subprocess.Popen([sys.executable, str(SCRIPT), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    target = None
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        progress = [line for line in _lines(log) if line.startswith("merge ")]
        if progress and target is None:
            total = int(progress[0].split("/")[1])
            assert total >= 2, "the harness needs several bundles to kill a merge between them"
            target = rng.randrange(1, total)  # at least one bundle merged, at least one to go
        if target is not None and len(progress) > target:  # "merge target/total": that bundle has begun
            time.sleep(rng.uniform(0, 0.02))  # its reading, its writes or its commit
            break
        time.sleep(0.005)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.returncode not in (-signal.SIGKILL, 0):
        raise AssertionError(proc.stderr.read().decode())
    lines = _lines(log)
    return bool(lines) and lines[-1] != "done"


def _lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@pytest.mark.parametrize("kills", KILLS)
def test_kills_during_merges_leave_no_half_merged_bundle(tmp_path, kills):
    from storage.core.private_keys import private_keys
    from storage.sync.bundle_file import read_bundle

    t = make_township(tmp_path)
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    for i, grid in enumerate(("G01", "G02", "G03")):
        w = t.worker(f"网格员{i}", grid)
        for n in range(40):
            r = elder(w, f"{grid}居民{n}")
            log_visit(w, r.id, {"notes": "上门"})
            if n % 13 == 0 or n == 39:
                export_bundle(w, bundles)
    t.db.dispose()
    pristine = tmp_path / "township-pristine.db"
    copy_db(t.db.path, pristine)
    ref_path = tmp_path / "reference.db"
    copy_db(pristine, ref_path)
    ref = open_database(ref_path)
    assert merge_paths(ref, [bundles]).refused == []
    expected = list(dump_lines(ref))
    ref.dispose()
    rng = random.Random(5)
    target = tmp_path / "victim.db"
    runs = max(2, kills // 3)
    landed = 0
    for i in range(runs):
        copy_db(pristine, target)
        for side in ("-wal", "-shm"):
            Path(str(target) + side).unlink(missing_ok=True)
        landed += _kill_during_merge(["township", str(target), str(bundles), str(tmp_path / f"merge{i}.log")], rng)
        _integrity(target)
        db = open_database(target)
        with db.session() as s:
            received = s.exec(select(BundleReceived)).all()
            event_ids = set(s.exec(select(Event.id)).all())
        secrets = [private_keys(db.path).township_age_secret]
        for b in received:
            _manifest, events = read_bundle(bundles / b.file_name, secrets, "330521101")
            assert {e["id"] for e in events} <= event_ids, f"bundle {b.file_name} half merged"
        _state_is_the_fold_of_the_log(db)
        assert merge_paths(db, [bundles]).refused == []  # re-running completes it
        assert list(dump_lines(db)) == expected
        db.dispose()
    # a kill comes at most 25 ms after a bundle began, with one more bundle to go: nearly all land inside the run
    assert landed * 2 >= runs, f"only {landed} of {runs} kills landed inside a merge run"

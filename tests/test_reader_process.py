"""Bundles read and judged by the merge's second process (storage/sync/reader_process.py) merge exactly as when the
merge reads them itself: the same outcomes, the same refusals in the same words, the same database; and a file that
changed after that process read it, or the process gone, leaves the merge reading the files itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storage.core.db import open_database
from storage.core.i18n import current_language, set_language
from storage.core.keys import generate_keypair
from storage.register.visits import log_visit
from storage.sync import bundle_file, reader_process
from storage.sync.bundle_file import write_bundle
from storage.sync.dump import dump_lines
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import elder, make_township
from tests.trust_helpers import TOWNSHIP, _DeviceKeys, _event, _resident_fields


def _forged(path: Path, k: _DeviceKeys, events: list[dict], *, seq: int, recipient: str) -> Path:
    """A bundle signed by an enrolled device's own keys (a device turned hostile, or a damaged export)."""
    manifest = {"kind": "worker", "township_code": TOWNSHIP, "grid_code": f"{TOWNSHIP}-{k.grid}",
                "device_id": k.device_id, "worker": k.worker, "seq": seq, "age_recipient": k.age_recipient,
                "sign_public": k.sign_public, "enroll_proof": k.proof}
    return write_bundle(path, manifest, events, recipient, k.sign_secret).path


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Path, Path]:
    """(the township before any merge, a folder of bundles: three workers' own, and four refused for what they hold)."""
    from storage.core.keys import read_public_key_file

    folder = tmp_path_factory.mktemp("reader")
    t = make_township(folder)
    usb = folder / "usb"
    usb.mkdir()
    keys = {}
    for n, grid in enumerate(("G01", "G02", "G03"), start=1):
        w = t.worker(f"网格员{n}", grid)
        for i in range(3):
            r = elder(w, f"老人{n}{i}", phone=f"1380000000{i}")
            log_visit(w, r.id, {"notes": "安好", "hazards": ["fire"]})
        export_bundle(w, usb)
        keys[grid] = _DeviceKeys(w)
    township = read_public_key_file(t.key).age_recipient
    k = keys["G02"]
    bad_value = _event(k.device_id, 9_000_000_000_001, "resident", "r-bad", {**_resident_fields("G02"), "sex": "x"},
                       k.worker)
    _forged(usb / "x1-bad-value.gcb", k, [bad_value], seq=7, recipient=township)
    malformed = {"id": "m", "record_type": "resident"}  # no clock, no record id: "record 1 … is malformed"
    _forged(usb / "x2-malformed.gcb", k, [malformed], seq=8, recipient=township)
    _forged(usb / "x3-not-for-us.gcb", k, [], seq=9, recipient=generate_keypair().age_recipient)
    # (a phone of blanks: "no value", cleaned by the checks and folded as cleaned)
    good = _event(k.device_id, 9_000_000_000_002, "resident", "r-good", {**_resident_fields("G02", "好人"), "phone": "  "},
                  k.worker)
    _forged(usb / "x4-good.gcb", k, [good, good], seq=10, recipient=township)  # a line repeated as it was
    t.db.dispose()
    return folder / "township.db", usb


def _merged(world: tuple[Path, Path], target: Path) -> tuple[list[tuple], list[str]]:
    """(each bundle's outcome, every record's state and every event as stored) after merging the folder."""
    pristine, usb = world
    for name in ("township.db", "township.db.keys"):
        src = pristine.with_name(name)
        shutil.copy(src, target.with_name(target.name + name[len("township.db"):]))
    db = open_database(target)
    try:
        report = merge_paths(db, [usb])
        outcomes = [(b.file, b.status, b.code, b.problem, b.added, b.updated) for b in report.bundles]
        with db.engine.connect() as conn:  # the events as stored, their fields' text too
            events = conn.exec_driver_sql("SELECT id, record_type, record_id, fields, hlc, device_id, base_hlc, author "
                                          "FROM event ORDER BY id").all()
        return outcomes, [*dump_lines(db), *map(str, events)]
    finally:
        db.dispose()


@pytest.fixture
def used(monkeypatch) -> list[str]:
    """The files whose reading by the second process the merge used (its answers other than "read it yourself")."""
    seen: list[str] = []
    real = bundle_file.open_bundle

    def spying(path, *args):
        if len(args) == 4 and args[3] is not None and args[3][0] != "inline":
            seen.append(Path(path).name)
        return real(path, *args)

    monkeypatch.setattr("storage.sync.merge.open_bundle", spying)
    monkeypatch.setattr(reader_process, "WAIT_READY", 60.0)  # however few the files, the process is used
    return seen


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_bundles_read_by_the_second_process_merge_as_read_in_line(world, tmp_path, monkeypatch, used, lang):
    before = current_language()
    set_language(lang)
    try:
        ahead = _merged(world, tmp_path / "ahead.db")
        monkeypatch.setenv("GRIDCARE_READ_AHEAD", "0")
        in_line = _merged(world, tmp_path / "inline.db")
    finally:
        set_language(before)
    # read there: every file after the first that was asked for (the first is read while the process starts)
    assert set(used) >= {"x1-bad-value.gcb", "x2-malformed.gcb", "x3-not-for-us.gcb", "x4-good.gcb"}
    statuses = {file: (status, code) for file, status, code, *_rest in ahead[0]}
    assert statuses["x1-bad-value.gcb"] == ("refused", "bad_event")
    assert statuses["x2-malformed.gcb"] == ("refused", "bad_event")
    assert statuses["x3-not-for-us.gcb"][0] == "refused"
    assert statuses["x4-good.gcb"] == ("new", "")
    assert ahead == in_line  # the same outcomes, in the same words, and the same database


def test_a_reading_of_another_manifest_is_not_used(world, tmp_path):
    """The file changed after the second process read it: the merge reads it itself."""
    _pristine, usb = world
    path = sorted(usb.glob("*G01*.gcb"))[0]
    other = sorted(usb.glob("*G02*.gcb"))[0]
    from storage.sync.reader_child import read_one

    answer = read_one(str(other), [], 20_000)
    assert answer[0] == "refused"  # (no key given: it could not be decrypted) — of another file's manifest
    db = open_database(world[0])
    try:
        from storage.core.private_keys import private_keys

        secret = private_keys(world[0]).township_age_secret
        manifest, events = bundle_file.open_bundle(path, [secret], TOWNSHIP, None, answer)
        assert manifest["grid_code"].endswith("G01") and len(list(events)) == manifest["counts"]["events"]
    finally:
        db.dispose()


def test_the_merge_reads_the_files_itself_once_the_process_is_gone(world, tmp_path, monkeypatch, used):
    real_ask = reader_process.ReadAhead.ask

    def ask_then_die(self, path):
        real_ask(self, path)
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()

    monkeypatch.setattr(reader_process.ReadAhead, "ask", ask_then_die)
    ahead = _merged(world, tmp_path / "ahead.db")
    monkeypatch.setenv("GRIDCARE_READ_AHEAD", "0")
    assert ahead == _merged(world, tmp_path / "inline.db")
    assert used == []

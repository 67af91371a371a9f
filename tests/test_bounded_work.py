"""Issue #19, item 5: a bundle costs bounded memory and work, whatever it claims or holds.

Bundles are forged with the project's own writer (a worker device's keys, the township's public
key), or from docs/bundle-format.md where the writer would not write such a thing (blank lines).
Memory is Python's own allocations as tracemalloc counts them (deterministic, unlike the RSS);
work is what was unpacked before a refusal. The merge's peak RSS on the 8-million-line bundle is
measured in bench/ (bench/m_hostile.py), never timed here.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import tracemalloc
import zlib

import pytest
from sqlmodel import select

from storage.core.models import BundleReceived, Event
from storage.sync import merge as merge_module
from storage.sync.merge import merge_paths
from tests.sync_helpers import make_township
from tests.test_export_merge import _device, _signed_by_worker

ELDER = {"name": "王五", "categories": ["solitary_elder"], "birth_date": "1945-03-03", "grid_code": "330521101-G02",
         "township_code": "330521101", "status": "active"}


def _event(device: str, n: int) -> dict:
    return {"id": f"{device}-{n}", "record_type": "resident", "record_id": f"r{n:06d}", "hlc": n, "device_id": device,
            "fields": {**ELDER, "name": f"王{n}"}, "base_hlc": 0, "author": "李强"}


def _peak(fn) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def town(tmp_path):
    t = make_township(tmp_path)
    return t, t.worker("李强", "G02")


def test_a_line_repeated_20_000_times_is_counted_not_held(tmp_path, town, default_gc):
    """Before: every line parsed and held (8 million lines took the merge past 4 GB): here 240 MB of lines."""
    import random

    t, b = town
    device = _device(b)
    rng = random.Random(3)
    ev = _event(device, 1)
    ev["fields"]["notes"] = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(4000))  # 12 KB a line
    path = _signed_by_worker(t, b, "李强", itertools.repeat(ev, 20_000), tmp_path / "many.gcb")
    assert path.stat().st_size < 2_000_000
    report, peak = _peak(lambda: merge_paths(t.db, [path]))
    assert report.bundles[0].status == "new" and report.bundles[0].events_new == 1
    assert peak < 40 * 1024 * 1024, peak
    with t.db.session() as s:
        assert s.get(BundleReceived, (device, 1)).event_count == 20_000


def test_a_payload_that_unpacks_to_more_than_200_times_its_size_is_refused_early(tmp_path, town, monkeypatch):
    """One short line a million times: 179 MB in 700 KB (the issue's 8 million lines fit in 3 MB)."""
    import json

    from storage.sync import bundle_payload

    t, b = town
    device = _device(b)
    line = json.dumps({"id": f"{device}-1", "record_type": "resident", "record_id": "r1", "hlc": 1, "device_id": device,
                       "fields": {"name": "王", "grid_code": "330521101-G02"}, "author": "李强"},
                      ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    path = _forged(tmp_path / "bomb.gcb", t, b, line * 1_000_000, 1_000_000)
    inflated = counting(monkeypatch)
    report = merge_paths(t.db, [path])
    assert report.bundles[0].status == "refused" and report.bundles[0].code == "corrupt"
    assert "unpack to more than this bundle could hold" in report.bundles[0].message
    assert inflated.inflated <= bundle_payload.MAX_RATIO * path.stat().st_size + 2 * bundle_payload.CHUNK
    with t.db.session() as s:
        assert s.exec(select(Event).where(Event.device_id == device)).all() == []


def test_repeated_lines_within_bounds_are_counted_once(tmp_path, town):
    t, b = town
    device = _device(b)
    events = [_event(device, 1)] * 500 + [_event(device, 2), _event(device, 1)] * 200
    path = _signed_by_worker(t, b, "李强", events, tmp_path / "repeats.gcb")
    report = merge_paths(t.db, [path])
    assert report.bundles[0].status == "new" and report.bundles[0].events_new == 2
    with t.db.session() as s:
        assert s.get(BundleReceived, (device, 1)).event_count == 900
        assert len(s.exec(select(Event).where(Event.device_id == device)).all()) == 2


def test_an_id_given_twice_folds_as_stored(tmp_path, town):
    """Two events with one id in one bundle: the first is stored (INSERT OR IGNORE) and the first is folded,
    so a rebuild from the stored events gives the same state."""
    from storage.core.fold import rebuild_all
    from storage.sync.dump import dump_lines

    t, b = town
    device = _device(b)
    first, second = _event(device, 7), _event(device, 7)
    second["fields"] = {**second["fields"], "name": "冒名"}
    path = _signed_by_worker(t, b, "李强", [first, second], tmp_path / "twice.gcb")
    assert merge_paths(t.db, [path]).bundles[0].status == "new"
    merged = list(dump_lines(t.db))
    with t.db.write() as s:
        rebuild_all(s)
    assert list(dump_lines(t.db)) == merged
    assert any('"name":"王7"' in line for line in merged)


def test_memory_does_not_grow_with_the_number_of_events(tmp_path, town, monkeypatch, default_gc):
    """A bundle is merged a chunk of events at a time: 12,000 events cost what 1,500 do (chunks of 500 events,
    of 64 KiB unpacked, and risk levels refreshed 1,000 residents at a time, here).

    A first merge is made before measuring: what it loads once (modules, caches) made the small merge's peak
    look larger, and hid that the residents waiting for their risk refresh grew with the bundle (1.59× then)."""
    from storage.sync import bundle_payload

    t, b = town
    device = _device(b)
    monkeypatch.setattr(merge_module, "CHUNK_EVENTS", 500)
    monkeypatch.setattr(merge_module, "RISK_BATCH", 1_000)
    monkeypatch.setattr(bundle_payload, "CHUNK", 64 * 1024)
    first = _signed_by_worker(t, b, "李强", [_event(device, n) for n in range(100_001, 100_101)], tmp_path / "first.gcb")
    assert merge_paths(t.db, [first]).bundles[0].events_new == 100
    small = _signed_by_worker(t, b, "李强", [_event(device, n) for n in range(1, 1_501)], tmp_path / "small.gcb")
    big = _signed_by_worker(t, b, "李强", (_event(device, n) for n in range(10_001, 22_001)), tmp_path / "big.gcb")
    report_small, peak_small = _peak(lambda: merge_paths(t.db, [small]))
    report_big, peak_big = _peak(lambda: merge_paths(t.db, [big]))
    assert report_small.bundles[0].events_new == 1_500 and report_big.bundles[0].events_new == 12_000
    assert peak_big < 1.5 * peak_small, (peak_small, peak_big)


def test_a_bad_value_in_a_later_chunk_takes_the_earlier_chunks_back(tmp_path, town, monkeypatch):
    from storage.sync.dump import dump_lines

    t, b = town
    device = _device(b)
    monkeypatch.setattr(merge_module, "CHUNK_EVENTS", 100)
    events = [_event(device, n) for n in range(1, 451)]
    events[-1]["fields"]["categories"] = ["vip"]
    path = _signed_by_worker(t, b, "李强", events, tmp_path / "late.gcb")
    before = list(dump_lines(t.db))
    report = merge_paths(t.db, [path])
    assert report.bundles[0].code == "bad_event" and "unknown code in Categories" in report.bundles[0].message
    assert list(dump_lines(t.db)) == before


class _Counting:
    """zlib's inflater, counting the bytes it gives (installed over zlib.decompressobj by `counting`)."""

    def __init__(self):
        self.inflated = 0
        self.real = zlib.decompressobj

    def __call__(self, *args, **kwargs):
        real, counter = self.real(*args, **kwargs), self

        class Inflater:
            def decompress(self, data, limit=0):
                out = real.decompress(data, limit)
                counter.inflated += len(out)
                return out

            def __getattr__(self, name):
                return getattr(real, name)

        return Inflater()


def counting(monkeypatch) -> _Counting:
    counter = _Counting()
    monkeypatch.setattr(zlib, "decompressobj", counter)
    return counter


def _forged(path, t, worker, plain: bytes, events: int):
    """A bundle whose payload is `plain` as given (docs/bundle-format.md), signed by the worker's device."""
    import base64
    import hashlib
    import json

    import pyrage

    from storage.core.keys import read_public_key_file, sign
    from storage.core.models import Identity
    from storage.core.private_keys import private_keys

    with worker.session() as s:
        ident = s.get(Identity, 1)
    ct = pyrage.encrypt(gzip.compress(plain, mtime=0), [pyrage.x25519.Recipient.from_str(
        read_public_key_file(t.key).age_recipient)])
    manifest = {"kind": "worker", "township_code": "330521101", "grid_code": ident.grid_code,
                "device_id": ident.device_id, "worker": "李强", "seq": 1, "full": False, "schema_version": 5,
                "age_recipient": ident.device_age_recipient, "sign_public": ident.device_sign_public,
                "created_at": "2026-11-24T10:00:00+00:00", "counts": {"events": events, "resident": events},
                "enroll_proof": ident.enroll_proof,
                "format_version": 1, "payload_sha256": hashlib.sha256(ct).hexdigest(), "payload_size": len(ct)}
    line = json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    signature = base64.b64encode(sign(private_keys(worker.path).device_sign_secret, line))
    path.write_bytes(b"GRIDCARE-BUNDLE 1\n" + line + b"\n" + signature + b"\n" + ct)
    return path


def test_blank_lines_are_refused_after_a_little_unpacking(tmp_path, town, monkeypatch):
    """Before: 2.1 GiB of blank lines were unpacked whole (5 minutes) before the bundle was refused."""

    import json

    t, b = town
    device = _device(b)
    line = json.dumps(_event(device, 1), ensure_ascii=False).encode() + b"\n"
    path = _forged(tmp_path / "blank.gcb", t, b, line + b"\n" * (256 * 1024 * 1024), 1)
    inflated = counting(monkeypatch)
    report = merge_paths(t.db, [path])
    assert report.bundles[0].status == "refused" and report.bundles[0].code == "corrupt"
    assert inflated.inflated <= 2 * 1024 * 1024


def test_a_bundle_refused_for_what_it_holds_is_not_unpacked_again(tmp_path, town, monkeypatch, capsys):
    from storage.sync import bundle_payload, refused
    from tui.cli import main

    t, b = town
    device = _device(b)
    bad = _event(device, 3)
    bad["fields"]["categories"] = ["vip"]
    path = _signed_by_worker(t, b, "李强", [_event(device, 1), bad], tmp_path / "vip.gcb")
    first = merge_paths(t.db, [path]).bundles[0]
    assert first.code == "bad_event"

    unpacked = []
    real = bundle_payload.decrypt_payload

    def decrypt(*args, **kwargs):
        unpacked.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(bundle_payload, "decrypt_payload", decrypt)
    again = merge_paths(t.db, [path]).bundles[0]
    assert (again.status, again.code, again.message) == ("refused", first.code, first.message)
    assert main(["--db", str(t.db.path), "--lang", "en", "merge", str(path)]) == 1
    assert "unknown code in Categories" in capsys.readouterr().out
    assert unpacked == []
    # a damaged copy of it is reported as damaged, not as refused before
    damaged = tmp_path / "copy" / "vip.gcb"
    damaged.parent.mkdir()
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x40
    damaged.write_bytes(bytes(data))
    assert merge_paths(t.db, [damaged]).bundles[0].code == "altered"
    unpacked.clear()
    # under other rules (a later release) it is read again
    monkeypatch.setattr(refused, "rules_key", lambda: "a later release")
    assert merge_paths(t.db, [path]).bundles[0].message == first.message
    assert unpacked == [path]


def test_records_added_in_one_chunk_and_edited_in_a_later_one_are_counted_added(tmp_path, town, monkeypatch):
    """A bundle longer than a chunk (a township's at the county: 110,000 events) told the clerk of records it
    had itself added in an earlier chunk as "updated" (a first merge into an empty county said 更新：1,881)."""
    from storage.register.residents import update_resident
    from storage.sync.export import export_bundle
    from tests.sync_helpers import elder

    t, worker = town
    residents = [elder(worker, f"王{n}号", grid_code="330521101-G02") for n in range(12)]
    for r in residents:  # written after every creation: the edits fall in the bundle's later chunks
        update_resident(worker, r.id, {"phone": "13900000000"}, today=dt.date(2026, 11, 25))
    out = tmp_path / "out"
    out.mkdir()
    path = export_bundle(worker, out).path
    monkeypatch.setattr(merge_module, "CHUNK_EVENTS", 5)
    report = merge_paths(t.db, [path]).bundles[0]
    assert (report.events_new, report.added, report.updated) == (25, 13, 0)  # the grid's record, 12 residents
    again = merge_paths(t.db, [export_bundle(worker, out, full=True).path]).bundles[0]
    assert again.updated == 0 and again.added == 0

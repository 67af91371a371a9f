"""A bundle's contents inside a valid envelope: malformed events and lines, counts against the manifest,
damaged payloads, and fuzzed mutations of a good bundle (tests/bundle_helpers.py forges them).
"""

from __future__ import annotations

import base64
import gzip
import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.sync import bundle_file, bundle_payload
from storage.sync.bundle_file import BundleError, read_manifest
from tests.bundle_helpers import (
    Registry,
    _events,
    _forge,
    _manifest,
    _read,
    _refused,
    _variant,
    _write,
)
from tests.profiles import quick_and_slow


@pytest.fixture()
def good(tmp_path):
    return _write(tmp_path / "good.gcb").path.read_bytes()


def _line(ev) -> bytes:
    return json.dumps(ev, ensure_ascii=False).encode() + b"\n"


BAD_EVENTS = {
    "missing keys": {"id": "x", "record_type": "visit"},
    "hlc as text": {**_events(1)[0], "hlc": "1000"},
    "hlc as bool": {**_events(1)[0], "hlc": True},
    "hlc negative": {**_events(1)[0], "hlc": -1},
    "hlc beyond 64 bits": {**_events(1)[0], "hlc": 2**64},
    "fields a list": {**_events(1)[0], "fields": ["a"]},
    "empty id": {**_events(1)[0], "id": ""},
    "record_id a number": {**_events(1)[0], "record_id": 5},
}


@pytest.mark.parametrize("kind", sorted(BAD_EVENTS))
def test_malformed_events_are_refused(tmp_path, kind):
    plain = _line(_events(1)[0]) + _line(BAD_EVENTS[kind])
    e = _refused(_forge(tmp_path / "bad.gcb", _manifest(counts={"events": 2}), plain), "bad_event")
    assert "record 2" in str(e)


def test_malformed_lines_are_refused(tmp_path):
    ok = _line(_events(1)[0])
    deep: dict = {"a": 1}
    for _ in range(40):
        deep = {"a": deep}
    lines = {
        "deep": _line({**_events(1)[0], "fields": deep}),
        # text that does not compress: the line's length is what is refused, not what it unpacks to
        "huge": _line({**_events(1)[0], "fields": {
            "notes": base64.b64encode(random.Random(1).randbytes(bundle_payload.MAX_EVENT_LINE)).decode()}}),
        "array": b"[1, 2]\n",
        "not json": b"{not json}\n",
        "nan": ok.replace(b'"hlc": 1000', b'"hlc": NaN'),
        "latin1": ok.replace("上门".encode(), b"\xe9\xe9"),
        "surrogate": ok.replace("上门".encode(), b"\\ud800"),
    }
    for name, line in lines.items():
        assert line != ok, name
        _refused(_forge(tmp_path / f"{name.replace(' ', '_')}.gcb", _manifest(), line), "bad_event")


def test_event_counts_must_match_the_manifest(tmp_path):
    plain = b"".join(_line(e) for e in _events(3))
    e = _refused(_forge(tmp_path / "more.gcb", _manifest(counts={"events": 2}), plain), "bad_event")
    assert "more records" in str(e)
    e = _refused(_forge(tmp_path / "fewer.gcb", _manifest(counts={"events": 4}), plain), "bad_event")
    assert "3" in str(e) and "4" in str(e)


def test_damaged_contents_inside_a_valid_envelope(tmp_path, monkeypatch):
    plain = b"".join(_line(e) for e in _events(3))
    _refused(_forge(tmp_path / "nogzip.gcb", _manifest(), plain, compress=False), "corrupt")
    member = gzip.compress(plain, mtime=0)
    _refused(_forge(tmp_path / "cut.gcb", _manifest(), member[:-10], compress=False), "corrupt")
    _refused(_forge(tmp_path / "tail.gcb", _manifest(), member + b"junk", compress=False), "corrupt")
    crc = bytearray(member)
    crc[-6] ^= 0xFF
    _refused(_forge(tmp_path / "crc.gcb", _manifest(), bytes(crc), compress=False), "corrupt")
    # decompression bomb: refused once the cap is passed, without inflating the rest
    monkeypatch.setattr(bundle_payload, "MAX_PLAINTEXT", 10_000)
    monkeypatch.setattr(bundle_payload, "CHUNK", 1000)
    bomb = plain + b"\n" * 1_000_000
    _refused(_forge(tmp_path / "bomb.gcb", _manifest(), bomb), "corrupt")


def test_a_header_without_end_is_damaged(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_file, "MAX_HEADER", 2000)
    _refused(_variant(tmp_path, "long.gcb", b"GRIDCARE-BUNDLE 1\n{" + b" " * 5000), "corrupt")


def test_read_manifest_refuses_what_it_cannot_list(tmp_path, good):
    for name, data in {"empty.gcb": b"", "x.gcb": b"PK\x03\x04", "c.gcb": good[:30]}.items():
        with pytest.raises(BundleError):
            read_manifest(_variant(tmp_path, name, data))


# ---------------------------------------------------------------- fuzzing


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory):
    return _write(tmp_path_factory.mktemp("good") / "g.gcb").path.read_bytes()


def _fuzzed_mutations(sized):
    @sized
    @given(data=st.data())
    def test(tmp_path_factory, good_bundle, data):
        folder = tmp_path_factory.mktemp("fuzz")
        mutated = bytearray(good_bundle)
        header = good_bundle.index(b"age-encryption")
        for _ in range(data.draw(st.integers(1, 4))):
            op = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
            # half of the mutations land in the header, where most of the parsing happens
            limit = header if data.draw(st.booleans()) else len(mutated)
            pos = data.draw(st.integers(0, max(0, min(limit, len(mutated)) - 1)))
            if op == "flip" and mutated:
                mutated[pos] ^= data.draw(st.integers(1, 255))
            elif op == "insert":
                mutated[pos:pos] = data.draw(st.binary(min_size=1, max_size=8))
            elif op == "delete":
                del mutated[pos : pos + data.draw(st.integers(1, 8))]
            else:
                del mutated[pos:]
        path = folder / "m.gcb"
        path.write_bytes(bytes(mutated))
        try:
            read_manifest(path)
        except BundleError:
            pass  # refused with its reason: what a damaged header must do
        try:
            _, events = _read(path, check=Registry())
        except BundleError:
            return
        assert events == _events()

    return test


test_fuzzed_mutations_read_back_identical_or_are_refused, test_fuzzed_mutations_at_scale = quick_and_slow(
    "bundle", _fuzzed_mutations)

"""The bundle file: round trip, every refusal with its reason, and fuzzed mutations."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.bundle_file import BundleError, bundle_file_name, read_bundle, read_manifest, write_bundle
from storage.i18n import set_language
from storage.keys import fingerprint, format_public_key, generate_keypair, parse_public_key, read_public_key_file, write_public_key_file
from storage.errors import UserError

TOWNSHIP = generate_keypair()
DEVICE = generate_keypair()
OTHER = generate_keypair()


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("zh_CN")


def _events(n=3):
    return [{"id": f"d1-{i}", "record_type": "visit", "record_id": f"v{i}", "fields": {"notes": "上门探访"},
             "hlc": 1000 + i, "device_id": "d1", "base_hlc": 0, "author": "王芳"} for i in range(n)]


def _manifest(device=DEVICE, township="330521101"):
    return {"kind": "worker", "schema_version": 2, "township_code": township, "grid_code": "330521101-G01",
            "device_id": "d1" * 8, "worker": "王芳", "seq": 1, "full": False,
            "age_recipient": device.age_recipient, "sign_public": device.sign_public,
            "created_at": "2026-11-24T10:00:00+00:00", "counts": {"visit": 3}}


def _write(path, events=None, manifest=None, signer=DEVICE, recipient=TOWNSHIP):
    return write_bundle(path, manifest or _manifest(signer), _events() if events is None else events,
                        recipient.age_recipient, signer.sign_secret)


def _read(path, secrets=(TOWNSHIP.age_secret,), township="330521101", check=None):
    return read_bundle(path, list(secrets), township, check)


def test_round_trip_and_manifest(tmp_path):
    info = _write(tmp_path / "b.gcb")
    manifest, events = _read(info.path)
    assert events == _events()
    assert manifest["counts"] == {"visit": 3, "events": 3} and manifest["payload_size"] > 0
    assert read_manifest(info.path)["worker"] == "王芳"
    assert (info.path.stat().st_mode & 0o777) == 0o600


def test_the_manifest_holds_no_resident_data(tmp_path):
    info = _write(tmp_path / "b.gcb")
    raw = info.path.read_bytes()
    assert "上门探访".encode() not in raw and b"notes" not in raw


def test_file_name_says_whose_and_which_number():
    name = bundle_file_name("worker", "330521101", "G01", "王 芳", "3f2a9c1e77", 7, dt.datetime(2026, 11, 24))
    assert name == "gridcare-330521101-G01-王_芳-3f2a9c1e-0007-20261124.gcb"


def _refused(path, code, **kw):
    with pytest.raises(BundleError) as e:
        _read(path, **kw)
    assert e.value.code == code, str(e.value)
    assert path.name in str(e.value)
    return e.value


def test_refusals_name_the_problem(tmp_path):
    good = _write(tmp_path / "good.gcb").path.read_bytes()

    def variant(name, data):
        p = tmp_path / name
        p.write_bytes(data)
        return p

    _refused(variant("empty.gcb", b""), "empty")
    _refused(variant("xlsx.gcb", b"PK\x03\x04" + b"\x00" * 200), "not_bundle")
    _refused(variant("random.gcb", bytes(range(256)) * 10), "not_bundle")
    _refused(variant("v99.gcb", good.replace(b"GRIDCARE-BUNDLE 1", b"GRIDCARE-BUNDLE 99", 1)), "unknown_version")
    _refused(variant("short.gcb", good[: len(good) - 40]), "truncated")
    _refused(variant("head.gcb", good[:30]), "truncated")
    _refused(variant("long.gcb", good + b"x"), "altered")
    flipped = bytearray(good)
    flipped[-20] ^= 0x01
    _refused(variant("flip.gcb", bytes(flipped)), "altered")
    manifest_flip = good.replace(b'"worker":"\xe7\x8e\x8b\xe8\x8a\xb3"', b'"worker":"\xe6\x9d\x8e\xe8\x8a\xb3"', 1)
    assert manifest_flip != good
    _refused(variant("mflip.gcb", manifest_flip), "bad_signature")
    e = _refused(tmp_path / "good.gcb", "wrong_township", township="110105001")
    assert "110105001" in str(e)
    _refused(tmp_path / "good.gcb", "wrong_key", secrets=(OTHER.age_secret,))


def test_unknown_format_version_inside_the_manifest(tmp_path):
    info = _write(tmp_path / "b.gcb", manifest={**_manifest(), "format_version": 99})
    # write_bundle stamps the version it writes; forge a newer one by hand
    data = info.path.read_bytes()
    head, rest = data.split(b"\n", 1)
    manifest_line, rest2 = rest.split(b"\n", 1)
    m = json.loads(manifest_line)
    m["format_version"] = 99
    (tmp_path / "f.gcb").write_bytes(head + b"\n" + json.dumps(m).encode() + b"\n" + rest2)
    _refused(tmp_path / "f.gcb", "unknown_version")


def test_trust_on_first_use_hook_can_refuse(tmp_path):
    info = _write(tmp_path / "b.gcb")

    def refuse(manifest):
        raise BundleError("untrusted_signer", "b.gcb: signed by another key")

    _refused(info.path, "untrusted_signer", check=refuse)


def test_a_signature_by_another_key_claiming_the_device(tmp_path):
    forged = _write(tmp_path / "forged.gcb", manifest=_manifest(DEVICE), signer=OTHER)
    _refused(forged.path, "bad_signature")


def test_malformed_events_are_refused(tmp_path):
    bad = _write(tmp_path / "bad.gcb", events=[{"id": "x", "record_type": "visit"}])
    _refused(bad.path, "bad_event")
    deep = {"a": 1}
    for _ in range(40):
        deep = {"a": deep}
    nested = _write(tmp_path / "deep.gcb", events=[{**_events(1)[0], "fields": deep}])
    _refused(nested.path, "bad_event")


@pytest.fixture(scope="module")
def good_bundle(tmp_path_factory):
    return _write(tmp_path_factory.mktemp("good") / "g.gcb").path.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_mutations_read_back_identical_or_are_refused(tmp_path_factory, good_bundle, data):
    folder = tmp_path_factory.mktemp("fuzz")
    good = good_bundle
    mutated = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        pos = data.draw(st.integers(0, max(0, len(mutated) - 1)))
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
        _, events = _read(path)
    except BundleError:
        return
    assert events == _events()


def test_public_key_file_round_trip_and_garbage(tmp_path):
    path = tmp_path / "township-330521101.pub"
    write_public_key_file(path, "330521101", "新市镇", TOWNSHIP)
    pub = read_public_key_file(path)
    assert (pub.township_code, pub.township_name, pub.age_recipient, pub.sign_public) == (
        "330521101", "新市镇", TOWNSHIP.age_recipient, TOWNSHIP.sign_public)
    assert parse_public_key(format_public_key("330521101", "新市镇", TOWNSHIP)) == pub
    garbled = path.read_text(encoding="utf-8").replace("age1", "age9")
    with pytest.raises(UserError):
        parse_public_key(garbled, "x.pub")
    with pytest.raises(UserError):
        read_public_key_file(tmp_path / "missing.pub")
    (tmp_path / "bin.pub").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(UserError):
        read_public_key_file(tmp_path / "bin.pub")
    assert len(fingerprint(TOWNSHIP.sign_public)) == 19

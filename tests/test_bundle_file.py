"""The bundle file: round trip, every refusal produced by a real malformed file, and fuzzed mutations.

`_forge` writes bundles from scratch following docs/bundle-format.md (not through write_bundle), so the
document is exercised as much as the writer, and files a correct writer would never produce can be made.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import random
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.core.i18n import set_language
from storage.core.keys import generate_keypair
from storage.sync import bundle_file, bundle_payload
from storage.sync.bundle_file import BundleError, bundle_file_name, read_bundle, read_manifest, write_bundle
from tests.profiles import quick_and_slow

TOWNSHIP = generate_keypair()
DEVICE = generate_keypair()
OTHER = generate_keypair()
CODE = "330521101"


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("zh_CN")


def _events(n=3):
    return [{"id": f"d1-{i}", "record_type": "visit", "record_id": f"v{i}", "fields": {"notes": "上门探访，老人独居"},
             "hlc": 1000 + i, "device_id": "d1", "base_hlc": 0, "author": "王芳"} for i in range(n)]


def _manifest(device=DEVICE, township=CODE, **extra):
    return {"kind": "worker", "schema_version": 2, "township_code": township, "grid_code": f"{CODE}-G01",
            "device_id": "d1" * 8, "worker": "王芳", "seq": 1, "full": False,
            "age_recipient": device.age_recipient, "sign_public": device.sign_public,
            "created_at": "2026-11-24T10:00:00+00:00", "counts": {"visit": 3}, **extra}


def _write(path, events=None, manifest=None, signer=DEVICE, recipient=TOWNSHIP):
    return write_bundle(path, manifest or _manifest(signer), _events() if events is None else events,
                        recipient.age_recipient, signer.sign_secret)


def _read(path, secrets=(TOWNSHIP.age_secret,), township=CODE, check=None):
    return read_bundle(path, list(secrets), township, check)


def _forge(path, manifest, plain=None, *, signer=DEVICE, recipient=TOWNSHIP, compress=True, signed_line=None):
    """A bundle built by hand from docs/bundle-format.md."""
    import pyrage
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if plain is None:
        plain = b"".join(json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in _events())
    payload = gzip.compress(plain, mtime=0) if compress else plain
    ct = pyrage.encrypt(payload, [pyrage.x25519.Recipient.from_str(recipient.age_recipient)])
    m = {"format_version": 1, "payload_sha256": hashlib.sha256(ct).hexdigest(), "payload_size": len(ct), **manifest}
    line = json.dumps(m, ensure_ascii=False, separators=(",", ":")).encode()
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(signer.sign_secret))
    sig = base64.b64encode(key.sign(signed_line if signed_line is not None else line))
    path.write_bytes(b"GRIDCARE-BUNDLE 1\n" + line + b"\n" + sig + b"\n" + ct)
    return path


def _refused(path, code, **kw):
    with pytest.raises(BundleError) as e:
        _read(path, **kw)
    assert e.value.code == code, str(e.value)
    assert path.name in str(e.value) and "\n" not in str(e.value)
    return e.value


@pytest.fixture()
def good(tmp_path):
    return _write(tmp_path / "good.gcb").path.read_bytes()


def _variant(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _parts(data: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    magic, manifest, sig, payload = data.split(b"\n", 3)
    return magic, manifest, sig, payload


# ---------------------------------------------------------------- round trip


def test_round_trip_and_manifest(tmp_path):
    info = _write(tmp_path / "b.gcb")
    manifest, events = _read(info.path)
    assert events == _events()
    assert manifest["counts"] == {"visit": 3, "events": 3} and manifest["format_version"] == 1
    assert manifest["payload_size"] > 0 and len(manifest["payload_sha256"]) == 64
    assert manifest == info.manifest == read_manifest(info.path)
    assert info.size == info.path.stat().st_size
    assert (info.path.stat().st_mode & 0o777) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name != "b.gcb"]  # no temporary file left behind


def test_the_file_starts_with_magic_then_a_signed_manifest_line(tmp_path):
    data = _write(tmp_path / "b.gcb").path.read_bytes()
    magic, line, sig, payload = _parts(data)
    assert magic == b"GRIDCARE-BUNDLE 1"
    assert json.loads(line)["payload_size"] == len(payload)
    assert hashlib.sha256(payload).hexdigest() == json.loads(line)["payload_sha256"]
    assert len(base64.b64decode(sig)) == 64
    assert payload.startswith(b"age-encryption.org/v1\n")


def test_the_manifest_holds_no_resident_data(tmp_path):
    raw = _write(tmp_path / "b.gcb").path.read_bytes()
    assert "上门探访".encode() not in raw and b"notes" not in raw and b"record_type" not in raw


def test_writer_fills_defaults_and_refuses_a_mismatched_signing_key(tmp_path):
    bare = {k: v for k, v in _manifest().items() if k not in ("full", "created_at", "counts", "sign_public")}
    info = _write(tmp_path / "b.gcb", manifest=bare)
    assert info.manifest["full"] is False and info.manifest["sign_public"] == DEVICE.sign_public
    assert dt.datetime.fromisoformat(info.manifest["created_at"]).tzinfo is not None
    assert _read(info.path)[1] == _events()
    with pytest.raises(ValueError):
        _write(tmp_path / "c.gcb", manifest=_manifest(DEVICE), signer=OTHER)
    with pytest.raises(ValueError):
        _write(tmp_path / "d.gcb", manifest=_manifest(kind="clerk"))


def test_empty_and_large_bundles(tmp_path):
    empty = _write(tmp_path / "e.gcb", events=[])
    assert _read(empty.path)[1] == [] and empty.manifest["counts"]["events"] == 0
    many = [{"id": f"d1-{i}", "record_type": "visit", "record_id": f"v{i}", "hlc": i, "device_id": "d1",
             "fields": {"resident_id": f"r{i % 6000}", "visit_date": "2026-11-01", "notes": "按时服药，情绪稳定" * 3}}
            for i in range(30_000)]
    big = _write(tmp_path / "big.gcb", events=many)
    assert big.size < 2_000_000
    assert _read(big.path)[1] == many


def test_events_spanning_decompression_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_payload, "CHUNK", 7)
    info = _write(tmp_path / "b.gcb")
    assert _read(info.path)[1] == _events()


def test_file_name_says_whose_and_which_number():
    name = bundle_file_name("worker", CODE, "G01", "王 芳", "3f2a9c1e77", 7, dt.datetime(2026, 11, 24))
    assert name == "gridcare-330521101-G01-王_芳-3f2a9c1e-0007-20261124.gcb"
    odd = bundle_file_name("worker", CODE, "G/03", 'a:b*c?"<>|\\', "ff", 12345, dt.datetime(2026, 1, 2))
    assert odd == "gridcare-330521101-G_03-a_b_c-ff-12345-20260102.gcb"
    assert not set('\\/:*?"<>|') & set(odd)
    town = bundle_file_name("township", CODE, None, "张三", "abcdef0123", 1, dt.datetime(2026, 11, 24))
    assert town == "gridcare-330521101-all-township-abcdef01-0001-20261124.gcb"


# ---------------------------------------------------------------- refusals


def test_not_a_bundle_at_all(tmp_path):
    _refused(_variant(tmp_path, "empty.gcb", b""), "empty")
    _refused(_variant(tmp_path, "random.gcb", bytes(range(256)) * 10), "not_bundle")
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    _refused(_variant(tmp_path, "roster.xlsx", xlsx.getvalue()), "not_bundle")
    _refused(_variant(tmp_path, "text.gcb", "姓名,身份证\n张三,1\n".encode()), "not_bundle")
    _refused(_variant(tmp_path, "other.gcb", b"GRIDCARE-BUNDLE x\n{}\n\n"), "not_bundle")
    _refused(tmp_path / "missing.gcb", "missing")
    (tmp_path / "folder.gcb").mkdir()
    _refused(tmp_path / "folder.gcb", "not_bundle")


@pytest.mark.parametrize("where", ["magic", "after_magic", "manifest", "signature", "payload_start", "payload_mid",
                                   "last_byte"])
def test_truncated_anywhere(tmp_path, good, where):
    magic, line, sig, payload = _parts(good)
    cut = {"magic": 5, "after_magic": len(magic) + 1, "manifest": len(magic) + 1 + len(line) // 2,
           "signature": len(magic) + len(line) + 2 + 10, "payload_start": len(good) - len(payload),
           "payload_mid": len(good) - len(payload) // 2, "last_byte": len(good) - 1}[where]
    _refused(_variant(tmp_path, "cut.gcb", good[:cut]), "truncated")


def test_a_flipped_byte_is_named(tmp_path, good):
    magic, line, sig, payload = _parts(good)
    text_flip = line.replace("王芳".encode(), "李芳".encode(), 1)
    assert text_flip != line
    _refused(_variant(tmp_path, "m1.gcb", b"\n".join([magic, text_flip, sig, payload])), "bad_signature")
    seq_flip = line.replace(b'"seq":1', b'"seq":7', 1)
    assert seq_flip != line
    _refused(_variant(tmp_path, "m2.gcb", b"\n".join([magic, seq_flip, sig, payload])), "bad_signature")
    brace = b"[" + line[1:]
    _refused(_variant(tmp_path, "m3.gcb", b"\n".join([magic, brace, sig, payload])), "corrupt")
    sig_flip = bytearray(sig)
    sig_flip[5] = ord("A") if sig_flip[5] != ord("A") else ord("B")
    _refused(_variant(tmp_path, "s1.gcb", b"\n".join([magic, line, bytes(sig_flip), payload])), "bad_signature")
    _refused(_variant(tmp_path, "s2.gcb", b"\n".join([magic, line, b"!!not base64!!", payload])), "bad_signature")
    for pos in (0, 40, len(payload) // 2, len(payload) - 1):
        flipped = bytearray(payload)
        flipped[pos] ^= 0x01
        _refused(_variant(tmp_path, f"p{pos}.gcb", b"\n".join([magic, line, sig, bytes(flipped)])), "altered")
    _refused(_variant(tmp_path, "long.gcb", good + b"x"), "altered")


def test_for_another_township_or_another_key(tmp_path, good):
    path = _variant(tmp_path, "good.gcb", good)
    e = _refused(path, "wrong_township", township="110105001")
    assert "110105001" in str(e) and CODE in str(e)
    _refused(path, "wrong_key", secrets=(OTHER.age_secret,))
    _refused(path, "wrong_key", secrets=())
    assert _read(path, township=None)[1] == _events()  # no expectation: any township
    assert _read(path, secrets=(OTHER.age_secret, TOWNSHIP.age_secret))[1] == _events()


def test_unknown_format_version(tmp_path, good):
    _refused(_variant(tmp_path, "v99.gcb", good.replace(b"GRIDCARE-BUNDLE 1", b"GRIDCARE-BUNDLE 99", 1)),
             "unknown_version")
    e = _refused(_forge(tmp_path / "f.gcb", {**_manifest(), "format_version": 99}), "unknown_version")
    assert "99" in str(e) and "update gridcare" in str(e)
    with pytest.raises(BundleError) as listed:
        read_manifest(tmp_path / "f.gcb")
    assert listed.value.code == "unknown_version"


class Registry:
    """Trust on first use, as the merge does it: the first key seen for a device is the device's key."""

    def __init__(self):
        self.keys: dict[str, str] = {}

    def __call__(self, manifest):
        known = self.keys.setdefault(manifest["device_id"], manifest["sign_public"])
        if known != manifest["sign_public"]:
            raise BundleError("untrusted_signer", f"{manifest['device_id']}: signed by another key")


def test_trust_on_first_use_refuses_another_key_for_a_known_device(tmp_path):
    registry = Registry()
    first = _write(tmp_path / "first.gcb")
    assert _read(first.path, check=registry)[1] == _events()
    # a valid signature, but by another key claiming the same device
    impostor = _write(tmp_path / "impostor.gcb", manifest=_manifest(OTHER, seq=2), signer=OTHER)
    with pytest.raises(BundleError) as e:
        _read(impostor.path, check=registry)
    assert e.value.code == "untrusted_signer"
    assert _read(first.path, check=registry)[1] == _events()


def test_a_signature_by_another_key_while_the_manifest_names_the_device_key(tmp_path):
    forged = _forge(tmp_path / "forged.gcb", _manifest(DEVICE), signer=OTHER)
    _refused(forged, "bad_signature")


def test_check_signer_runs_after_the_signature_and_before_decryption(tmp_path, good):
    seen = []

    def refuse(manifest):
        seen.append(manifest["device_id"])
        raise BundleError("untrusted_signer", "refused")

    path = _variant(tmp_path, "good.gcb", good)
    with pytest.raises(BundleError) as e:
        _read(path, secrets=(OTHER.age_secret,), check=refuse)  # the wrong key too: not reached
    assert e.value.code == "untrusted_signer" and seen == ["d1" * 8]
    magic, line, sig, payload = _parts(good)
    _refused(_variant(tmp_path, "bad.gcb", b"\n".join([magic, line.replace(b"2026", b"2027"), sig, payload])),
             "bad_signature", check=refuse)
    assert len(seen) == 1


def test_a_signed_manifest_missing_a_field_is_refused(tmp_path):
    for field in ("device_id", "seq", "kind", "counts"):
        m = {k: v for k, v in _manifest().items() if k != field}
        _refused(_forge(tmp_path / f"no-{field}.gcb", m), "corrupt")
    _refused(_forge(tmp_path / "seq0.gcb", _manifest(seq=0)), "corrupt")
    _refused(_forge(tmp_path / "seqstr.gcb", _manifest(seq="1")), "corrupt")


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

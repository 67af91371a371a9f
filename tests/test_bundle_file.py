"""The bundle file's envelope: round trip, and every refusal a real malformed file produces (magic, manifest,
signature, truncation, keys). Its contents: tests/test_bundle_contents.py; the forging: tests/bundle_helpers.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest

from storage.core.i18n import set_language
from storage.sync import bundle_payload
from storage.sync.bundle_file import BundleError, bundle_file_name, read_manifest
from tests.bundle_helpers import (
    CODE,
    DEVICE,
    OTHER,
    TOWNSHIP,
    Registry,
    _events,
    _forge,
    _manifest,
    _parts,
    _read,
    _refused,
    _variant,
    _write,
)


@pytest.fixture()
def good(tmp_path):
    return _write(tmp_path / "good.gcb").path.read_bytes()


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


def test_a_file_copied_by_mistake_is_named_for_what_it_is(tmp_path):
    """A roster renamed .gcb, a worker's database brought instead of its bundle (walk G, 10): the refusal says what
    the file is and what to do, in the clerk's language; anything else stays 'not a gridcare bundle'."""
    from storage.core.db import open_database

    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    open_database(tmp_path / "w.db").dispose()
    files = {"花名册.gcb": xlsx.getvalue(), "w.gcb": (tmp_path / "w.db").read_bytes(),
             "old.gcb": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "scan.gcb": b"%PDF-1.7\n",
             "notes.gcb": "姓名,身份证\n".encode()}
    said = {}
    set_language("zh_CN")
    try:
        for name, data in files.items():
            with pytest.raises(BundleError) as refused:
                read_manifest(_variant(tmp_path, name, data))
            said[name] = (refused.value.code, refused.value.problem)
    finally:
        set_language("en")
    assert said == {
        "花名册.gcb": ("not_bundle", "这不是 gridcare 数据包，而是 Excel 表格或压缩包（花名册请用“花名册导入”导入）。"),
        "w.gcb": ("not_bundle", "这不是 gridcare 数据包，而是数据库文件：请在它所在的电脑上，在同步页导出数据包，再拷过来。"),
        "old.gcb": ("not_bundle", "这不是 gridcare 数据包，而是旧版 Excel 或 Word 文件。"),
        "scan.gcb": ("not_bundle", "这不是 gridcare 数据包，而是 PDF 文档。"),
        "notes.gcb": ("not_bundle", "这不是 gridcare 数据包。"),
    }


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
    # a worker's bundle names its grid (forged without one, it waited for an approval no command could give)
    _refused(_forge(tmp_path / "nogrid.gcb", _manifest(grid_code="")), "corrupt")
    _refused(_forge(tmp_path / "nullgrid.gcb", _manifest(grid_code=None)), "corrupt")
    _refused(_forge(tmp_path / "tgrid.gcb", _manifest(kind="township", grid_code=None)), "corrupt")

"""Writing and forging bundle files for tests/test_bundle_file.py and tests/test_bundle_contents.py.

`_forge` writes bundles from scratch following docs/bundle-format.md (not through write_bundle), so the
document is exercised as much as the writer, and files a correct writer would never produce can be made.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json

import pytest

from storage.core.keys import generate_keypair
from storage.sync.bundle_file import BundleError, read_bundle, write_bundle

TOWNSHIP = generate_keypair()
DEVICE = generate_keypair()
OTHER = generate_keypair()
CODE = "330521101"


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


def _variant(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _parts(data: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    magic, manifest, sig, payload = data.split(b"\n", 3)
    return magic, manifest, sig, payload


# ---------------------------------------------------------------- round trip


class Registry:
    """Trust on first use, as the merge does it: the first key seen for a device is the device's key."""

    def __init__(self):
        self.keys: dict[str, str] = {}

    def __call__(self, manifest):
        known = self.keys.setdefault(manifest["device_id"], manifest["sign_public"])
        if known != manifest["sign_public"]:
            raise BundleError("untrusted_signer", f"{manifest['device_id']}: signed by another key")

"""One bundle file: write it, and read it back only if every check passes.

Layout (docs/bundle-format.md):

    GRIDCARE-BUNDLE 1\\n
    <manifest: one line of JSON, UTF-8>\\n
    <Ed25519 signature of the manifest line, base64>\\n
    <age ciphertext of gzip(JSON Lines of change events)>

The manifest carries the payload's size and SHA-256, so the signature covers
the whole file. Nothing is returned until everything has been verified.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.errors import UserError
from storage.i18n import _

MAGIC = b"GRIDCARE-BUNDLE "
FORMAT_VERSION = 1
SUFFIX = ".gcb"
MAX_MANIFEST = 64 * 1024
MAX_EVENT_LINE = 1024 * 1024
MAX_PLAINTEXT = 2 * 1024**3
MAX_DEPTH = 20
REQUIRED = {"id": str, "record_type": str, "record_id": str, "fields": dict, "hlc": int, "device_id": str}


class BundleError(UserError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class BundleInfo:
    path: Path
    manifest: dict[str, Any]
    size: int


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def bundle_file_name(kind: str, township_code: str, grid_code: str | None, worker: str, device_id: str, seq: int,
                     created: dt.datetime) -> str:
    """Whose it is and which number: gridcare-330521101-G01-王芳-3f2a9c1e-0007-20261124.gcb"""
    who = worker if kind == "worker" else "township"
    parts = ["gridcare", township_code, grid_code or "all", who, device_id[:8], f"{seq:04d}", f"{created:%Y%m%d}"]
    name = "-".join(re.sub(r'[\\/:*?"<>|\s]+', "_", str(p)).strip("._") or "_" for p in parts)
    return name + SUFFIX


def write_bundle(path: Path, manifest: dict[str, Any], events: Iterable[dict[str, Any]], recipient_age: str,
                 sign_secret: str) -> BundleInfo:
    import pyrage

    from storage.files import atomic_writer
    from storage.keys import sign

    plain = io.BytesIO()
    count = 0
    with gzip.GzipFile(fileobj=plain, mode="wb", mtime=0) as gz:
        for ev in events:
            gz.write(_dumps(ev) + b"\n")
            count += 1
    try:
        recipient = pyrage.x25519.Recipient.from_str(recipient_age)
    except pyrage.RecipientError:
        raise UserError(_("The recipient's public key is damaged; set the township key again.")) from None
    ciphertext = pyrage.encrypt(plain.getvalue(), [recipient])
    manifest = {
        **manifest,
        "format_version": FORMAT_VERSION,
        "payload_sha256": hashlib.sha256(ciphertext).hexdigest(),
        "payload_size": len(ciphertext),
        "counts": {**manifest.get("counts", {}), "events": count},
    }
    line = _dumps(manifest)
    signature = base64.b64encode(sign(sign_secret, line))
    path = Path(path)
    with atomic_writer(path) as fh:
        fh.write(MAGIC + str(FORMAT_VERSION).encode() + b"\n" + line + b"\n" + signature + b"\n")
        fh.write(ciphertext)
    return BundleInfo(path, manifest, path.stat().st_size)


def _fail(code: str, message: str, path: Path) -> BundleError:
    return BundleError(code, _("{file}: {problem}").format(file=path.name, problem=message))


def _head(path: Path) -> tuple[dict[str, Any], bytes, bytes, int]:
    """(manifest, manifest line, signature, offset of the payload) — or BundleError."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(MAX_MANIFEST * 2)
    except FileNotFoundError:
        raise _fail("missing", _("no such file."), path) from None
    except OSError as exc:
        raise _fail("unreadable", _("cannot be read ({error}).").format(error=exc.strerror), path) from None
    if size == 0:
        raise _fail("empty", _("the file is empty (a failed copy?)."), path)
    if not head.startswith(MAGIC):
        raise _fail("not_bundle", _("this is not a gridcare bundle."), path)
    lines = head.split(b"\n", 3)
    if len(lines) < 4:
        raise _fail("truncated", _("the file is cut short (an unfinished copy?)."), path)
    version_text, manifest_line, signature_line = lines[0][len(MAGIC):], lines[1], lines[2]
    if version_text != str(FORMAT_VERSION).encode():
        shown = version_text[:10].decode("ascii", "replace")
        raise _fail("unknown_version", _("format version {version} is unknown to this gridcare: update gridcare.").format(version=shown), path)
    try:
        manifest = json.loads(manifest_line.decode("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError
        signature = base64.b64decode(signature_line, validate=True)
    except (ValueError, UnicodeDecodeError):
        raise _fail("corrupt", _("the file is damaged (its header cannot be read)."), path) from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _fail("unknown_version", _("format version {version} is unknown to this gridcare: update gridcare.").format(
            version=manifest.get("format_version")), path)
    offset = len(lines[0]) + len(manifest_line) + len(signature_line) + 3
    return manifest, manifest_line, signature, offset


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest, unverified and without decrypting: for listing a folder."""
    return _head(Path(path))[0]


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()] or [level])
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value] or [level])
    return level


def _parse_events(plain: bytes, path: Path, expected: int | None) -> list[dict[str, Any]]:
    events = []
    for n, line in enumerate(plain.split(b"\n"), start=1):
        if not line:
            continue
        bad = _fail("bad_event", _("record {n} inside the bundle is malformed.").format(n=n), path)
        if len(line) > MAX_EVENT_LINE:
            raise bad
        try:
            ev = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise bad from None
        # counting brackets is cheap and bounds the depth; walk the object only when it could be deep
        if not isinstance(ev, dict) or (line.count(b"{") + line.count(b"[") > MAX_DEPTH and _depth(ev) > MAX_DEPTH):
            raise bad
        for key, kind in REQUIRED.items():
            if not isinstance(ev.get(key), kind) or (kind is int and isinstance(ev.get(key), bool)):
                raise bad
        events.append(ev)
        if expected is not None and len(events) > expected:
            raise _fail("bad_event", _("the bundle holds more records than its manifest says."), path)
    if expected is not None and len(events) != expected:
        raise _fail("bad_event", _("the bundle holds {found} records, its manifest says {expected}.").format(
            found=len(events), expected=expected), path)
    return events


def read_bundle(path: Path, age_secrets: list[str], expected_township: str | None,
                check_signer: Callable[[dict[str, Any]], None] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    import pyrage

    from storage.keys import verify

    path = Path(path)
    manifest, manifest_line, signature, offset = _head(path)
    sign_public = manifest.get("sign_public")
    if not isinstance(sign_public, str) or not verify(sign_public, signature, manifest_line):
        raise _fail("bad_signature", _("the signature does not match: the file was altered or damaged."), path)
    if expected_township is not None and manifest.get("township_code") != expected_township:
        raise _fail("wrong_township", _("this bundle is for township {found}, not this one ({expected}).").format(
            found=manifest.get("township_code"), expected=expected_township), path)
    if check_signer is not None:
        check_signer(manifest)
    size = path.stat().st_size - offset
    declared = manifest.get("payload_size")
    if not isinstance(declared, int) or size < declared:
        raise _fail("truncated", _("the file is cut short (an unfinished copy?)."), path)
    if size > declared:
        raise _fail("altered", _("the file has extra bytes: it was altered or damaged."), path)
    with path.open("rb") as fh:
        fh.seek(offset)
        ciphertext = fh.read()
    if hashlib.sha256(ciphertext).hexdigest() != manifest.get("payload_sha256"):
        raise _fail("altered", _("the contents do not match the signed checksum: the file was altered or damaged."), path)
    try:
        identities = [pyrage.x25519.Identity.from_str(s) for s in age_secrets if s]
    except pyrage.IdentityError:
        raise UserError(_("This database's private key is damaged.")) from None
    try:
        compressed = pyrage.decrypt(ciphertext, identities)
    except pyrage.DecryptError as exc:
        if "No matching keys" in str(exc):
            raise _fail("wrong_key", _("this bundle is encrypted for another township or device."), path) from None
        raise _fail("corrupt", _("the encrypted contents are damaged."), path) from None
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as gz:
            plain = gz.read(MAX_PLAINTEXT + 1)
    except (OSError, EOFError, zlib.error):
        raise _fail("corrupt", _("the contents are damaged (cannot be unpacked)."), path) from None
    if len(plain) > MAX_PLAINTEXT:
        raise _fail("corrupt", _("the contents are too large to be a bundle."), path)
    counts = manifest.get("counts") if isinstance(manifest.get("counts"), dict) else {}
    expected = counts.get("events") if isinstance(counts.get("events"), int) else None
    return manifest, _parse_events(plain, path, expected)


def default_out_dir() -> Path:
    return Path(os.path.expanduser("~"))

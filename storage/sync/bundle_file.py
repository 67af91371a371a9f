"""One bundle file: write it, and read it back only if every check passes.

Layout (docs/bundle-format.md):

    GRIDCARE-BUNDLE 1\\n
    <manifest: one line of JSON, UTF-8>\\n
    <Ed25519 signature of the manifest line, base64>\\n
    <age ciphertext of gzip(JSON Lines of change events)>

The manifest carries the payload's size and SHA-256, so the signature covers
the whole file. Nothing is returned until everything has been verified; a file
that fails a check raises BundleError, whose `code` says which check.
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from storage.core.errors import UserError
from storage.core.files import atomic_writer
from storage.core.i18n import N_, _
from storage.core.keys import public_of, sign, verify
from storage.core.text import printable, unstorable

MAGIC = b"GRIDCARE-BUNDLE "
FORMAT_VERSION = 1
SUFFIX = ".gcb"
KINDS = ("worker", "township", "to_county")  # worker -> township, township -> grid, township -> county
MAX_HEADER = 64 * 1024  # magic + manifest + signature lines
MAX_PAYLOAD = 1024**3  # ciphertext (read a block at a time: storage/sync/bundle_payload.py)
MAX_INT = 2**63 - 1  # what SQLite's INTEGER holds
_BAD_NAME_CHARS = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


class BundleError(UserError):
    """A bundle refused. `code` is stable (see docs/bundle-format.md); str() is translated and names the file;
    `problem` is the same reason without the file's name (what is remembered of a refused bundle)."""

    def __init__(self, code: str, message: str, problem: str = ""):
        super().__init__(message)
        self.code = code
        self.problem = problem or message


@dataclass(frozen=True)
class BundleInfo:
    path: Path
    manifest: dict[str, Any]
    size: int


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _fail(code: str, problem: str, path: Path) -> BundleError:
    return BundleError(code, _("{file}: {problem}").format(file=printable(path.name), problem=problem), problem)


def bundle_file_name(kind: str, township_code: str, grid_code: str | None, worker: str, device_id: str, seq: int,
                     created: dt.datetime) -> str:
    """Whose it is and which number: gridcare-330521101-G01-王芳-3f2a9c1e-0007-20261124.gcb

    Characters Windows refuses in a file name (and spaces) become '_'; Chinese is kept.
    """
    who = worker if kind == "worker" else "township"
    parts = ["gridcare", township_code, grid_code or "all", who, device_id[:8], f"{seq:04d}", f"{created:%Y%m%d}"]
    if kind == "to_county":  # gridcare-330521101-county-3f2a9c1e-0007-20261124.gcb
        parts = ["gridcare", township_code, "county", device_id[:8], f"{seq:04d}", f"{created:%Y%m%d}"]
    name = "-".join(_BAD_NAME_CHARS.sub("_", str(p)).strip("._ ")[:40] or "_" for p in parts)
    return name + SUFFIX


# ---------------------------------------------------------------- writing


def write_bundle(path: Path, manifest: dict[str, Any], events: Iterable[dict[str, Any]], recipient_age: str | list[str],
                 sign_secret: str) -> BundleInfo:
    """Encrypt the events to `recipient_age` (one age recipient, or several: a grid's enrolled
    devices), sign the manifest, write the file atomically (owner-only).

    The caller's manifest gives who and which (kind, township_code, grid_code, device_id, worker, seq, full,
    schema_version, counts, age_recipient, sign_public, created_at); this adds format_version, counts.events,
    payload_sha256 and payload_size. Returns the manifest as written and the file's size.
    """
    import pyrage  # deferred: the crypto libraries load when a bundle is written or read

    compressed = io.BytesIO()
    count = 0
    with gzip.GzipFile(fileobj=compressed, mode="wb", mtime=0) as gz:
        for ev in events:
            gz.write(_dumps(ev) + b"\n")
            count += 1
    wanted = [recipient_age] if isinstance(recipient_age, str) else list(recipient_age)
    try:
        recipients = [pyrage.x25519.Recipient.from_str(r) for r in wanted]
    except pyrage.RecipientError:
        raise UserError(_("The recipient's public key is damaged; set the township key again.")) from None
    if not recipients:
        raise ValueError("a bundle needs at least one recipient")
    try:
        signer_public = public_of(sign_secret)
    except ValueError:
        raise UserError(_("This database's signing key is damaged.")) from None
    ciphertext = pyrage.encrypt(compressed.getvalue(), recipients)
    del compressed
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    manifest = {
        "full": False,
        "created_at": now,
        "sign_public": signer_public,
        **manifest,
        "format_version": FORMAT_VERSION,
        "payload_sha256": hashlib.sha256(ciphertext).hexdigest(),
        "payload_size": len(ciphertext),
        "counts": {**(manifest.get("counts") or {}), "events": count},
    }
    if manifest["sign_public"] != signer_public:
        raise ValueError("manifest sign_public does not belong to sign_secret")
    problem = _manifest_problem(manifest)
    if problem:
        raise ValueError(f"manifest refused by its own reader: {problem}")
    line = _dumps(manifest)
    if len(line) > MAX_HEADER // 2:
        raise ValueError("manifest too large")
    signature = base64.b64encode(sign(sign_secret, line))
    path = Path(path)
    with atomic_writer(path) as fh:
        fh.write(MAGIC + str(FORMAT_VERSION).encode() + b"\n" + line + b"\n" + signature + b"\n")
        fh.write(ciphertext)
    return BundleInfo(path, manifest, path.stat().st_size)


# ---------------------------------------------------------------- the header


def _manifest_problem(m: dict[str, Any]) -> str | None:
    """Which required manifest field is missing or of the wrong type (English, for logs), or None."""

    def is_int(v: Any, low: int = 0) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and low <= v <= MAX_INT

    checks = {
        "kind": m.get("kind") in KINDS,
        "township_code": isinstance(m.get("township_code"), str) and m.get("township_code") != "",
        # a worker's bundle and a township's to a grid are of one grid: a forged one naming none waited for an
        # approval whose command ended "--grid " (h-hostile)
        "grid_code": (isinstance(m.get("grid_code"), str) and m.get("grid_code") != "") if m.get("kind") != "to_county"
        else m.get("grid_code") is None or isinstance(m.get("grid_code"), str),
        "device_id": isinstance(m.get("device_id"), str) and m.get("device_id") != "",
        "worker": isinstance(m.get("worker", ""), str),
        "seq": is_int(m.get("seq"), 1),
        "full": isinstance(m.get("full"), bool),
        "schema_version": "schema_version" not in m or is_int(m["schema_version"]),
        "age_recipient": isinstance(m.get("age_recipient"), str),
        "sign_public": isinstance(m.get("sign_public"), str),
        "created_at": isinstance(m.get("created_at"), str),
        "counts": isinstance(m.get("counts"), dict) and all(is_int(v) for v in m["counts"].values()),
        "payload_sha256": isinstance(m.get("payload_sha256"), str)
        and re.fullmatch(r"[0-9a-f]{64}", m["payload_sha256"]) is not None,
        "payload_size": is_int(m.get("payload_size")),
        # a bundle to a county names it: a county merges only its own townships' bundles
        "county_code": m.get("kind") != "to_county" or (isinstance(m.get("county_code"), str)
                                                        and re.fullmatch(r"[0-9]{6}", m["county_code"]) is not None),
        "enroll_proof": "enroll_proof" not in m or isinstance(m["enroll_proof"], str),
        # kept in the receiver's database (a waiting device's worker name...), whose engine may refuse NUL
        # (PostgreSQL) or half a character (UTF-8); json.loads gives both from an escape
        "text": not any(type(v) is str and unstorable(v) for v in m.values()),
    }
    bad = [name for name, ok in checks.items() if not ok]
    return ", ".join(bad) or None


def _unknown_version(version: Any, path: Path) -> BundleError:
    shown = str(version)[:12]
    return _fail("unknown_version", _("unknown format version {version}: update gridcare.").format(version=shown), path)


def _truncated(path: Path) -> BundleError:
    return _fail("truncated", _("the file is cut short (an unfinished copy?)."), path)


# what a file that is no bundle is, by its first bytes: what a clerk copies by mistake (walk G, 10: a roster renamed
# .gcb, a worker's database instead of its bundle), said so that they know what to do instead
_LOOKS_LIKE = (
    (b"SQLite format 3\x00", N_("this is not a gridcare bundle but a database: on the laptop it comes from, export a "
                               "bundle on the Sync screen and bring that.")),
    (b"PK\x03\x04", N_("this is not a gridcare bundle but an Excel workbook or a ZIP file (a roster goes in through "
                      "Roster import).")),
    (b"\xd0\xcf\x11\xe0", N_("this is not a gridcare bundle but an older Excel or Word file.")),
    (b"%PDF", N_("this is not a gridcare bundle but a PDF document.")),
)


def _looks_like(head: bytes) -> str:
    return next((what for start, what in _LOOKS_LIKE if head.startswith(start)), N_("this is not a gridcare bundle."))


def _head(path: Path) -> tuple[dict[str, Any], bytes, bytes, int, int]:
    """(manifest, manifest line, signature line, offset of the payload, file size) — or BundleError.

    Checks the magic line, that the manifest is a JSON object and its format version; not the signature.
    """
    if path.exists() and not path.is_file():  # a folder, or a named pipe whose opening would wait for ever
        raise _fail("not_bundle", _("this is not a gridcare bundle."), path)
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(MAX_HEADER)
    except FileNotFoundError:
        raise _fail("missing", _("no such file."), path) from None
    except IsADirectoryError:
        raise _fail("not_bundle", _("this is not a gridcare bundle."), path) from None
    except OSError as exc:
        raise _fail("unreadable", _("cannot be read ({error}).").format(error=exc.strerror or exc), path) from None
    if size == 0 or not head:
        raise _fail("empty", _("the file is empty (a failed copy?)."), path)
    if not head.startswith(MAGIC):
        if MAGIC.startswith(head):
            raise _truncated(path)
        raise _fail("not_bundle", _(_looks_like(head)), path)
    lines = head.split(b"\n", 3)
    version_text = lines[0][len(MAGIC):]
    if len(lines) > 1 and version_text != str(FORMAT_VERSION).encode():
        if re.fullmatch(rb"[0-9]{1,9}", version_text):
            raise _unknown_version(version_text.decode(), path)
        raise _fail("not_bundle", _("this is not a gridcare bundle."), path)
    if len(lines) < 4:
        if len(head) >= MAX_HEADER:
            raise _fail("corrupt", _("the file is damaged (its header cannot be read)."), path)
        raise _truncated(path)
    manifest_line, signature_line = lines[1], lines[2]
    try:
        manifest = json.loads(manifest_line.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _fail("corrupt", _("the file is damaged (its header cannot be read)."), path) from None
    if not isinstance(manifest, dict):
        raise _fail("corrupt", _("the file is damaged (its header cannot be read)."), path)
    version = manifest.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise _unknown_version(version, path)
    offset = len(lines[0]) + len(manifest_line) + len(signature_line) + 3
    return manifest, manifest_line, signature_line, offset, size


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest, unverified and without decrypting: for listing a folder. BundleError if unreadable."""
    path = Path(path)
    manifest = _head(path)[0]
    if _manifest_problem(manifest):
        raise _fail("corrupt", _("the file is damaged (its header is incomplete)."), path)
    return manifest


def _signed_head(path: Path) -> tuple[dict[str, Any], int, int]:
    """(manifest, offset of the payload, file size) once checks 1-8 pass: header, signature, manifest fields."""

    manifest, manifest_line, signature_line, offset, size = _head(path)
    try:
        signature = base64.b64decode(signature_line, validate=True)
    except ValueError:
        signature = b""
    sign_public = manifest.get("sign_public")
    if len(signature) != 64 or not isinstance(sign_public, str) or not verify(sign_public, signature, manifest_line):
        raise _fail("bad_signature", _("the signature does not match: the file was altered or damaged."), path)
    if _manifest_problem(manifest):
        raise _fail("corrupt", _("the file is damaged (its header is incomplete)."), path)
    return manifest, offset, size


def _check_payload(path: Path, manifest: dict[str, Any], offset: int, size: int) -> None:
    """Checks 11-12 and the size cap: the ciphertext is as long as signed (its checksum is checked as it is read)."""
    declared = manifest["payload_size"]
    if size - offset < declared:
        raise _truncated(path)
    if size - offset > declared:
        raise _fail("altered", _("the file has extra bytes: it was altered or damaged."), path)
    if declared > MAX_PAYLOAD:
        raise _fail("corrupt", _("the contents are too large to be a bundle."), path)


def verify_file(path: Path) -> dict[str, Any]:
    """The manifest of a file that is whole and as signed (checks 1-8, 11-13), without decrypting it: what a
    bundle merged before must pass to be skipped as such (a damaged copy is reported as damaged, issue #12)."""
    from storage.sync.bundle_payload import hash_payload

    path = Path(path)
    manifest, offset, size = _signed_head(path)
    _check_payload(path, manifest, offset, size)
    if hash_payload(path, offset, manifest["payload_size"]) != manifest["payload_sha256"]:
        raise altered(path)
    return manifest


def altered(path: Path) -> BundleError:
    return _fail("altered", _("the contents do not match the signed checksum: the file was altered or damaged."), path)


# ---------------------------------------------------------------- reading


def read_bundle(path: Path, age_secrets: list[str], expected_township: str | None,
                check_signer: Callable[[dict[str, Any]], None] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(manifest, events) once every check has passed: `open_bundle` with its events in a list."""
    manifest, events = open_bundle(path, age_secrets, expected_township, check_signer)
    return manifest, list(events)


def open_bundle(path: Path, age_secrets: list[str], expected_township: str | None,
                check_signer: Callable[[dict[str, Any]], None] | None = None,
                reader_grid: str | None = None) -> tuple[dict[str, Any], EventStream]:
    """(manifest, events as they are read) once checks 1-14 have passed, in this order: magic and manifest,
    format version, signature (by the manifest's sign_public), manifest fields, township,
    `check_signer(manifest)` (which raises BundleError to refuse), payload size, its SHA-256 and
    decryption (one reading of the file; `reader_grid`, a worker database's own grid, words its refusal). Checks 15-17 run as the events are iterated: each line as it
    comes, their number at the end, each raising BundleError (storage/sync/bundle_payload.py). A merge
    writes them a chunk at a time under one savepoint that a BundleError rolls back.
    """
    # deferred: bundle_payload imports this module (and the crypto libraries load when a bundle is read)
    from storage.sync.bundle_payload import decrypt_payload, lines, parse_events, plaintext_limit

    path = Path(path)
    manifest, offset = _before_payload(path, expected_township, check_signer)
    member = decrypt_payload(path, manifest, offset, age_secrets, reader_grid)
    events = parse_events(lines(member, path, plaintext_limit(manifest)), path, manifest["counts"].get("events"))
    return manifest, EventStream(events, member)


def check_bundle(path: Path, age_secrets: list[str], expected_township: str | None,
                 check_signer: Callable[[dict[str, Any]], None] | None = None,
                 reader_grid: str | None = None) -> dict[str, Any]:
    """The manifest once `open_bundle`'s checks up to the decryption have passed, in its order and with its
    BundleErrors, without unpacking anything: what a merge would refuse the file for before reading its
    events (the Sync screen's list of a folder says it before merging; storage/sync/verdict.py)."""
    from storage.sync.bundle_payload import key_opens

    path = Path(path)
    manifest, offset = _before_payload(path, expected_township, check_signer)
    key_opens(path, manifest, offset, age_secrets, reader_grid)
    return manifest


def _before_payload(path: Path, expected_township: str | None,
                    check_signer: Callable[[dict[str, Any]], None] | None) -> tuple[dict[str, Any], int]:
    """(manifest, offset of the payload) once checks 1-10 and the payload's size have passed."""
    manifest, offset, size = _signed_head(path)
    if expected_township is not None and manifest["township_code"] != expected_township:
        raise _fail("wrong_township", _("this bundle is for township {found}, not this one ({expected}).").format(
            found=printable(manifest["township_code"], limit=20), expected=expected_township), path)
    if check_signer is not None:
        check_signer(manifest)
    _check_payload(path, manifest, offset, size)
    return manifest, offset


class EventStream(Iterator[dict[str, Any]]):
    """A bundle's events as they are read; `close()` (or reading them all) lets go of the decrypted payload."""

    def __init__(self, events: Iterator[dict[str, Any]], member: IO[bytes]):
        self._events, self._member = events, member

    def __next__(self) -> dict[str, Any]:
        try:
            return next(self._events)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._events.close()  # type: ignore[attr-defined]
        self._member.close()

"""A bundle's payload: decrypted while its signed checksum is checked, then unpacked a line at a time.

Nothing here holds a whole bundle (issue #19, item 5). The ciphertext is read from the file
once, a block at a time, through a reader that hashes and counts it, into age's streaming
decryption; the gzip member it gives is kept in a spooled file (memory up to SPOOL_MEMORY,
an owner-only temporary file beyond), and is only unpacked once the file proved whole and
as signed. Its lines are then inflated a CHUNK at a time and each is parsed as it comes.

What a payload may unpack to is bounded before it is unpacked (docs/bundle-format.md, check 15):
- no more than its declared events could need: `counts.events` lines of at most MAX_EVENT_LINE,
  plus MAX_BLANK bytes of blank lines (writers write none; readers have always skipped them);
- no more than MAX_RATIO times the ciphertext (honest bundles unpack to about 10 times): a few
  megabytes that unpack to gigabytes are refused after MAX_RATIO times their size, not at the end.
Identical consecutive lines are parsed once and counted (the merge keeps the first event of an
id), so a bundle repeating one event millions of times costs a comparison per line.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.text import printable
from storage.sync.bundle_file import BundleError, _fail, _truncated, altered

CHUNK = 1024 * 1024  # bytes read, inflated, split at a time
MAX_EVENT_LINE = 1024 * 1024
MAX_PLAINTEXT = 2 * 1024**3  # whatever the counts say
MAX_RATIO = 200  # unpacked bytes per byte of ciphertext
MAX_BLANK = 64 * 1024  # bytes of blank lines
MAX_DEPTH = 20
SPOOL_MEMORY = 16 * 1024 * 1024  # a decrypted payload up to this stays in memory


class _Hashing(io.RawIOBase):
    """The ciphertext as age reads it: hashed and counted on the way, and never past its end."""

    def __init__(self, fh: io.BufferedIOBase, size: int):
        self.fh, self.left, self.sha = fh, size, hashlib.sha256()
        self.read_error: OSError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")[: self.left]
        try:
            n = self.fh.readinto(view) or 0
        except OSError as exc:  # the disk's error, not the file's: said as such
            self.read_error = exc
            raise
        self.sha.update(view[:n])
        self.left -= n
        return n

    def drain(self) -> None:
        """Read (and hash) what age did not: a damaged file's checksum says it was altered."""
        block = bytearray(CHUNK)
        while self.left > 0 and self.readinto(block):
            pass


def plaintext_limit(manifest: dict[str, Any]) -> int:
    """The most bytes the payload may unpack to (see the module's doc)."""
    events = manifest["counts"].get("events")  # every writer gives it; without it, only the other bounds
    by_counts = MAX_PLAINTEXT if events is None else events * (MAX_EVENT_LINE + 1) + MAX_BLANK
    return min(MAX_PLAINTEXT, by_counts, MAX_RATIO * manifest["payload_size"] + MAX_BLANK)


def hash_payload(path: Path, offset: int, size: int) -> str:
    """SHA-256 of the file's bytes from `offset`, exactly `size` of them (checks 11-13 call this)."""
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            reader = _Hashing(fh, size)
            reader.drain()
            extra = fh.read(1)
    except OSError as exc:
        raise _fail("unreadable", _("cannot be read ({error}).").format(error=exc.strerror or exc), path) from None
    if reader.left:  # the file changed since it was measured
        raise _truncated(path)
    if extra:
        raise _fail("altered", _("the file has extra bytes: it was altered or damaged."), path)
    return reader.sha.hexdigest()


def decrypt_payload(path: Path, manifest: dict[str, Any], offset: int, age_secrets: list[str],
                    reader_grid: str | None = None) -> IO[bytes]:
    """The decrypted payload (a gzip member) in a spooled file at its start, once the ciphertext read
    for it proved to be the signed one: checks 13 and 14, in one reading of the file. `reader_grid`: the grid of
    the worker database reading it, which words a refusal (_undecrypted)."""
    import pyrage

    identities = _identities(age_secrets)
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - the caller closes it
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            reader = _Hashing(fh, manifest["payload_size"])
            failure = None
            try:
                pyrage.decrypt_io(reader, out, identities)
            except (pyrage.DecryptError, OSError) as exc:
                if reader.read_error is not None:
                    raise
                failure = exc
                reader.drain()
            extra = fh.read(1)
    except OSError as exc:
        out.close()
        raise _fail("unreadable", _("cannot be read ({error}).").format(error=exc.strerror or exc), path) from None
    except BaseException:
        out.close()
        raise
    if reader.left or extra or reader.sha.hexdigest() != manifest["payload_sha256"]:
        out.close()
        if reader.left:
            raise _truncated(path)
        raise altered(path)
    if failure is not None:
        out.close()
        raise _undecrypted(failure, path, manifest, reader_grid)
    out.seek(0)
    return out


def _identities(age_secrets: list[str]) -> list[Any]:
    import pyrage

    try:
        return [pyrage.x25519.Identity.from_str(s) for s in age_secrets if s]
    except pyrage.IdentityError:
        raise UserError(_("This database's private key is damaged.")) from None


def _undecrypted(failure: BaseException, path: Path, manifest: dict[str, Any], reader_grid: str | None) -> BundleError:
    if "No matching keys" in str(failure):
        grid = manifest.get("grid_code")
        if manifest.get("kind") == "township" and isinstance(grid, str) and grid:
            if grid == reader_grid:
                # this grid's own laptop, left out of the recipients: the township wrote the bundle before this
                # laptop's first bundle enrolled it, or after revoking it (walk h-walk, 2: told to merge it "there")
                return _fail("wrong_key", _("this is the township's bundle for this grid ({grid}), but it was not "
                                            "encrypted for this laptop: the township wrote it before it had merged a "
                                            "bundle from here, or this laptop was revoked. Export a bundle for the "
                                            "township first, then merge the next one it sends.").format(
                    grid=printable(grid.split("-", 1)[-1], limit=20)), path)
            # the signed manifest says whose it is: another grid's copy taken from the shared stick (walk G, 10)
            return _fail("wrong_key", _("this is the township's bundle for grid {grid}, encrypted for that grid's "
                                        "laptop: merge it there.").format(grid=printable(grid.split("-", 1)[-1],
                                                                                       limit=20)), path)
        return _fail("wrong_key", _("this bundle is encrypted for another township or device."), path)
    return _fail("corrupt", _("the encrypted contents are damaged."), path)


class _Opened(Exception):
    """The first decrypted bytes came: one of the keys opens the payload."""


class _Stop(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise _Opened


def key_opens(path: Path, manifest: dict[str, Any], offset: int, age_secrets: list[str],
              reader_grid: str | None = None) -> None:
    """Checks 13 and 14 as decrypt_payload makes them, with its BundleErrors, without keeping or unpacking
    anything: the ciphertext is the signed one, and one of these keys unwraps its file key and decrypts
    its first block (age names no recipient in the header: trying is the only way to know)."""
    import pyrage

    identities = _identities(age_secrets)
    if hash_payload(path, offset, manifest["payload_size"]) != manifest["payload_sha256"]:
        raise altered(path)
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            pyrage.decrypt_io(_Hashing(fh, manifest["payload_size"]), _Stop(), identities)
    except _Opened:
        return
    except pyrage.DecryptError as exc:
        raise _undecrypted(exc, path, manifest, reader_grid) from None
    except OSError as exc:
        raise _fail("unreadable", _("cannot be read ({error}).").format(error=exc.strerror or exc), path) from None


def lines(member: IO[bytes], path: Path, limit: int) -> Iterator[bytes]:
    """The gzip member's lines, inflated a chunk at a time; refuses more than `limit` bytes, or more than
    MAX_BLANK bytes of blank lines, as soon as it is passed."""
    damaged = _fail("corrupt", _("the contents are damaged (cannot be unpacked)."), path)
    too_large = _fail("corrupt", _("the contents unpack to more than this bundle could hold."), path)
    too_long = _fail("bad_event", _("a record inside the bundle is too large."), path)
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip wrapper, checks CRC and length
    data, total, blank, pending, read_all = b"", 0, 0, b"", False
    while True:
        if not data and not read_all:
            data = member.read(CHUNK)
            read_all = not data
        try:
            chunk = inflater.decompress(data, CHUNK)
        except zlib.error:
            raise damaged from None
        data = inflater.unconsumed_tail
        total += len(chunk)
        parts = (pending + chunk).split(b"\n")
        pending = parts.pop()
        for part in parts:
            if not part or part.isspace():
                blank += len(part) + 1
                if blank > MAX_BLANK:
                    raise too_large
                continue
            if len(part) > MAX_EVENT_LINE:
                raise too_long
            yield part
        if len(pending) > MAX_EVENT_LINE:
            raise too_long
        if total > limit:
            raise too_large
        if inflater.eof:
            break
        if not chunk and not data and read_all:
            raise damaged  # the gzip stream stops early
    if inflater.unused_data or member.read(1):
        raise damaged
    if pending and not pending.isspace():
        yield pending


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()] or [level])
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value] or [level])
    return level


def event_of(line: bytes) -> dict[str, Any] | None:
    """The event a line holds, if it is one (docs/bundle-format.md, "Change event"); else None."""
    if len(line) > MAX_EVENT_LINE:
        return None
    from storage.sync.event_line import DECODER

    try:
        ev = DECODER.decode(line)  # checks the required keys and their types too
    except (ValueError, RecursionError):  # msgspec.DecodeError and ValidationError are ValueErrors
        return None
    # counting brackets is cheap and bounds the depth; walk the object only when it could be deep
    if line.count(b"{") + line.count(b"[") > MAX_DEPTH and _depth(ev) > MAX_DEPTH:
        return None
    return cast(dict[str, Any], ev)  # (msgspec decodes a TypedDict to a plain dict)


def parse_events(lines: Iterable[bytes], path: Path, expected: int | None) -> Iterator[dict[str, Any]]:
    """Each event as its line is read, checked for its shape; their number against the manifest's at the end.

    A line identical to the one before it gives the same event object again, unparsed: the merge
    keeps an id's first event, so a repeated line is counted and costs nothing more.
    """
    count, previous, ev = 0, None, None
    for n, line in enumerate(lines, start=1):
        if line != previous:
            ev = event_of(line)
            if ev is None:
                raise _fail("bad_event", _("record {n} inside the bundle is malformed.").format(n=n), path)
            previous = line
        count += 1
        if expected is not None and count > expected:
            raise _fail("bad_event", _("the bundle holds more records than its manifest says."), path)
        yield ev  # type: ignore[misc]
    if expected is not None and count != expected:
        raise _fail("bad_event", _("the bundle holds {found} records, its manifest says {expected}.").format(
            found=count, expected=expected), path)

"""The second process of a merge: reads and judges the bundles it is asked for, one at a time, in order.

Run as `python -m storage.sync.reader_child` by storage/sync/reader_process.py, which writes requests to its
standard input and reads the answers from its standard output, each a length-prefixed pickle. What it does
depends on nothing but the file, the keys and the language: the envelope read as the merge reads it
(storage/sync/bundle_file.py), the payload's checksum and decryption, every line parsed, every value judged
(storage/sync/event_checks.py). What it may not do, the merge does itself: who may write, the database.

An answer is one of
- ("inline",): read it yourself (larger than a chunk, or something this process did not expect: the merge
  reading the file itself says it with its own traceback in its own log);
- ("refused", manifest, code, message, problem): the payload refused (size, checksum, decryption);
- ("events_refused", manifest, code, message, problem): a line refused while the events were read;
- ("events", manifest, events, problem or None, cleaned by index, fields' JSON text by index): the events,
  the first value refused, the fields `clean` changed, and each event's fields as the event table stores them.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
from pathlib import Path
from typing import IO, Any

HEADER = struct.Struct("<Q")


def write_frame(out: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(HEADER.pack(len(data)))
    out.write(data)
    out.flush()


def read_frame(inp: IO[bytes]) -> Any:
    """The next frame, or EOFError when the other side has gone."""
    head = inp.read(HEADER.size)
    if len(head) < HEADER.size:
        raise EOFError
    size = HEADER.unpack(head)[0]
    data = inp.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - frames between gridcare's own two processes, never from a file


def _refused(kind: str, manifest: dict[str, Any], exc: Any) -> tuple[Any, ...]:
    return (kind, manifest, exc.code, str(exc), exc.problem)


def read_one(path: str, secrets: list[str], chunk_events: int) -> tuple[Any, ...]:
    """The answer for one bundle (see the module's docstring)."""
    from storage.core.json_text import dumps
    from storage.sync.bundle_file import BundleError, _check_payload, _signed_head
    from storage.sync.bundle_payload import decrypt_payload, lines, parse_events, plaintext_limit
    from storage.sync.event_checks import check_events

    file = Path(path)
    try:
        manifest, offset, size = _signed_head(file)
    except BundleError:
        return ("inline",)  # the merge's own reading refuses it, in its own order of checks
    counted = manifest["counts"].get("events")
    if not isinstance(counted, int) or counted > chunk_events:
        return ("inline",)
    try:
        _check_payload(file, manifest, offset, size)
        member = decrypt_payload(file, manifest, offset, secrets)
    except BundleError as exc:
        return _refused("refused", manifest, exc)
    try:
        events = list(parse_events(lines(member, file, plaintext_limit(manifest)), file, counted))
    except BundleError as exc:
        return _refused("events_refused", manifest, exc)
    finally:
        member.close()
    try:
        cleaned = check_events(events, file.name, 0)
    except BundleError as exc:
        return ("events", manifest, events, (exc.code, str(exc), exc.problem), {}, {})
    at = {id(ev): i for i, ev in enumerate(events)}  # (a repeated line is one object: its last place)
    texts = {i: dumps(events[i]["fields"]) for i in at.values()}
    return ("events", manifest, events, None, {at[key]: fields for key, fields in cleaned.items()}, texts)


def main() -> int:
    import pyrage  # noqa: F401 - all it reads with, loaded before it says it is ready

    from storage.core.i18n import set_language
    from storage.register import field_rules  # noqa: F401
    from storage.sync import bundle_payload, event_checks, event_line  # noqa: F401

    inp = sys.stdin.buffer
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not land in the answers
    write_frame(out, "ready")
    while True:
        try:
            path, secrets, lang, chunk_events = read_frame(inp)
        except EOFError:
            return 0  # the merge is over, or was stopped
        set_language(lang)
        try:
            answer = read_one(path, secrets, chunk_events)
        except Exception:  # noqa: BLE001 - the merge reads the file itself and logs what it meets there
            answer = ("inline",)
        try:
            write_frame(out, answer)
        except (BrokenPipeError, OSError):
            return 0  # the merge stopped reading (killed, or done with what it asked)


if __name__ == "__main__":
    sys.exit(main())

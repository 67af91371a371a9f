"""Bundles read and judged by a second process, one bundle ahead of the merge that writes them.

Reading a bundle (its checksum, decryption, every line parsed) and judging its values took about half of a
township merge, and depend on nothing in the database; a thread cannot take them off the writer (Python's
GIL: bench/RESULTS.md, stop 46), a process on the machine's second core can (storage/sync/reader_child.py).
While the merge writes one worker's bundle, the next one predicted new is read there.

What the merge writes is the same either way: the merge still checks each file's envelope itself, in its
own order, and uses the other process's reading only of the very manifest it checked; anything unexpected
(the file changed meanwhile, a bundle larger than a chunk, the process gone) and the merge reads the file
itself, as without it. `GRIDCARE_READ_AHEAD=0` turns it off.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from storage.core.i18n import current_language
from storage.sync.reader_child import HEADER, write_frame

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)
MIN_FILES = 3  # fewer, and starting the process (~0.3 s of imports) costs more than it saves
WAIT_READY = 0.0  # seconds a merge waits for the process to start (tests: so that it is used however small the merge)
_GONE = object()


def wanted(count: int) -> bool:
    return (count >= MIN_FILES and (os.cpu_count() or 1) >= 2 and bool(sys.executable)
            and os.environ.get("GRIDCARE_READ_AHEAD") != "0")


class ReadAhead:
    """The second process (started once a file worth reading there is met), and which files it was asked for."""

    def __init__(self, secrets: list[str], chunk_events: int) -> None:
        self._secrets, self.chunk_events = secrets, chunk_events
        self._asked: deque[str] = deque()
        self._likely: dict[Path, bool] = {}
        self._frames: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._gone = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None

    def likely_new(self, s: Session, path: Path) -> bool:
        if path not in self._likely:
            self._likely[path] = _likely_new(s, path, self.chunk_events)
        return self._likely[path]

    def start(self) -> None:
        if self._proc is not None or self._gone:
            return
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flashing up on Windows
        # (gridcare run from its source folder, not installed: the child finds the package where this one is)
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        try:
            self._proc = subprocess.Popen([sys.executable, "-m", "storage.sync.reader_child"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, creationflags=flags,
                                          env=env)
        except OSError as exc:
            log.warning("the merge's reading process could not start (%s); the merge reads the files itself", exc)
            self._gone = True
            return
        self._thread = threading.Thread(target=self._receive, name="gridcare-reader", daemon=True)
        self._thread.start()
        if WAIT_READY:
            self._ready.wait(WAIT_READY)

    @property
    def ready(self) -> bool:
        """The process has loaded what it reads with (until then the merge reads every file itself)."""
        return self._ready.is_set() and not self._gone

    def ask(self, path: Path) -> None:
        if not self.ready or self._proc is None or self._proc.stdin is None:
            return
        stdin = self._proc.stdin
        try:
            write_frame(stdin, (str(path.absolute()), self._secrets, current_language(), self.chunk_events))
        except OSError:
            self._gone = True
            return
        self._asked.append(str(path))  # (answered in the order asked)

    def asked(self, path: Path) -> bool:
        return str(path) in self._asked

    def take(self, path: Path) -> tuple[Any, ...] | None:
        """Its answer for `path` (storage/sync/reader_child.py), the ones asked before it dropped unread; None if
        it was not asked, or the process has gone."""
        import pickle

        if str(path) not in self._asked:
            return None
        while self._asked:
            asked = self._asked.popleft()
            frame = self._frames.get()
            if frame is _GONE:
                self._gone = True
                self._asked.clear()
                return None
            if asked == str(path):
                answer: tuple[Any, ...] = pickle.loads(frame)  # noqa: S301 - our own process's answer
                return answer
        return None

    def close(self) -> None:
        """The process told to stop, and waited for (killed if it does not within seconds)."""
        if self._proc is None:
            return
        if self._proc.stdin is not None:
            try:
                self._proc.stdin.close()
            except OSError as exc:
                log.debug("reader's input already closed: %s", exc)
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _receive(self) -> None:
        """Frames as they come, unparsed (their unpickling is the merge's, when it takes one)."""
        proc = self._proc
        if proc is None or proc.stdout is None:
            return
        stdout = proc.stdout
        first = True
        for frame in _frames(stdout):
            if first:
                first = False
                self._ready.set()  # (the first frame says the process has started)
                continue
            self._frames.put(frame)
        if proc.wait() != 0:
            log.warning("the merge's reading process ended with %s; the merge reads the files itself", proc.returncode)
        self._frames.put(_GONE)


def _frames(stdout: IO[bytes]) -> Iterator[bytes]:
    while True:
        head = stdout.read(HEADER.size)
        if len(head) < HEADER.size:
            return
        size = HEADER.unpack(head)[0]
        data = stdout.read(size)
        if len(data) < size:
            return
        yield data


def ask_ahead(ahead: ReadAhead | None, s: Session, files: list[Path], i: int, depth: int = 2) -> None:
    """The files after the i-th that the merge will likely read (not merged before, not larger than a chunk) asked
    for, up to `depth` of them ahead. A guess: a file asked for and then not read costs the other process only."""
    if ahead is None:
        return
    later = [path for path in files[i + 1:i + 1 + depth] if not ahead.asked(path) and ahead.likely_new(s, path)]
    if later:
        ahead.start()  # (once; the files before it is ready are read by the merge itself)
    for path in later:
        ahead.ask(path)


def _likely_new(s: Session, path: Path, chunk_events: int) -> bool:
    from storage.core.models import BundleReceived
    from storage.sync.bundle_file import BundleError, read_manifest

    try:
        m = read_manifest(path)  # (its header only: what the merge itself checks comes later)
    except BundleError:
        return False
    device_id, seq, events = m.get("device_id"), m.get("seq"), m["counts"].get("events")
    if not isinstance(device_id, str) or not isinstance(seq, int) or isinstance(seq, bool):
        return False
    if not isinstance(events, int) or events > chunk_events:
        return False
    seen = s.get(BundleReceived, (device_id, seq))
    return seen is None or seen.payload_sha256 != m.get("payload_sha256")


def for_merge(count: int, secrets: list[str], chunk_events: int) -> ReadAhead | None:
    """The second process of a merge of `count` files, started once needed; None where it is not worth it."""
    return ReadAhead(secrets, chunk_events) if wanted(count) else None

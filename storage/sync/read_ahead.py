"""A bundle's events in chunks, each read and value-checked one chunk ahead of the merge that writes them.

Reading a chunk (inflating, parsing each line) and judging its values (storage/sync/event_checks.py)
depend on nothing in the database. On a server (PostgreSQL), the merge spends much of its time
waiting while the server works through a chunk's COPYs and look-ups; a thread reads and judges the
next chunk meanwhile (the wait releases Python's GIL, and the server is another process). That gains
only where a core is free for it: on a machine already busy, the merge takes about as long
(bench/RESULTS.md, 2026-12-01 evening). On SQLite the writing happens in this process, a row at a time
under the GIL: there the chunks are read in line, as before (a second thread would only contend for it).

What the merge sees is the same either way, in the same order: each chunk with the value problem
found in it (raised by the merge after it has asked who may write the chunk: "written by another
device" says more than the values it forged), and a damaged line or count raised where the chunk
it falls in would have come. At most two chunks are held: the one being written and the next.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from storage.sync.bundle_file import BundleError
from storage.sync.event_checks import check_events


@dataclass
class Chunk:
    events: list[dict[str, Any]]
    before: int  # events of the bundle before this chunk
    problem: BundleError | None  # the first value refused in it: the merge raises it once authorised
    cleaned: dict[int, dict[str, Any]]  # fields `clean` changed, by id() of their event (storage/sync/event_checks.py)


def chunks(events: Iterator[dict[str, Any]], size: int, name: str, *, ahead: bool) -> Generator[Chunk, None, None]:
    """The bundle's events `size` at a time, checked (`ahead`: by a thread, one chunk ahead)."""
    produced = _produce(events, size, name)
    if not ahead:
        yield from produced
        return
    yield from _in_thread(produced)


def _produce(events: Iterator[dict[str, Any]], size: int, name: str) -> Generator[Chunk, None, None]:
    before = 0
    batch: list[dict[str, Any]] = []
    for ev in events:
        batch.append(ev)
        if len(batch) >= size:
            yield _checked(batch, before, name)
            before += len(batch)
            batch = []
    if batch:
        yield _checked(batch, before, name)


def _checked(batch: list[dict[str, Any]], before: int, name: str) -> Chunk:
    try:
        cleaned = check_events(batch, name, before)
    except BundleError as exc:
        return Chunk(batch, before, exc, {})
    return Chunk(batch, before, None, cleaned)


_DONE = object()


def _in_thread(produced: Generator[Chunk, None, None]) -> Generator[Chunk, None, None]:
    """`produced` run by a thread, one chunk ahead; its exception raised here, in order. Leaving early
    (the merge refused the bundle) stops the thread before returning, so the caller may close the file.

    The thread starts reading a chunk only once the merge has taken the one before (`turn`): two chunks
    at most are held, the one being written and the one being read.
    """
    handoff: queue.SimpleQueue[Any] = queue.SimpleQueue()
    turn = threading.Semaphore(1)
    stop = threading.Event()

    def run() -> None:
        try:
            while _wait(turn, stop):
                chunk = next(produced, _DONE)
                handoff.put(chunk)
                if chunk is _DONE:
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the merge, which raises it as the reader would
            handoff.put(exc)
        finally:
            produced.close()

    worker = _reader().submit(run)
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            turn.release()  # read the next one while this one is written
            yield item
    finally:
        stop.set()
        worker.result()  # it stops at its next turn: the file is left alone before the caller closes it


_READER: list[ThreadPoolExecutor] = []


def _reader() -> ThreadPoolExecutor:
    """One thread reads ahead for every bundle of the process, not one per bundle: the C allocator may give
    each new thread an arena of its own that keeps what it once held. (The county's 20 bundles: 275 MiB
    peak with a thread per bundle and three chunks held; 227 MiB with this one thread and two chunks;
    203 MiB reading in line.)"""
    if not _READER:
        _READER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="gridcare-read-ahead"))
    return _READER[0]


def _wait(turn: threading.Semaphore, stop: threading.Event) -> bool:
    """The thread's turn to read a chunk; False once the merge has stopped reading."""
    while not stop.is_set():
        if turn.acquire(timeout=0.05):
            return not stop.is_set()
    return False

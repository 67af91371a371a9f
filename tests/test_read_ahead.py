"""A bundle read and checked one chunk ahead by a thread (storage/sync/read_ahead.py, a merge on a server)
gives the merge what reading in line gives, in the same order, and stops when the merge stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.sync.bundle_file import BundleError
from storage.sync.read_ahead import chunks

ELDER = {"name": "王五", "categories": ["solitary_elder"], "birth_date": "1945-03-03", "grid_code": "330521101-G02",
         "township_code": "330521101", "status": "active"}


def _event(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"dev1-{n}", "record_type": "resident", "record_id": f"r{n:06d}", "hlc": n, "device_id": "dev1",
            "fields": {**ELDER, "name": f"王{n}", **fields}, "base_hlc": 0, "author": "李强"}


class _Source(Iterator[dict[str, Any]]):
    """Events as a bundle's reader gives them, counting how many were taken; a BundleError after `fail_at`."""

    def __init__(self, events: list[dict[str, Any]], fail_at: int | None = None):
        self.events, self.fail_at, self.taken = events, fail_at, 0

    def __next__(self) -> dict[str, Any]:
        if self.fail_at is not None and self.taken == self.fail_at:
            raise BundleError("bad_event", f"line {self.taken + 1} damaged")
        if self.taken >= len(self.events):
            raise StopIteration
        self.taken += 1
        return self.events[self.taken - 1]


def _seen(source: _Source, ahead: bool) -> list[Any]:
    """What the merge is handed: each chunk (its events, where it starts, its value problem), then what is raised."""
    out: list[Any] = []
    try:
        for chunk in chunks(source, 4, "b.gcb", ahead=ahead):
            out.append(([ev["id"] for ev in chunk.events], chunk.before,
                        chunk.problem and (chunk.problem.code, str(chunk.problem)), sorted(map(str, chunk.cleaned.values()))))
    except BundleError as exc:
        out.append(("raised", exc.code, str(exc)))
    return out


@pytest.mark.parametrize("fail_at", [None, 0, 6, 8, 11])
def test_read_ahead_hands_over_what_reading_in_line_does(fail_at):
    events = [_event(n) for n in range(1, 12)]
    events[5] = _event(6, sex="x")  # an unknown code in the second chunk
    events[9] = _event(10, phone="  ")  # "no value": cleaned, and folded as cleaned
    events[2] = events[1]  # a line repeated as it was
    in_line = _seen(_Source(events, fail_at), ahead=False)
    assert _seen(_Source(events, fail_at), ahead=True) == in_line
    if fail_at is None:
        assert [c[1] for c in in_line] == [0, 4, 8]
        assert in_line[0][:3] == (["dev1-1", "dev1-2", "dev1-2", "dev1-4"], 0, None)
        assert in_line[1][2][0] == "bad_event" and "unknown code in Sex" in in_line[1][2][1]
        assert in_line[2][3] != []  # the phone of whitespace only, cleaned
    else:
        assert in_line[-1][:2] == ("raised", "bad_event")
        assert len(in_line) - 1 == fail_at // 4  # the whole chunks before the damaged line


def test_a_merge_that_stops_stops_the_reading_before_the_file_is_closed():
    """The merge refuses a bundle at its first chunk: the thread stops within a chunk, and reads nothing after."""
    source = _Source([_event(n) for n in range(1, 2_001)])
    stream = chunks(source, 100, "b.gcb", ahead=True)
    first = next(stream)
    assert first.before == 0
    time.sleep(0.2)  # the thread reads the next chunk meanwhile, and only that one
    assert source.taken <= 200
    stream.close()
    taken = source.taken
    time.sleep(0.2)
    assert source.taken == taken <= 200
    assert not [t for t in threading.enumerate() if t.name.startswith("gridcare-read-ahead") and _busy(t)]


def _busy(thread: threading.Thread) -> bool:
    import sys

    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:  # a pool's idle worker waits in its queue; a busy one is inside read_ahead
        if Path(frame.f_code.co_filename).name == "read_ahead.py":
            return True
        frame = frame.f_back
    return False


def test_an_error_of_the_reader_itself_reaches_the_merge_in_order():
    """Not only BundleError: whatever the reading raises is raised to the merge after the chunks before it."""

    class Broken(_Source):
        def __next__(self):
            if self.taken == 5:
                raise MemoryError("as if")
            return super().__next__()

    got = []
    with pytest.raises(MemoryError):
        for chunk in chunks(Broken([_event(n) for n in range(1, 20)]), 4, "b.gcb", ahead=True):
            got.append(chunk.before)
    assert got == [0]

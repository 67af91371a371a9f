"""Python's cycle collector paused while a report builds its people (storage/core/collector.py).

With the collector on, a county's drill-down into one category (26,618 rows) took 4-5 s to build its
cells and its report a second more: each collection walked the million objects the report keeps. The
speed is the bench's to measure; here, that the spans pause it and give it back as they found it.
"""

from __future__ import annotations

import gc
import threading

import pytest

import storage.reports.monthly as monthly
from storage.core.collector import collector_paused
from storage.reports.monthly import monthly_report
from tests.report_helpers import TODAY


@pytest.fixture(autouse=True)
def collector_on():
    was_on = gc.isenabled()
    gc.enable()
    yield
    if not was_on:
        gc.disable()


def test_nested_spans_keep_it_paused_until_the_last_ends():
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer span still runs
    assert gc.isenabled()


def test_a_span_in_another_thread_keeps_it_paused():
    inside, leave = threading.Event(), threading.Event()

    def beside() -> None:
        with collector_paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=beside)
    with collector_paused():
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # this span ended, the other thread's has not
    leave.set()
    thread.join(10)
    assert gc.isenabled()


def test_it_stays_off_when_it_was_off_and_comes_back_after_an_error():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()  # (someone else had turned it off: not ours to turn on)
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_the_report_reads_its_people_with_the_collector_paused(town_db, monkeypatch):
    db = town_db
    seen = []
    read = monthly.read_people

    def spying(*args, **kwargs):
        seen.append(gc.isenabled())
        return read(*args, **kwargs)

    monkeypatch.setattr(monthly, "read_people", spying)
    report = monthly_report(db, TODAY.year, TODAY.month, today=TODAY, with_lists=True)
    assert report.people  # everyone, read when first asked (a drill-down into all the key persons of a row)
    assert len(seen) >= 2 and not any(seen), seen
    assert gc.isenabled()

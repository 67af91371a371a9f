"""Merge laws (docs/design.md §2): any order, any repetition, any batching -> the same dump, byte for byte.

Random edit histories on two worker devices and the township: registrations,
edits of random fields (the same field by a worker and the township that have
not seen each other), name changes, visits and their deletion, risk changes,
referrals, case closing, the township's corrections going back to a grid.
Every worker bundle written is then merged into fresh and edited township
databases in many orders, repeated, and in batches; and the same on PostgreSQL,
whose dumps must be byte for byte those of SQLite.

A few histories in every run, a few hundred in .ci/run's slow run, 10,000 on demand:

    GRIDCARE_TEST_PROFILE=thorough python -m pytest -m slow tests/test_merge_laws.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.core.db import open_database
from storage.sync.dump import dump_lines
from storage.sync.merge import merge_paths
from tests.foundation_helpers import SCRATCH, copy_db
from tests.merge_world import World, op_strategy
from tests.profiles import quick_and_slow


def _merged_dump(base: Path, folder: Path, batches: list[list[Path]], pg_url: str | None = None) -> str:
    """Merge the batches into a copy of `base` (a file; or, given `pg_url`, that server database) and dump it."""
    if pg_url:
        from tests.pg import copy_sqlite_into

        copy_sqlite_into(base, pg_url)
        db = open_database(pg_url)
    else:
        copy = folder / f"variant-{len(list(folder.glob('variant-*.db')))}.db"
        copy_db(base, copy)
        db = open_database(copy)
    for batch in batches:
        report = merge_paths(db, batch)
        assert report.refused == []
    text = "\n".join(dump_lines(db))
    db.dispose()
    return text


def _history(folder: Path, ops) -> tuple[World, Path]:
    """The world after `ops`, every worker's last work exported; (world, the edited township's file)."""
    world = World(folder)
    for actor, op, which, value in ops:
        world.apply(actor, op, which, value)
    for actor in world.workers:
        world.export(actor)
    world.close()
    base = folder / "township-edited.db"
    copy_db(folder / "township.db", base)
    return world, base


def _check_laws(ops, order_of, repeats_of, cut_of) -> str:
    """Apply `ops`, then merge every worker bundle in the orders the callables choose; the one dump of `base`."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        folder = Path(tmp)
        world, base = _history(folder, ops)
        bundles = world.bundles
        order, repeated, cut = order_of(bundles), repeats_of(bundles), cut_of(bundles)
        for start in (world.fresh, base):  # a new township; the one whose clerk also edited
            dumps = {
                _merged_dump(start, folder, [bundles]),  # in the order written
                _merged_dump(start, folder, [order]),  # commutative
                _merged_dump(start, folder, [order, repeated]),  # idempotent
                _merged_dump(start, folder, [order[:cut], order[cut:]]),  # two batches: associative
            }
            assert len(dumps) == 1
            dump = dumps.pop()
            assert '"type":"resident"' in dump
        return dump


def _check_on_server(pg_url, ops, order_of, repeats_of, cut_of) -> str:
    """The laws on PostgreSQL: every order gives the bytes SQLite gives in the order written."""
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        folder = Path(tmp)
        world, base = _history(folder, ops)
        bundles = world.bundles
        order, repeated, cut = order_of(bundles), repeats_of(bundles), cut_of(bundles)
        for start in (world.fresh, base):
            on_sqlite = _merged_dump(start, folder, [bundles])
            on_server = {
                _merged_dump(start, folder, [order], pg_url),
                _merged_dump(start, folder, [order[:cut], repeated + order[cut:]], pg_url),
            }
            assert on_server == {on_sqlite}
        return on_sqlite


def _merge_laws(sized):
    @sized
    @given(ops=st.lists(op_strategy, min_size=3, max_size=25), data=st.data())
    def test(ops, data):
        _check_laws(ops, lambda b: data.draw(st.permutations(b), label="order"),
                    lambda b: data.draw(st.lists(st.sampled_from(b), max_size=6), label="repeats"),
                    lambda b: data.draw(st.integers(0, len(b)), label="batch cut"))

    return test


# the longest of the slow tests: in two halves, one on each of `-n 2`'s workers
(test_merging_in_any_order_any_number_of_times_gives_the_same_dump, test_merge_laws_at_scale,
 test_merge_laws_at_scale_second_half) = quick_and_slow("merge_laws", _merge_laws, parts=2)


# One history that surely holds what the random ones only may: assessments at visits and on their own,
# the same grade corrected on a worker's laptop and at the township unseen by each other, emergencies
# acknowledged by the township and sent back to the grid, benefits recorded and ended.
FOLLOW_UP_OPS = [
    ("w1", "assess", 0, 2), ("w1", "visit", 1, 5), ("w2", "visit", 0, 3), ("w1", "visit", 0, 2),
    ("w1", "benefit", 0, 1), ("w1", "export", 0, 0), ("T", "township_merges", 0, 0), ("T", "ack", 0, 1),
    ("T", "regrade", 0, 3),  # the township corrects w1's assessment...
    ("w1", "regrade", 0, 1),  # ...and so does w1, neither having seen the other's
    ("T", "benefit_end", 0, 2), ("T", "township_back", 0, 0), ("w2", "assess", 1, 4), ("w2", "risk", 0, 3),
]


def _has_the_new_records(dump: str) -> None:
    assert '"type":"assessment"' in dump and '"type":"emergency_ack"' in dump and '"type":"benefit"' in dump
    assert '"record_type":"assessment"' in dump and '"field":"economy"' in dump  # the clash, queued for review


def test_assessments_and_acknowledgements_merge_like_every_record_and_clashing_grades_are_queued():
    _has_the_new_records(_check_laws(FOLLOW_UP_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                     lambda b: len(b) // 2))


@pytest.mark.postgres
def test_assessments_acknowledgements_and_benefits_merge_on_postgresql_with_the_same_bytes(pg_url):
    _has_the_new_records(_check_on_server(pg_url, FOLLOW_UP_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                          lambda b: len(b) // 2))


# A case closed with a remark on a worker's laptop and at the township, neither having seen the other,
# then reopened on the other worker's: the remark (close_note) merges like every field, and the clash of
# the two remarks is queued for review by its field.
CLOSING_OPS = [
    ("w1", "export", 0, 0), ("T", "township_merges", 0, 0),
    ("w1", "close", 0, 1), ("T", "close", 0, 5), ("w2", "close", 0, 7), ("w2", "close", 0, 0),
    ("T", "township_back", 0, 0),
]


def _has_the_closing_remarks(dump: str) -> None:
    assert '"close_note":"w1说明1"' in dump or '"close_note":"T说明5"' in dump
    assert '"record_type":"resident"' in dump and '"field":"close_note"' in dump  # the clash, queued


def test_a_closing_remark_merges_like_every_field_and_two_unseen_remarks_are_queued():
    _has_the_closing_remarks(_check_laws(CLOSING_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                         lambda b: len(b) // 2))


@pytest.mark.postgres
def test_a_closing_remark_merges_on_postgresql_with_the_same_bytes(pg_url):
    _has_the_closing_remarks(_check_on_server(pg_url, CLOSING_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                              lambda b: len(b) // 2))


# Text a form was handed with a NUL, half a character, a pair of halves (tests/merge_world.py ODD_TEXT), on a
# worker's laptop and at the township: saved cleaned, so every engine merges it, PostgreSQL with SQLite's bytes.
# (Before: the NUL merged into SQLite and PostgreSQL refused the bundle; half a character failed the save.)
ODD_TEXT_OPS = [("w1", "address", 0, 3), ("w2", "address", 0, 6), ("w1", "visit", 0, 8), ("w2", "visit", 1, 3),
                ("w1", "export", 0, 0), ("T", "township_merges", 0, 0), ("T", "address", 1, 6),
                ("T", "township_back", 0, 0), ("w1", "address", 1, 8)]


def _has_the_cleaned_text(dump: str) -> None:
    assert '"address":"w1路3号"' in dump and '"address":"w2路6\ufffd号"' in dump and "w1路8\U0001f600号" in dump
    assert '"notes":"w2-3"' in dump and "\\u0000" not in dump and "\\ud8" not in dump


def test_text_no_database_stores_is_cleaned_where_written_and_merges_alike():
    _has_the_cleaned_text(_check_laws(ODD_TEXT_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                      lambda b: len(b) // 2))


@pytest.mark.postgres
def test_text_no_database_stores_is_cleaned_where_written_and_merges_on_postgresql_with_the_same_bytes(pg_url):
    _has_the_cleaned_text(_check_on_server(pg_url, ODD_TEXT_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                           lambda b: len(b) // 2))


# The clerk merges worker 1's two records as one person (the second into the first, by id), sends the merge back,
# and the worker assesses both again, the duplicate last: the kept record's level is the pair's newest finding
# (the duplicate's 紧急, not the kept record's own 中) in every order.
DUPLICATE_OPS = [
    ("w1", "risk", 1, 2), ("w1", "export", 0, 0), ("T", "township_merges", 0, 0), ("T", "dup_merge", 0, 0),
    ("T", "township_back", 0, 0), ("w1", "risk", 0, 1), ("w1", "risk", 1, 3),
]


def _has_the_pairs_finding(dump: str) -> None:
    import json

    people = {r["id"]: r for r in map(json.loads, dump.splitlines()) if r["type"] == "resident"}
    merged = [r for r in people.values() if r["merged_into"]]
    assert len(merged) == 1 and merged[0]["risk_level"] == "emergency"  # its own finding, the newest
    assert people[merged[0]["merged_into"]]["risk_level"] == "emergency"  # (the kept record's own: medium)


def test_a_kept_record_takes_its_duplicates_finding_in_every_order():
    _has_the_pairs_finding(_check_laws(DUPLICATE_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                       lambda b: len(b) // 2))


@pytest.mark.postgres
def test_a_kept_record_takes_its_duplicates_finding_on_postgresql_with_the_same_bytes(pg_url):
    _has_the_pairs_finding(_check_on_server(pg_url, DUPLICATE_OPS, lambda b: list(reversed(b)), lambda b: b[:2],
                                            lambda b: len(b) // 2))


def _server_laws(sized):
    @pytest.mark.postgres
    @sized
    @given(ops=st.lists(op_strategy, min_size=3, max_size=25), data=st.data())
    def test(pg_url, ops, data):
        _check_on_server(pg_url, ops, lambda b: data.draw(st.permutations(b), label="order"),
                         lambda b: data.draw(st.lists(st.sampled_from(b), max_size=6), label="repeats"),
                         lambda b: data.draw(st.integers(0, len(b)), label="batch cut"))

    return test


# a server database per variant costs more than a file copy: fewer histories (tests/profiles.py)
test_the_same_laws_hold_on_postgresql_with_the_same_bytes, test_the_same_laws_hold_on_postgresql_at_scale = (
    quick_and_slow("merge_laws_pg", _server_laws))

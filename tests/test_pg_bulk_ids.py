"""The id lists of storage/core/pg_bulk.py travel as one text split on the server (or, should an id hold the
separator, as an array): every id given is found, deleted, refolded alike whichever way it travelled."""

from __future__ import annotations

import pytest

from storage.core import pg_bulk
from storage.core.db import open_database

pytestmark = pytest.mark.postgres

ODD = ["a", "b-1", "", "x\x1fy", "村,委会", "c"]  # an empty id and one holding the separator: the array way


@pytest.mark.parametrize("ids", [["a", "b-1", "c", "村,委会"], ODD], ids=["joined", "fallback"])
def test_ids_are_found_and_deleted_whichever_way_they_travel(pg_url, ids):
    db = open_database(pg_url)
    try:
        with db.engine.begin() as conn:
            pg_bulk.copy_rows(conn, "setting", ["id", "value", "deleted"], [(i, "1", False) for i in [*ids, "other"]])
            assert pg_bulk.existing_state_ids(conn, "setting", [*ids, "missing"]) == set(ids)
            assert pg_bulk.column_by_id(conn, "setting", "deleted", ids) == {i: False for i in ids}
            pg_bulk.delete_ids(conn, "setting", "id", ids)
            assert pg_bulk.existing_state_ids(conn, "setting", [*ids, "other"]) == {"other"}
    finally:
        db.dispose()


def test_the_separator_way_is_taken_only_when_it_splits_back_to_the_same_ids():
    assert pg_bulk._id_list(["a", "b"]) == ("string_to_array(%s, chr(31))", "a\x1fb")
    assert pg_bulk._id_list(["a"]) == ("string_to_array(%s, chr(31))", "a")
    for ids in (["a", "x\x1fy"], [""], ["a", ""]):
        assert pg_bulk._id_list(ids) == ("%s::varchar[]", ids)


def test_events_of_records_are_read_back_by_one_look_up(pg_url):
    """The fold on a server reads a chunk's stored events with one ANY look-up (pg_bulk.event_rows)."""
    db = open_database(pg_url)
    try:
        with db.engine.begin() as conn:
            events = [{"id": f"d-{n}", "record_type": "visit", "record_id": f"v{n % 3}", "fields": {"notes": str(n)},
                       "hlc": n, "device_id": "d", "base_hlc": n - 1, "author": "王芳"} for n in range(1, 8)]
            pg_bulk.insert_events_ignore(conn, events)
            rows = pg_bulk.event_rows(conn, "visit", ["v1", "v2", "nope"])
        assert sorted((r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows) == sorted(
            (e["record_id"], e["id"], e["fields"], e["hlc"], "d", e["hlc"] - 1, "王芳") for e in events
            if e["record_id"] in ("v1", "v2"))
    finally:
        db.dispose()

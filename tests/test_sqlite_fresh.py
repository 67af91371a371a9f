"""On SQLite, new records' state derived by SQLite (storage/core/sqlite_fresh.py) is the Python fold's
(tests/fresh_cases.py): the township merge's path for nearly every record it meets."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from storage.core import fresh_state
from tests import fresh_cases
from tests.profiles import given_case, quick_and_slow

_DB: dict[str, Any] = {}


def _database():
    """One database for the module (each batch is rolled back)."""
    if "db" not in _DB:
        from storage.core.db import open_database

        _DB["dir"] = tempfile.TemporaryDirectory()
        _DB["db"] = open_database(Path(_DB["dir"].name) / "fresh.db")
    return _DB["db"]


@pytest.fixture(scope="module", autouse=True)
def _drop_at_end():
    yield
    if "db" in _DB:
        _DB.pop("db").dispose()
        _DB.pop("dir").cleanup()


def _agree_case(records) -> None:
    fresh_cases.agree(_database(), records)


test_new_records_derived_by_sqlite_are_the_python_folds, test_derived_by_sqlite_at_scale = quick_and_slow(
    "fresh_state", given_case(st.lists(fresh_cases.new_record(), min_size=1, max_size=12),
                              _agree_case))


@pytest.mark.parametrize("record_type", fresh_state.SERVED)
def test_records_of_every_kind_sqlite_derives_go_that_way(record_type):
    fresh_cases.every_kind(_database(), record_type)


def test_a_deleted_visit_makes_no_risk_row_and_one_that_is_not_does():
    fresh_cases.deleted_visit(_database())


def test_a_risk_record_under_a_visits_id_gives_way_to_the_visits_own_risk_row():
    fresh_cases.risk_under_a_visits_id(_database())


@pytest.mark.parametrize("record_type", fresh_state.SERVED)
def test_the_statements_run_on_a_sqlite_before_3_38(record_type):
    """`->` and `->>` came with SQLite 3.38; a Python 3.10 may link an older one (Ubuntu 22.04's is 3.37): the
    statements read the fields with json_extract and json_type, as the rest of gridcare's SQL for SQLite does."""
    from storage.core import sqlite_fresh

    sql, _params, _columns = sqlite_fresh._statement(record_type)
    assert "->" not in sql and "->" not in sqlite_fresh._VISIT_RISK

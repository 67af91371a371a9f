"""Home's first figures read straight from the file (storage.register.home.quick_reader), before the full open."""

from __future__ import annotations

import sqlite3

from storage.core.db import SCHEMA_VERSION, open_database
from storage.register.home import home_data, quick_reader, read_home
from tests.register_helpers import TODAY, make_register_db


def test_a_set_up_current_file_is_read_quickly_with_the_same_figures(tmp_path):
    db = make_register_db(tmp_path / "w.db")
    quick = quick_reader(db.path)
    assert quick is not None
    raw, role = quick
    try:
        assert role == "worker"
        assert read_home(raw, TODAY) == home_data(db, TODAY)
        assert not raw.in_transaction  # the read's transaction is over: no snapshot held open
    finally:
        raw.close()
    db.dispose()


def test_no_quick_read_before_setup_or_before_an_upgrade(tmp_path):
    assert quick_reader(tmp_path / "missing.db") is None
    fresh = open_database(tmp_path / "fresh.db")  # no identity yet: first-run setup comes first
    assert quick_reader(fresh.path) is None
    fresh.dispose()
    db = make_register_db(tmp_path / "old.db")
    db.dispose()
    conn = sqlite3.connect(db.path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")  # the upgrade (with its backup) goes first
    conn.close()
    assert quick_reader(db.path) is None


def test_a_file_that_is_not_a_database_is_left_to_the_full_open(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"not a database at all" * 100)
    assert quick_reader(path) is None


def test_the_start_ups_first_read_and_its_later_figures_are_the_full_read(tmp_path):
    """At start-up Home shows its figures without the benefit lists and the duplicates' count, which follow once
    they are on screen (storage/register/home_later.py): together they are what every other read gives."""
    from storage.register.home_later import add_later, read_later

    db = make_register_db(tmp_path / "w.db")
    full = home_data(db, TODAY)
    assert full.counts["benefits"] + full.counts["unpaired"] > 0  # the lists left for later are not empty here
    raw, _role = quick_reader(db.path)
    try:
        first = read_home(raw, TODAY, later=True)
        assert first.later and not first.benefits and "benefits" not in first.counts
        add_later(first, read_later(raw, first))
        assert first == full
        assert not raw.in_transaction
    finally:
        raw.close()
    db.dispose()

"""A database file from elsewhere whose tables or indexes are defined with SQL gridcare never writes is refused, as
one holding a trigger or a view is (tests/test_hostile_restore.py): opened with --db, offered as a backup, or read
for Home's first figures.

SQLite runs what a table's or an index's definition holds on gridcare's own reads and writes. Seen before, on a
worker's copy given `CREATE INDEX ix_evil ON resident(length(printf('%.*c', 900000000, 'x')))`: the file opened as
usual, and a roster of one row took 6 s and 960 MB to import (the index's expression computed at each row
written); a generated column is computed at each read, a CHECK or a partial index's condition at each write, a
foreign key's ON DELETE CASCADE deletes rows gridcare never deleted, a virtual table runs its module's code.
"""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from storage.core.db import open_database
from storage.core.errors import UserError
from tests.test_cli import run
from tests.test_hostile_restore import _crafted, _refused_untouched, _worker_with_backup

BOMB = "length(printf('%.*c', 900000000, 'x'))"
SQL = {
    "an index on an expression": f"CREATE INDEX ix_evil ON resident({BOMB});",
    "gridcare's own index name over an expression": f"DROP INDEX ix_resident_name; CREATE INDEX ix_resident_name ON "
                                                      f"resident({BOMB});",
    "gridcare's own partial index with another condition": f"DROP INDEX ix_resident_merged; CREATE INDEX "
                                                            f"ix_resident_merged ON resident (merged_into) WHERE {BOMB};",
    "gridcare's own index over other columns": "DROP INDEX ix_visit_date; CREATE INDEX ix_visit_date ON visit (notes);",
    "an index of someone else's": "CREATE INDEX ix_mine ON visit (notes);",
    "a column's check": "ALTER TABLE resident ADD COLUMN extra VARCHAR CHECK (length(extra) < 5);",
    "a generated column": f"ALTER TABLE resident ADD COLUMN extra INTEGER GENERATED ALWAYS AS ({BOMB}) VIRTUAL;",
    "a foreign key deleting in cascade": "ALTER TABLE visit ADD COLUMN extra VARCHAR REFERENCES resident(id) ON DELETE "
                                         "CASCADE;",
    "a virtual table": "CREATE VIRTUAL TABLE notes USING rtree(id, a, b);",
}
SAID = "holds SQL that gridcare never writes"


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("sql", SQL.values(), ids=SQL.keys())
def test_a_database_whose_definitions_hold_sql_of_someone_elses_is_not_opened_and_left_untouched(tmp_path, sql):
    from storage.register.home import quick_reader

    db_path, _taken = _worker_with_backup(tmp_path)
    conn = sqlite3.connect(db_path)
    conn.executescript(sql)
    conn.close()
    before = _digest(db_path)
    if "GENERATED" in sql:  # computed at each read: Home's first figures do not read the file either
        assert quick_reader(db_path) is None
    with pytest.raises(UserError, match=SAID) as refused:
        open_database(db_path)
    assert "\n" not in str(refused.value)
    assert _digest(db_path) == before


@pytest.mark.parametrize("sql", [SQL["an index on an expression"], SQL["a column's check"]])
def test_a_backup_whose_definitions_hold_sql_of_someone_elses_is_refused_and_nothing_changes(tmp_path, sql):
    db_path, taken = _worker_with_backup(tmp_path)
    _refused_untouched(db_path, _crafted(taken, sql), SAID)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_command_line_says_so_in_one_line_naming_the_index_with_exit_status_1(tmp_path, lang):
    db_path, _taken = _worker_with_backup(tmp_path)
    conn = sqlite3.connect(db_path)
    conn.executescript(SQL["an index on an expression"])
    conn.close()
    before = _digest(db_path)
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,身份证号,类别\n王五,11010519491231002X,独居老年人\n", encoding="utf-8")
    out = run("--lang", lang, "--db", str(db_path), "roster", "import", str(roster), tmp_path=tmp_path)
    assert out.returncode == 1, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert "ix_evil" in out.stderr
    assert ("never writes" if lang == "en" else "从不写入") in out.stderr
    assert _digest(db_path) == before


def test_every_database_gridcare_makes_or_upgrades_holds_none_of_it(tmp_path):
    """The check refuses nothing gridcare writes: a fresh file of each role, one of schema 1 before and after its
    upgrade (tests/test_db.py builds it from tests/fixtures/schema_v1.sql), and one the merge ANALYZEd."""
    from storage.core.db import SCHEMA_VERSION
    from storage.core.schema_sql import foreign_definitions
    from storage.sync.export import export_bundle
    from storage.sync.merge import merge_paths
    from tests.county_helpers import make_county
    from tests.sync_helpers import elder, make_township
    from tests.test_db import _make_v1

    t = make_township(tmp_path)
    worker = t.worker("王芳", "G01")
    elder(worker, "张三")
    assert merge_paths(t.db, [export_bundle(worker, tmp_path / "usb").path]).refused == []
    county = make_county(tmp_path / "county.db", tmp_path / "county.pub")
    old = tmp_path / "old.db"
    _make_v1(old)
    files = [t.db.path, worker.path, county.path]
    for db in (t.db, worker, county):
        db.dispose()

    def check(path) -> None:
        conn = sqlite3.connect(path)
        try:
            assert foreign_definitions(conn) == [], path
        finally:
            conn.close()

    check(old)
    upgraded = open_database(old)
    assert upgraded.upgraded_from == 1 and upgraded.backup_of_old_schema is not None
    upgraded.dispose()
    for path in [*files, old, upgraded.backup_of_old_schema]:
        check(path)
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_backup_holding_such_sql_is_refused_before_sqlite_checks_it_row_by_row(tmp_path, monkeypatch):
    """SQLite's full check of a backup computes each index's expression for each row (the index above: 7 s and
    900 MB for a file of one resident), and the backups' list checks every file of the backups folder: the SQL is
    looked at first, and such a file is never checked so."""
    from storage.core import backup_check

    db_path, taken = _worker_with_backup(tmp_path)
    crafted = _crafted(taken, SQL["an index on an expression"])
    checked = []
    monkeypatch.setattr(backup_check, "integrity_ok", lambda path, **kw: checked.append(path) or True)
    refusal = backup_check._refusal(db_path, crafted)
    assert refusal is not None and SAID in str(refusal)
    assert checked == []
    assert backup_check.restorable(db_path, taken) and checked == [taken]  # a backup of its own: checked in full

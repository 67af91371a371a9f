"""Opening databases: pragmas, permissions, schema versions and in-place upgrades."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.core.db import SCHEMA_VERSION, open_database, schema_version
from storage.core.errors import UserError

FIXTURES = Path(__file__).parent / "fixtures"


def _columns(path: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(str(path))
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")} for t in tables}
    finally:
        conn.close()


def test_open_sets_wal_foreign_keys_busy_timeout_and_full_sync(tmp_path):
    db = open_database(tmp_path / "a.db")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    assert schema_version(db) == SCHEMA_VERSION


def test_new_database_file_is_owner_only(tmp_path):
    db = open_database(tmp_path / "a.db")
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600


def test_nothing_touches_a_database_at_import_time(tmp_path):
    import subprocess
    import sys

    code = "import storage.core.db, storage.core.changes, storage.register.residents, storage.register.visits, tui.cli; import os; print(os.listdir('.'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(Path(__file__).parents[1]), "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _make_v1(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    conn.executescript((FIXTURES / "schema_v1.sql").read_text(encoding="utf-8"))
    conn.execute(
        "INSERT INTO resident (id, name, name_initials, name_pinyin, id_number, phone, address, township_code, "
        "grid_code, categories, flags, guardian_name, guardian_phone, guardian_relation, father_name, "
        "father_status, mother_name, mother_status, risk_level, status, close_reason, notes, deleted) VALUES "
        "('r1', '张三', 'zs', 'zhang san', '11010519491231002X', '', '', '330521101', '330521101-G01', '[]', '[]', "
        "'', '', '', '', '', '', '', 'low', 'active', '', '', 0)"
    )
    conn.commit()
    conn.close()


def test_a_file_of_schema_1_is_upgraded_in_place_after_a_copy_aside(tmp_path):
    path = tmp_path / "old.db"
    _make_v1(path)
    db = open_database(path)
    assert db.upgraded_from == 1
    assert schema_version(db) == SCHEMA_VERSION
    # the copy aside is the untouched old file
    assert db.backup_of_old_schema is not None and db.backup_of_old_schema.exists()
    old = sqlite3.connect(str(db.backup_of_old_schema))
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT name FROM resident").fetchone()[0] == "张三"
    old.close()
    # data kept and new columns derived
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT id_rev FROM resident WHERE id='r1'")).scalar() == "X20013219491501011"
    # the upgraded file has exactly the columns of a new file
    fresh = open_database(tmp_path / "fresh.db")
    assert _columns(path) == _columns(fresh.path)
    # opening again does not upgrade again
    assert open_database(path).upgraded_from is None


def test_a_file_from_a_newer_gridcare_is_refused(tmp_path):
    path = tmp_path / "new.db"
    open_database(path).dispose()
    conn = sqlite3.connect(str(path))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(UserError, match="newer"):
        open_database(path)


def test_a_file_that_is_not_a_database_is_refused_with_a_message(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError):
        open_database(path)


def test_database_errors_do_not_carry_personal_data_into_logs(tmp_path):
    from sqlalchemy.exc import IntegrityError

    db = open_database(tmp_path / "a.db")
    with pytest.raises(IntegrityError) as info:
        with db.engine.begin() as conn:
            for _ in range(2):
                conn.execute(text("INSERT INTO township (id, name, deleted) VALUES (:id, :name, 0)"),
                             {"id": "330521101", "name": "张三的秘密"})
    assert "张三的秘密" not in str(info.value)

"""Issue #19, item 10: who may read what gridcare writes. The database, the copy before an upgrade, the drafts and
a restore's files are owner-only from their first byte: created so, never created world-readable and narrowed
afterwards (each test failed on the code before). Moved out of tests/test_hostile_places.py, which held four ideas.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from storage.core.db import open_database


@pytest.fixture
def no_narrowing(monkeypatch):
    """umask 0, and a chmod that would narrow a file's permissions fails the test: a file that ends
    owner-only was created so, from its first byte (a chmod that changes nothing is harmless)."""
    old = os.umask(0)
    real_chmod = os.chmod

    def checked(path, mode, *args, **kwargs):
        current = stat.S_IMODE(os.stat(path).st_mode)
        assert current & ~mode == 0, f"{path} was {oct(current)} before a chmod to {oct(mode)}"
        real_chmod(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "chmod", checked)
    yield
    os.umask(old)


def test_the_copy_before_an_upgrade_is_owner_only_from_its_first_byte(tmp_path, no_narrowing):
    from tests.test_db import _make_v1

    path = tmp_path / "old.db"
    _make_v1(path)
    db = open_database(path)
    assert stat.S_IMODE(db.backup_of_old_schema.stat().st_mode) == 0o600


def test_a_new_database_is_owner_only_from_its_first_byte(tmp_path, no_narrowing):
    db = open_database(tmp_path / "new.db")
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600


def test_the_drafts_folder_is_owner_only_from_the_start(tmp_path, no_narrowing):
    from storage.core.paths import drafts_dir
    from storage.register.drafts import save_draft

    save_draft(tmp_path / "w.db", "abc123", {"notes": "孩子的情况"})
    assert stat.S_IMODE(drafts_dir(tmp_path / "w.db").stat().st_mode) == 0o700
    assert stat.S_IMODE(next(drafts_dir(tmp_path / "w.db").iterdir()).stat().st_mode) == 0o600


def test_restore_writes_its_aside_copy_and_restoring_file_owner_only(tmp_path, no_narrowing, monkeypatch):
    from storage.core import backup

    db = open_database(tmp_path / "w.db")
    db.dispose()
    taken = backup.backup_now(db.path)
    seen: dict[str, int] = {}
    real_replace = os.replace

    def watch(src, dst):  # the .restoring file's mode at the moment it takes the database's place
        seen[Path(src).name] = stat.S_IMODE(os.stat(src).st_mode)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watch)
    aside = backup.restore(db.path, taken.path)
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert seen["w.db.restoring"] == 0o600

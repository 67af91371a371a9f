"""Private keys never travel where a database file is copied: they live in <database>.keys, owner-only,
never in the database, its backups, restore's aside copies, the copy taken before an upgrade, or a bundle;
a worker's key file never holds the township's private key."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
from dataclasses import asdict
from pathlib import Path

import pytest

from storage.core import backup
from storage.core.db import SCHEMA_VERSION, open_database
from storage.core.errors import UserError
from storage.core.paths import keys_file
from storage.core.private_keys import IN_OLD_FILES as NAMES
from storage.core.private_keys import private_keys, read_keys
from storage.sync.bundle_file import read_bundle
from storage.sync.export import export_bundle
from storage.sync.merge import merge_paths
from tests.sync_helpers import clerk_elder, elder, make_township

NOON = dt.datetime(2026, 11, 24, 12, 0, 0)


def _secrets(db_path: Path) -> list[bytes]:
    keys = read_keys(db_path)
    return [v.encode() for v in asdict(keys).values() if v]


def _files_holding(folder: Path, secrets: list[bytes]) -> list[str]:
    """Every file under `folder`, other than a key file, that holds any of the secrets' bytes."""
    found = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.endswith(".keys"):
            data = p.read_bytes()
            found += [p.name for s in secrets if s in data]
    return found


def test_a_township_and_a_worker_keep_their_keys_beside_the_database_only(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    bundle = export_bundle(a, tmp_path / "1.gcb").path
    assert merge_paths(t.db, [bundle]).refused == []
    back = export_bundle(t.db, tmp_path / "back", grid_code="G01").path
    assert merge_paths(a, [back]).refused == []
    backup.backup_now(t.db.path, now=NOON)
    backup.backup_now(a.path, now=NOON)
    township, worker = read_keys(t.db.path), read_keys(a.path)
    assert all(getattr(township, n) for n in NAMES) and worker.device_age_secret and worker.device_sign_secret
    assert worker.township_age_secret == worker.township_sign_secret == ""  # a worker never holds the township's
    secrets = _secrets(t.db.path) + _secrets(a.path)
    # databases, -wal files, backups, bundles, the public key file: none carries a private key
    assert _files_holding(tmp_path, secrets) == []
    _manifest, events = read_bundle(bundle, [township.township_age_secret], "330521101")
    assert not any(s.decode() in repr(events) for s in secrets)
    if not platform_is_windows():
        assert stat.S_IMODE(keys_file(t.db.path).stat().st_mode) == 0o600


def platform_is_windows() -> bool:
    from storage.core import platform

    return platform.WINDOWS


def _as_schema_2(db_path: Path) -> dict[str, str]:
    """Turn a current database into what gridcare wrote before schema 3: the keys in the identity row."""
    keys = asdict(read_keys(db_path))
    conn = sqlite3.connect(str(db_path))
    for _ in range(20):  # the identity row is rewritten at every write: old copies of it linger in free space
        conn.execute("UPDATE identity SET last_hlc = last_hlc + 1, " + ", ".join(f"{n} = ?" for n in NAMES),
                     [keys[n] for n in NAMES])
        conn.commit()
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    keys_file(db_path).unlink()
    assert all(v.encode() in db_path.read_bytes() or Path(str(db_path) + "-wal").exists() for v in keys.values())
    return keys


def test_the_upgrade_moves_the_keys_out_of_the_database_and_its_copies(tmp_path):
    t = make_township(tmp_path)
    clerk_elder(t, "张三")
    t.db.dispose()
    keys = _as_schema_2(t.db.path)
    db = open_database(t.db.path)
    assert db.upgraded_from == 2 and SCHEMA_VERSION >= 3
    assert asdict(read_keys(db.path)) == keys
    with sqlite3.connect(str(db.path)) as conn:
        assert conn.execute(f"SELECT {', '.join(NAMES)} FROM identity").fetchone() == ("",) * len(NAMES)
    backup.backup_now(db.path, now=NOON)
    db.dispose()
    # the upgraded file, its -wal, the copy taken before the upgrade, the backup: no key anywhere
    assert db.backup_of_old_schema.exists()
    assert _files_holding(tmp_path, [v.encode() for v in keys.values() if v]) == []
    # and the township still reads bundles to it
    a = t.worker("王芳", "G01")
    elder(a, "李四")
    assert merge_paths(open_database(t.db.path), [export_bundle(a, tmp_path / "1.gcb").path]).refused == []


def test_restoring_an_old_backup_that_held_keys_keeps_the_key_file(tmp_path):
    t = make_township(tmp_path)
    t.db.dispose()
    current = read_keys(t.db.path)
    old = tmp_path / "old-backup.db"
    old.write_bytes(t.db.path.read_bytes())
    (tmp_path / "old-backup.db.keys").write_bytes(keys_file(t.db.path).read_bytes())
    _as_schema_2(old)
    backup.restore(t.db.path, old, now=NOON)
    db = open_database(t.db.path)  # the restored schema-2 file is upgraded; the key file beside it stays
    assert read_keys(db.path) == current
    assert not list(tmp_path.glob("township.db.keys.replaced-*"))


def test_export_without_the_key_file_says_what_is_missing(tmp_path):
    t = make_township(tmp_path)
    a = t.worker("王芳", "G01")
    elder(a, "张三")
    keys_file(a.path).unlink()
    with pytest.raises(UserError, match="private keys of this database"):
        export_bundle(a, tmp_path / "1.gcb")
    with pytest.raises(UserError, match="private keys of this database"):
        private_keys(a.path)


def test_a_hostile_key_file_is_refused_with_a_message(tmp_path):
    t = make_township(tmp_path)
    # (the last: 10 kB of brackets nested 5,000 deep, which the JSON reader refused with RecursionError: exit 70)
    for content in (b"", b"\xff\xfe garbage", b"[1, 2]", b'{"format": "other"}', b"{" * 100_000,
                    b"[" * 5_000 + b"]" * 5_000):
        keys_file(t.db.path).write_bytes(content)
        with pytest.raises(UserError, match="not a gridcare key file"):
            private_keys(t.db.path)


def test_setting_up_over_a_stray_key_file_moves_it_aside(tmp_path):
    t = make_township(tmp_path)
    first = read_keys(t.db.path)
    t.db.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(str(t.db.path) + suffix).unlink(missing_ok=True)
    again = make_township(tmp_path)
    assert read_keys(again.db.path) != first
    (aside,) = tmp_path.glob("township.db.keys.replaced-*")
    assert read_keys(t.db.path) != first and aside.read_bytes().count(first.township_age_secret.encode()) == 1

"""The private keys of a database live in an owner-only file beside it (`<database>.keys`), never in it.

A database file is what gets copied: the automatic backups, `gridcare backup`, restore's aside
copy, the copy taken before a schema upgrade, and whatever a user copies to a USB stick. None of
them may carry the keys that decrypt bundles or sign as this device, so the keys are kept apart.
The file stays on the machine it was made on. A township keeps one copy of its key file in a safe
place (README): without it, no bundle sent to the township can be read.

Databases written before schema 3 held the keys in the identity row: the upgrade moves them here
and rewrites the file (VACUUM) so no old page keeps them; the copy taken before the upgrade is
scrubbed the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.paths import keys_file

FORMAT = "gridcare private keys 1"
MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class PrivateKeys:
    device_age_secret: str = ""
    device_sign_secret: str = ""
    township_age_secret: str = ""  # township role only
    township_sign_secret: str = ""  # township role only
    county_age_secret: str = ""  # county role only
    county_sign_secret: str = ""  # county role only


NAMES = tuple(f.name for f in fields(PrivateKeys))
# the columns schema 2 held them in (a county's keys were never in the database)
IN_OLD_FILES = tuple(n for n in NAMES if not n.startswith("county_"))
_BLANK = "UPDATE identity SET " + ", ".join(f"{n} = ''" for n in IN_OLD_FILES)


def read_keys(db_path: Path) -> PrivateKeys | None:
    """The keys beside `db_path`, or None if there is no key file. UserError if it is not one."""
    from storage.core.files import NotAFile, read_small

    path = keys_file(Path(db_path))
    try:
        # (a named pipe in its place waited for ever, at the start-up's check of the keys and in every export)
        data = read_small(path, MAX_BYTES)
    except FileNotFoundError:
        return None
    except NotAFile:
        data = b""
    try:
        found = json.loads(data.decode("utf-8")) if len(data) <= MAX_BYTES else None
    except (UnicodeDecodeError, ValueError, RecursionError):  # (the last: brackets nested a few thousand deep)
        found = None
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        raise UserError(_("{file} is not a gridcare key file.").format(file=path))
    return PrivateKeys(**{n: str(found.get(n) or "") for n in NAMES})


def private_keys(db_path: Path, role: str = "") -> PrivateKeys:
    """The keys for export and merge (with the office's own for a township or county `role`); a clear message if
    the file is gone or holds none (a key file emptied by hand: merging said the bundles were another township's)."""
    return _usable(read_keys(db_path), db_path, role)


def _usable(keys: PrivateKeys | None, db_path: Path, role: str) -> PrivateKeys:
    """`keys` as read from the key file, when they hold what `role` needs; else the clear message."""
    if keys is None:
        raise UserError(_("The private keys of this database ({file}) are missing. They are never in backups: "
                          "put back the copy you kept, or set up a new database.").format(file=keys_file(Path(db_path))))
    office = (getattr(keys, f"{role}_age_secret"), getattr(keys, f"{role}_sign_secret")) \
        if role in ("township", "county") else ()
    if not all((keys.device_age_secret, keys.device_sign_secret, *office)):
        raise UserError(_("{file} holds no private key (it was emptied). Put back the copy you kept: until then "
                          "nothing can be exported or merged.").format(file=keys_file(Path(db_path))))
    return keys


def write_keys(db_path: Path, keys: PrivateKeys) -> Path:
    """Write the key file, owner-only and durable. A different key file already there is moved
    aside (`.keys.replaced-<time>`), never overwritten: it may be the only copy of a township's key."""
    from storage.core.files import atomic_text_writer

    path = keys_file(Path(db_path))
    old = read_keys(db_path) if path.exists() else None
    if old is not None and old != keys:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        os.replace(path, path.with_name(f"{path.name}.replaced-{stamp}"))
    with atomic_text_writer(path) as fh:
        fh.write(json.dumps({"format": FORMAT, **asdict(keys)}, indent=1) + "\n")
    return path


def _main_file(conn: sqlite3.Connection) -> Path:
    return Path(next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"))


def move_out_of_database(conn: sqlite3.Connection) -> None:
    """Schema 2 -> 3, inside the upgrade's transaction: the identity row's keys to the key file.
    The file is written first, so a failure leaves the keys where they were."""
    cols = {row[1] for row in conn.execute("PRAGMA table_info(identity)")}
    if not set(IN_OLD_FILES) <= cols:
        return
    row = conn.execute(f"SELECT {', '.join(IN_OLD_FILES)} FROM identity WHERE id = 1").fetchone()
    if row is None or not any(row):
        return
    db_path = _main_file(conn)
    in_db = PrivateKeys(**{n: v or "" for n, v in zip(IN_OLD_FILES, row, strict=True)})
    on_disk = read_keys(db_path)
    if on_disk is not None:  # a restored old backup: what the file holds wins, the gaps come from the row
        in_db = PrivateKeys(**{n: getattr(on_disk, n) or getattr(in_db, n) for n in NAMES})
    write_keys(db_path, in_db)
    conn.execute(_BLANK)


def scrub_file(path: Path) -> None:
    """Blank the keys in a database file and rewrite it, so no free page or -wal keeps a copy
    (after an upgrade, and on the copy taken before it)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA secure_delete = ON")
        cols = {row[1] for row in conn.execute("PRAGMA table_info(identity)")}
        if set(IN_OLD_FILES) <= cols:
            conn.execute(_BLANK)
        conn.execute("VACUUM")
        with contextlib.suppress(sqlite3.DatabaseError):  # a copy in rollback-journal mode has no -wal
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def key_problem(db_path: Path, sign_public: str, role: str = "") -> str | None:
    """At start-up, what is wrong with the key file of a set-up database (signing as `sign_public`), said with what
    to do; None when nothing is. Export and merge said it first, at the month's end (walk E, D1)."""
    if not sign_public:  # not set up yet: no keys to expect
        return None
    path = keys_file(Path(db_path))
    try:
        found = read_keys(db_path)
    except UserError:  # there, but not a key file: overwritten, truncated, another program's
        return _("{file} is not a gridcare key file any more. Put back the copy you kept: until then nothing "
                 "can be exported or merged.").format(file=path)
    try:
        keys = _usable(found, db_path, role)
    except UserError as exc:  # gone, or emptied
        return str(exc)
    from storage.core.keys import public_of

    if keys.device_sign_secret and public_of(keys.device_sign_secret) != sign_public:
        return _("{file} holds the keys of another database. Put back this database's own copy: until then "
                 "nothing can be exported or merged.").format(file=path)
    return None

"""The files gridcare keeps beside a database (its drafts and backups folders, its key file) may come with a copied
folder, holding links and pipes where gridcare's own files were.

Seen before: a draft's name linked to another file had that file replaced by the draft as a form was typed in; a
drafts folder (or a backups folder) linked elsewhere had the folder it points to narrowed to 0700 (as root, a link
to /tmp made /tmp 0700); a named pipe in the drafts folder kept Home from ever showing (its figures list the drafts:
the read waited for a writer for ever), and one in place of the key file hung the start-up's check of the keys and
every export."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage.core import backup
from storage.core.errors import UserError
from storage.core.paths import backups_dir, drafts_dir, keys_file
from storage.core.private_keys import read_keys
from storage.register import drafts

pytestmark = pytest.mark.skipif(os.name == "nt", reason="links and named pipes as POSIX makes them")


def test_a_draft_named_by_a_link_replaces_the_link_not_the_file_it_points_to(tmp_path):
    db = tmp_path / "w.db"
    elsewhere = tmp_path / "profile.txt"
    elsewhere.write_text("the user's own file", encoding="utf-8")
    drafts_dir(db).mkdir(mode=0o700)
    drafts.draft_path(db, "abc").symlink_to(elsewhere)
    drafts.save_draft(db, "abc", {"notes": "看望"})
    assert elsewhere.read_text(encoding="utf-8") == "the user's own file"
    assert not drafts.draft_path(db, "abc").is_symlink()
    loaded = drafts.load_draft(db, "abc")
    assert loaded is not None and loaded.values == {"notes": "看望"}


def test_a_draft_named_by_a_link_is_not_read_through_it(tmp_path):
    db = tmp_path / "w.db"
    other = tmp_path / "other.json"
    drafts.save_draft(tmp_path / "other.db", "abc", {"notes": "someone else's"})
    drafts.draft_path(tmp_path / "other.db", "abc").rename(other)
    drafts_dir(db).mkdir(mode=0o700)
    drafts.draft_path(db, "abc").symlink_to(other)
    assert drafts.load_draft(db, "abc") is None


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_drafts_folder_linked_elsewhere_keeps_the_permissions_of_the_folder_it_points_to(tmp_path):
    db = tmp_path / "w.db"
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    drafts_dir(db).symlink_to(shared)
    drafts.save_draft(db, "abc", {"notes": "看望"})
    assert _mode(shared) == 0o755
    assert _mode(shared / "visit-abc.json") == 0o600  # the draft itself is the owner's alone


def test_a_backups_folder_linked_elsewhere_keeps_the_permissions_of_the_folder_it_points_to(tmp_path):
    from storage.core.db import open_database

    db_path = tmp_path / "w.db"
    open_database(db_path).dispose()
    disk = tmp_path / "other-disk"
    disk.mkdir()
    disk.chmod(0o755)
    backups_dir(db_path).symlink_to(disk)
    made = backup.backup_now(db_path)
    assert _mode(disk) == 0o755
    assert made.path.parent == backups_dir(db_path) and _mode(made.path) == 0o600


def _within(seconds: float, fifo: Path, call: Callable[[], Any]) -> dict[str, Any]:
    """`call`'s result or error, asserting that it came within `seconds`; a reader left waiting on `fifo` (the old
    code) is let go by opening the pipe for writing, so the test ends either way."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["result"] = call()
        except Exception as exc:  # the caller asserts on it
            out["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    stuck = worker.is_alive()
    if stuck:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(5)
    assert not stuck, "waited on a named pipe"
    return out


def test_a_named_pipe_among_the_drafts_is_skipped_without_waiting(tmp_path):
    db = tmp_path / "w.db"
    drafts.save_draft(db, "abc", {"notes": "看望"})
    fifo = drafts_dir(db) / "visit-pipe.json"
    os.mkfifo(fifo)
    out = _within(5, fifo, lambda: drafts.list_drafts(db))
    assert [d.resident_id for d in out["result"]] == ["abc"]


def test_a_named_pipe_in_place_of_the_key_file_is_refused_without_waiting(tmp_path):
    db = tmp_path / "w.db"
    fifo = keys_file(db)
    os.mkfifo(fifo)
    out = _within(5, fifo, lambda: read_keys(db))
    assert isinstance(out.get("error"), UserError), out
    assert "is not a gridcare key file" in str(out["error"])


@pytest.mark.parametrize("side", ["-wal", "-shm"])
def test_a_journal_beside_the_database_linked_elsewhere_is_named_and_nothing_is_written_through_it(tmp_path, side):
    """SQLite refuses such a link (it opens its journal without following one): the open said the database was
    damaged or not gridcare's, and the user looked for a problem in the wrong file."""
    from storage.core.db import open_database

    db_path = tmp_path / "w.db"
    open_database(db_path).dispose()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"the user's own file")
    link = db_path.with_name(db_path.name + side)
    link.symlink_to(elsewhere)
    with pytest.raises(UserError) as refused:
        open_database(db_path)
    assert str(refused.value) == (f"{link} is a link to another file, not the journal SQLite keeps beside the "
                                  "database; nothing was changed. Remove it, then open the database again.")
    assert elsewhere.read_bytes() == b"the user's own file"


@pytest.mark.parametrize("kind", ["a named pipe", "a folder"])
def test_a_pipe_or_a_folder_in_place_of_the_lock_file_is_named_in_one_line(tmp_path, kind):
    """The app's lock said "something went wrong" (an OSError, EINVAL on a pipe, EISDIR on a folder)."""
    from storage.core.lock import AppLock

    db = tmp_path / "w.db"
    lock = db.with_name("w.db.lock")
    if kind == "a named pipe":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    with pytest.raises(UserError, match=r"w.db.lock is a folder, a pipe or a device, not gridcare's lock file; "
                                        r"nothing was changed\. Remove it, then open the database again\.$"):
        AppLock(db).acquire()

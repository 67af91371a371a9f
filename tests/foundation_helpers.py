"""Small databases for the foundation tests, without key generation."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

from storage.core.changes import writer
from storage.core.db import Database, open_database
from storage.core.models import Identity

# tmpfs where there is one, for the randomised laws: they are about content, and on a disk the fsync of
# each new database dominates their time (durability is the kill harness's question, on the real disk)
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@contextlib.contextmanager
def clock_on(day: dt.date) -> Iterator[None]:
    """The events written inside stamped as on `day` (noon in China), for a story told with fixed dates.

    The due rule counts a never-visited person from the day their record entered gridcare, read off its
    first event's clock (storage/register/entered.py): a test whose residents were "registered in June"
    by a real clock of today would see them entered today. A device's clock never goes back, so a
    database must be made inside the block, not only its residents.
    """
    noon = dt.datetime.combine(day, dt.time(4), dt.timezone.utc)  # 12:00 in China
    ms = (noon - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(milliseconds=1)
    with mock.patch("storage.core.hlc.now_ms", return_value=ms):
        yield


def scratch() -> tempfile.TemporaryDirectory:
    """A folder in SCRATCH removed on leaving the `with` (tmpfs is memory: nothing may pile up there)."""
    return tempfile.TemporaryDirectory(dir=SCRATCH, prefix="gridcare-test-")


def make_db(path: Path, *, device_id: str = "aaaa000000000001", role: str = "worker",
            worker: str = "王网格", grid: str = "330521101-G01") -> Database:
    db = open_database(path)
    with db.write() as s:
        s.add(Identity(role=role, device_id=device_id, township_code="330521101", township_name="新市镇",
                       grid_code=grid if role == "worker" else None, grid_name="一网格", worker_name=worker,
                       created_at=dt.datetime(2026, 1, 1)))
        s.flush()
        if role == "worker":
            writer(s).write("grid", grid, {"code": grid.split("-")[1], "name": "一网格", "township_code": "330521101",
                                           "worker_name": worker})
    return db


def copy_db(src: Path, dst: Path) -> Path:
    """A copy of a database file and of its key file beside it (the keys are never inside it)."""
    import shutil

    from storage.core.paths import keys_file

    shutil.copy(src, dst)
    if keys_file(Path(src)).exists():
        shutil.copy(keys_file(Path(src)), keys_file(Path(dst)))
    return Path(dst)

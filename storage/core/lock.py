"""One app window per database: a second one is told the database is in use.

Command-line work (merge, export, import) runs alongside safely through
SQLite's own locking; the lock is for the interactive app, where two windows
editing one resident would silently overwrite each other's fields.

The lock file holds the holder's process id as text; the lock itself is taken by
storage.platform.try_lock, which on Windows locks a byte far beyond that text (Windows
enforces the lock against reads, and the second window must read the id to say who holds it).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from storage.core import platform
from storage.core.errors import UserError
from storage.core.i18n import _

_PID_BYTES = 32


class DatabaseInUse(UserError):
    pass


class AppLock:
    def __init__(self, db_path: Path):
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        # never through a link: the file is emptied and written, and a link left beside the database (a copied
        # folder, a shared one) would have the user's own file pointed at emptied instead
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            if exc.errno == errno.EISDIR:
                raise self._not_a_file() from None
            if exc.errno != errno.ELOOP:
                raise
            raise UserError(_("{path} is a link to another file, not gridcare's lock file; nothing was changed. "
                              "Remove it, then open the database again.").format(path=self.path)) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a named pipe: the lock's writes failed, "an unexpected error"
            os.close(fd)
            raise self._not_a_file()
        try:
            platform.try_lock(fd)
        except OSError:
            try:
                os.lseek(fd, 0, os.SEEK_SET)
                holder = os.read(fd, _PID_BYTES).decode("ascii", "replace").strip() or "?"
            finally:
                os.close(fd)
            raise DatabaseInUse(
                _("This database is open in another gridcare window (process {pid}); close it first.").format(pid=holder)
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, str(os.getpid()).encode("ascii"))
        except BaseException:
            with contextlib.suppress(OSError):
                platform.unlock(fd)
            os.close(fd)
            raise
        self._fd = fd

    def _not_a_file(self) -> UserError:
        return UserError(_("{path} is a folder, a pipe or a device, not gridcare's lock file; nothing was changed. "
                           "Remove it, then open the database again.").format(path=self.path))

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                platform.unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> AppLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

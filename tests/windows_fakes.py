"""Windows' behaviour at the boundary storage/core/platform.py wraps, reproduced on Linux.

No Windows machine runs these tests: each fake does what the Windows call does (the same
error, the same errno), and `as_windows` switches storage.platform to its Windows twins.

- os.fsync: Windows' _commit needs a handle open for writing; a read-only one gives
  OSError(EBADF) "Bad file descriptor".
- msvcrt.locking: locks bytes from the current position; another handle that locks, reads or
  writes a locked byte gets PermissionError(EACCES) (Windows enforces byte-range locks).
- ctypes.windll.kernel32.GetUserDefaultUILanguage / GetUserDefaultLangID: the LANGID.
"""

from __future__ import annotations

import errno
import fcntl
import os
import types

from storage.core import platform

_real_fsync = os.fsync
_real_read = os.read
_real_write = os.write


def windows_fsync(fd: int) -> None:
    if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
        raise OSError(errno.EBADF, "Bad file descriptor")
    _real_fsync(fd)


class FakeMsvcrt(types.ModuleType):
    """msvcrt.locking with Windows' mandatory byte-range locks, shared by every handle of the process."""

    LK_UNLCK, LK_LOCK, LK_NBLCK, LK_RLCK, LK_NBRLCK = 0, 1, 2, 3, 4

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.locks: dict[tuple[int, int], dict[int, int]] = {}  # file -> {byte: fd holding it}
        self.calls: list[tuple[int, int]] = []  # (mode, offset)

    @staticmethod
    def _file(fd: int) -> tuple[int, int]:
        st = os.fstat(fd)
        return st.st_dev, st.st_ino

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        start = os.lseek(fd, 0, os.SEEK_CUR)
        self.calls.append((mode, start))
        held = self.locks.setdefault(self._file(fd), {})
        span = range(start, start + nbytes)
        if mode == self.LK_UNLCK:
            if any(held.get(b) != fd for b in span):
                raise PermissionError(errno.EACCES, "Permission denied")
            for b in span:
                del held[b]
            return
        if any(b in held for b in span):
            raise PermissionError(errno.EACCES, "Permission denied")
        for b in span:
            held[b] = fd

    def blocked(self, fd: int, n: int) -> bool:
        held = self.locks.get(self._file(fd))
        if not held:  # pipes and every other file: no lseek on them
            return False
        start = os.lseek(fd, 0, os.SEEK_CUR)
        return any(held.get(b, fd) != fd for b in range(start, start + n))

    def read(self, fd: int, n: int) -> bytes:
        if self.blocked(fd, n):
            raise PermissionError(errno.EACCES, "Permission denied")  # ERROR_LOCK_VIOLATION
        return _real_read(fd, n)

    def write(self, fd: int, data: bytes) -> int:
        if self.blocked(fd, len(data)):
            raise PermissionError(errno.EACCES, "Permission denied")
        return _real_write(fd, data)


class FakeWindll:
    def __init__(self, ui_langid: int, user_langid: int | None = None):
        self.kernel32 = types.SimpleNamespace(
            GetUserDefaultUILanguage=lambda: ui_langid,
            GetUserDefaultLangID=lambda: ui_langid if user_langid is None else user_langid,
        )


def as_windows(monkeypatch, *, ui_langid: int = 0x0804, user_langid: int | None = None) -> FakeMsvcrt:
    """Run storage.platform's Windows twins against the fakes; returns the msvcrt fake."""
    import ctypes
    import sys

    msvcrt = FakeMsvcrt()
    monkeypatch.setattr(platform, "WINDOWS", True)
    monkeypatch.setitem(sys.modules, "msvcrt", msvcrt)
    monkeypatch.setattr(os, "fsync", windows_fsync)
    monkeypatch.setattr(os, "read", msvcrt.read)
    monkeypatch.setattr(os, "write", msvcrt.write)
    monkeypatch.setattr(ctypes, "windll", FakeWindll(ui_langid, user_langid), raising=False)
    monkeypatch.delenv("WT_SESSION", raising=False)
    return msvcrt

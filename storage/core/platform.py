"""Every operating-system call that behaves differently on Windows, each behind one function
with its Windows twin.

Most laptops run Chinese Windows 10 (docs/windows.md); this machine and CI run Linux. The
twins are chosen at call time by `WINDOWS`, so a test can set it and install the Windows
behaviour at this boundary (tests/windows_fakes.py): `os.fsync` refusing a read-only
handle, `msvcrt.locking` locks that also stop reads, `ctypes.windll` for the UI language.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

WINDOWS = os.name == "nt"
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation on raw descriptors

# The app lock's byte lies far beyond the lock file's text (the holder's process id): Windows
# enforces msvcrt.locking against reads too, so the reader of the id must never touch it.
# Below 2**31: the C runtime's _locking takes the file position as a 32-bit long.
LOCK_OFFSET = 1 << 30


# --- durability -----------------------------------------------------------------------------


def fsync_file(path: Path) -> None:
    """Flush a file's data to the disk. Windows' fsync (_commit) needs a handle open for
    writing (a read-only one gives OSError EBADF), so the file is opened read-write on both."""
    fd = os.open(path, os.O_RDWR | _BINARY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable. POSIX: fsync the directory. Windows has no such call
    (a directory cannot be opened with os.open; NTFS journals its metadata): nothing."""
    if WINDOWS:
        return
    with contextlib.suppress(OSError):  # some filesystems (network, FAT on a stick) refuse it
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- who may read a file ----------------------------------------------------------------------


def create_owner_only(path: Path) -> None:
    """Create an empty file readable by its owner only from the first byte (it must not exist).
    Windows ignores the mode bits (the user profile's folders are the user's by their ACL)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL | _BINARY, 0o600)
    os.close(fd)


def make_owner_only(path: Path, *, directory: bool = False) -> None:
    """POSIX: chmod 0600 (0700 for a folder). Windows: nothing — its chmod only sets the
    read-only flag; who may read is the ACL, which %LOCALAPPDATA% restricts to the user (and
    administrators). The README says so."""
    if WINDOWS:
        return
    with contextlib.suppress(OSError, NotImplementedError):
        os.chmod(path, 0o700 if directory else 0o600)


def writable(path: Path) -> bool:
    """Whether gridcare may write `path` (a file or a folder). POSIX: the owner's write bit as well
    as access(2), since a superuser may write anything, yet a file its user made read-only (chmod
    0400) is meant to stay unwritten; a read-only filesystem fails access(2). Windows: a file's
    read-only attribute counts; a folder's does not (Explorer sets it on Documents and on folders
    it customises, which stay writable): a write refused there is reported when it happens."""
    try:
        st = path.stat()
    except OSError:
        return False
    if WINDOWS and path.is_dir():
        return True
    if not st.st_mode & 0o200:
        return False
    return os.access(path, os.W_OK)


# --- the app lock -----------------------------------------------------------------------------


def try_lock(fd: int) -> None:
    """Take the app lock on an open lock file, without waiting; OSError if another holds it.
    POSIX: flock on the whole file (reads are never blocked). Windows: msvcrt.locking on the
    byte at LOCK_OFFSET, which no reader of the file's text ever reads."""
    if WINDOWS:
        import msvcrt

        os.lseek(fd, LOCK_OFFSET, os.SEEK_SET)
        # typeshed gives msvcrt's API to a `sys.platform == "win32"` check only; WINDOWS is a test seam
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        os.lseek(fd, 0, os.SEEK_SET)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def unlock(fd: int) -> None:
    if WINDOWS:
        import msvcrt

        os.lseek(fd, LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]  # (as in try_lock)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


# --- language and terminal ----------------------------------------------------------------------


def ui_languages() -> list[str]:
    """The user's interface languages as locale names ('zh_CN', 'en_US' ...), best first:
    LANGUAGE, LC_ALL, LC_MESSAGES, LANG when set (POSIX; on Windows only a shell such as Git
    Bash sets them); then, on Windows, the user's UI language (GetUserDefaultUILanguage) and
    the user's locale (GetUserDefaultLangID)."""
    found = []
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        found += [part for part in os.environ.get(var, "").split(":") if part]
    if WINDOWS:
        import ctypes
        import locale

        with contextlib.suppress(AttributeError, OSError):
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]  # (Windows only, as in try_lock)
            for call in (kernel32.GetUserDefaultUILanguage, kernel32.GetUserDefaultLangID):
                name = locale.windows_locale.get(int(call()))
                if name:
                    found.append(name)
    return found


def legacy_console() -> bool:
    """True in the old Windows console host (conhost), which draws East-Asian-ambiguous glyphs
    (…, ─, ▏, “) two cells wide under a Chinese code page. Windows Terminal sets WT_SESSION."""
    return WINDOWS and not os.environ.get("WT_SESSION")


def configure_std_streams() -> None:
    """Files and pipes get UTF-8 whatever the console's code page (Windows gives a redirected
    stdout the ANSI code page, cp936, which cannot hold 𠮷); a console gets what it can show,
    the rest replaced rather than a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            tty = stream.isatty()
        except (OSError, ValueError):
            continue
        if tty:
            reconfigure(errors="replace")
        else:
            # surrogateescape: a file name the locale could not decode (a Chinese name under LANG=C with
            # UTF-8 mode off) is written back as the bytes it was; any other text still strictly as UTF-8
            reconfigure(encoding="utf-8", errors="surrogateescape")


# --- places to look for files -----------------------------------------------------------------


def storage_roots() -> list[Path]:
    """Where a USB stick or another disk shows up: on Windows every drive letter that exists
    (C:\\, D:\\, E:\\ ...); elsewhere the mount folders' entries (/media/<user>/<stick>,
    /run/media/<user>/<stick>, /mnt/<disk>, /Volumes/<disk>)."""
    if WINDOWS:
        import string

        return [Path(f"{letter}:\\") for letter in string.ascii_uppercase if os.path.exists(f"{letter}:\\")]
    user = os.environ.get("USER") or os.environ.get("LOGNAME") or ""
    found: list[Path] = []
    for base in (Path("/media") / user, Path("/run/media") / user, Path("/media"), Path("/mnt"), Path("/Volumes")):
        with contextlib.suppress(OSError):
            if base.is_dir():
                found += sorted(p for p in base.iterdir() if p.is_dir() and p != Path("/media") / user)
    return list(dict.fromkeys(found))

"""Writing files so that a crash never leaves half a file behind."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from storage.core.platform import fsync_dir, make_owner_only


def make_owner_only_dir(path: Path) -> None:
    """A folder for personal data (drafts, backups), created 0700. One made wider by an earlier version
    is narrowed: it is gridcare's own folder, not one a user set up. One reached through a link is not
    narrowed: its permissions are those of a folder elsewhere (a drafts folder linked to /tmp made /tmp
    0700); what gridcare writes in it is owner-only from its first byte all the same."""
    if path.is_symlink() and path.is_dir():
        return
    path.mkdir(mode=0o700, parents=True, exist_ok=True)  # the mode is given when it is made: no window
    if path.stat().st_mode & 0o077:
        make_owner_only(path, directory=True)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "wb", encoding: str | None = None, newline: str | None = None, *,
                  through_links: bool = True) -> Iterator[IO]:
    """Write to a temporary file beside `path`, fsync, then rename over it (owner-only).

    A link is written through (the link stays, its file is replaced): a file the user named. `through_links` False,
    for gridcare's own files in its own folders, replaces the link itself: a draft's name linked to another file
    had that file replaced by the draft. A folder, a pipe or a device is refused: the rename would have put a file
    in place of a FIFO or of /dev/full (as root), or failed on a folder.
    """
    path = Path(path)
    if path.is_symlink() and through_links:
        path = path.resolve()
    if path.exists() and not path.is_file() and not path.is_symlink():
        from storage.core.errors import UserError
        from storage.core.i18n import _
        from storage.core.text import printable

        raise UserError(_("{path} is a folder or a device, not a file: give the name of a file to write.").format(
            path=printable(str(path))))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:  # a drive letter with no stick in it, a name under a file: the place, not a bug
        raise not_writable(path, said_of(path, exc)) from exc
    try:
        make_owner_only(Path(tmp))
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        named = said_of(path, exc) if isinstance(exc, OSError) else exc
        if named is not exc:  # a full disk, a read-only stick: as_user_error says it, of the file asked for
            raise named from exc
        raise


def said_of(path: Path, exc: OSError) -> OSError:
    """The system's error about the hidden temporary file (.r.xlsx.upnvxvts.part), or about no file (a write on a
    full disk), said of `path`, the file the user asked for: the messages of storage/core/errors.py name the error's
    file. An error about any other file (a folder above that cannot be made) is kept as it is."""
    name = exc.filename
    if exc.errno is None or isinstance(name, int):
        return exc
    part = Path(os.fsdecode(name)).name if name is not None else None  # mkstemp's is absolute where `path` is not
    if part is not None and not (part.startswith(f".{path.name}.") and part.endswith(".part")):
        return exc
    return OSError(exc.errno, exc.strerror, str(path))  # OSError(errno, ...) is PermissionError etc. as the errno says


def not_writable(path: Path, exc: OSError) -> Exception:
    """The one line for a file that cannot be made at `path`: a full or read-only disk, permissions as
    storage/core/errors.py says them; any other reason with the system's words (Chinese on a Chinese Windows)."""
    from storage.core.errors import UserError, as_user_error
    from storage.core.i18n import _
    from storage.core.text import printable

    known = as_user_error(exc)
    if known is not None:
        return known
    above = next((p for p in path.parents if p.exists()), None)
    if above is not None and not above.is_dir():
        return UserError(_("Could not write {path}: {file} is a file, not a folder.").format(
            path=printable(str(path)), file=printable(str(above))))
    return UserError(_("Could not write {path}: {error}").format(path=printable(str(path)), error=exc.strerror or exc))


def atomic_text_writer(path: Path, *, bom: bool = False,
                       through_links: bool = True) -> contextlib.AbstractContextManager[IO[str]]:
    return atomic_writer(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="", through_links=through_links)


class NotAFile(OSError):
    """What read_small raises for a folder, a pipe or a device where a file of gridcare's was expected."""


def read_small(path: Path, limit: int, *, through_links: bool = True) -> bytes:
    """At most `limit` + 1 bytes of the file at `path` (more than `limit`: too big to be the file expected), read
    without waiting and without reading on: a named pipe in its place waited for ever for a writer (Home never came),
    and a link to /dev/zero was read until memory ran out. FileNotFoundError if there is none; NotAFile for a folder,
    a pipe or a device; `through_links` False: OSError (ELOOP) for a link."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | (0 if through_links else getattr(os, "O_NOFOLLOW", 0)))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotAFile(errno.EINVAL, "not a file", str(path))
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# what no Windows file name may hold; nor may one be a device's name, whatever its extension
_NOT_IN_FILE_NAMES = str.maketrans(dict.fromkeys('\\/:*?"<>|', "_"))
_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


def windows_name(text: str, limit: int = 120) -> str:
    """`text` as a file name (without its extension) that Windows takes as it is: the characters it refuses and
    control characters as '_', no dot or space at either end (Windows drops them), at most `limit` characters;
    "" when nothing is left."""
    name = "".join(ch if ch.isprintable() else "_" for ch in text.translate(_NOT_IN_FILE_NAMES))
    name = name[:limit].strip(" .")
    return f"{name}_" if name.split(".")[0].upper() in _DEVICES else name

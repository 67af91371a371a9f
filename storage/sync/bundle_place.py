"""Where an export bundle goes, never over another one.

A device's bundles carry consecutive numbers, and the file name says whose and which number. The database
knows the numbers it sent; a file on the stick may still say otherwise: a restore whose replaced database could
not be read (a damaged one, the very reason to restore), or an export that crashed after writing its file and
before recording it. Replacing that file would lose what only it holds (walk E, C1: a resident entered after a
backup, exported, then the backup restored), and writing a second file of the same number would hand the
township two different bundles numbered alike. So the number moves past any bundle of this device already in
the folder, and a file named outright is never replaced.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from pathlib import Path

from storage.core.errors import UserError
from storage.core.i18n import _
from storage.sync.bundle_file import SUFFIX


def place_bundle(out: Path, seq: int, name_of: Callable[[int], str]) -> tuple[Path, int]:
    """(the file to write, its number) for the bundle numbered at least `seq`; `name_of(seq)` names the file.

    `out` is a folder (or a name without a suffix, made a folder) or the file itself."""
    if out.is_dir() or not out.suffix:
        while True:
            name = name_of(seq)
            same_number = name[: -len(SUFFIX)].rsplit("-", 1)[0]  # the name without its date: any day's file
            if not any(out.glob(glob.escape(same_number) + "-*" + SUFFIX)):
                return out / name, seq
            seq += 1
    if out.exists():
        raise UserError(_("{path} already exists; nothing was written. Export to a folder, or name a new file.")
                        .format(path=out))
    return out, seq

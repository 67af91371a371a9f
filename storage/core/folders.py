"""Finding a folder or a file without a mouse: what a folder holds, its parent up to the root,
the places a USB stick shows up, and a path typed or pasted by a person.

The Sync screen's export folder, the township key file, a roster: a screen lists what these
functions give and lets the person type or paste a path instead (tui/path_picker.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from storage.core import platform
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.core.text import printable

MAX_ENTRIES = 2000  # a folder of 100,000 photos must not freeze an old laptop: the first ones, sorted


@dataclass(frozen=True)
class Entry:
    path: Path
    is_dir: bool


def typed_path(text: str) -> Path | None:
    """The path a person typed or pasted: quotes (Windows' "Copy as path") and a file:// URL taken off,
    ~ expanded; None for an empty text."""
    text = (text or "").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    if text.lower().startswith("file://"):
        text = unquote(urlparse(text).path)
        if re.match(r"^/[A-Za-z]:", text):  # file:///C:/Users/...
            text = text[1:]
    if not text:
        return None
    return Path(os.path.expanduser(text))


def parent(folder: Path) -> Path | None:
    """The folder above, None at the root (a drive's root on Windows: the drives are the places)."""
    folder = Path(folder)
    up = folder.parent
    return None if up == folder else up


def places() -> list[Path]:
    """Where to start looking: the home folder, then every disk or stick plugged in."""
    home = Path.home()
    return [home, *[p for p in platform.storage_roots() if p != home]]


def listing(folder: Path, suffixes: tuple[str, ...] = ()) -> list[Entry]:
    """The sub-folders of `folder` and, if `suffixes` are given, its files with one of them; hidden ones left out,
    folders first, each group by name. A folder that cannot be read is a UserError saying so."""
    folder = Path(folder)
    entries: list[Entry] = []
    try:
        with os.scandir(folder) as it:
            for n, item in enumerate(it):
                if n >= MAX_ENTRIES * 5:
                    break
                if item.name.startswith(".") or item.name.startswith("$"):
                    continue
                try:
                    is_dir = item.is_dir()
                except OSError:
                    continue
                if is_dir or (suffixes and item.name.lower().endswith(suffixes)):
                    entries.append(Entry(Path(item.path), is_dir))
    except FileNotFoundError:
        raise UserError(_("There is no folder {path}.").format(path=printable(str(folder), limit=200))) from None
    except NotADirectoryError:
        raise UserError(_("{path} is a file, not a folder.").format(path=printable(str(folder), limit=200))) from None
    except PermissionError:
        raise UserError(_("This computer does not let gridcare read {path}.").format(
            path=printable(str(folder), limit=200))) from None
    except OSError as exc:
        raise UserError(_("{path} cannot be read: {error}").format(path=printable(str(folder), limit=200),
                                                                    error=exc.strerror or exc)) from None
    entries.sort(key=lambda e: (not e.is_dir, e.path.name.lower()))
    return entries[:MAX_ENTRIES]

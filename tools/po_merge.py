"""A git merge driver for the translation catalogs: the union of both sides' translations.

Two branches that each add messages to a sorted catalog conflict wherever their new
entries sit side by side; neither side's translations should be lost. Set up once per clone:

    git config merge.po.driver "python tools/po_merge.py %O %A %B %P"
    git config merge.mo.driver "python tools/po_merge.py --ours %O %A %B %P"

(.gitattributes names the files.) After a merge, `python tools/i18n.py` re-extracts the
messages from the merged code and compiles the .mo files again.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def _read(path: str):
    data = Path(path).read_bytes()
    return read_po(io.BytesIO(data)) if data.strip() else None


def _key(message):
    return (message.id, message.context)


def merge(base_path: str, ours_path: str, theirs_path: str) -> int:
    base, ours, theirs = _read(base_path), _read(ours_path), _read(theirs_path)
    if ours is None or theirs is None:
        return 1
    before = {_key(m): m.string for m in base} if base is not None else {}
    clashes = 0
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None:
            ours[message.id] = message
            continue
        if mine.string == message.string or not message.string:
            continue
        if not mine.string or mine.string == before.get(_key(message)):
            mine.string = message.string
        elif message.string != before.get(_key(message)):
            clashes += 1  # both sides changed one translation: keep ours, say so
            print(f"po_merge: both sides translated {message.id!r}; kept ours", file=sys.stderr)
    buf = io.BytesIO()
    write_po(buf, ours, omit_header=False, no_location=True, sort_output=True, width=0)
    Path(ours_path).write_bytes(buf.getvalue())
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--ours":
        sys.exit(0)  # compiled files are rebuilt by tools/i18n.py after the merge
    sys.exit(merge(*args[:3]))

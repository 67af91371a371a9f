"""What a merge of a folder left, in the reader's language: the bundles not for this level, the files that
cannot be read (storage/sync/folder.py for_this_database). The CLI's merge and the Sync screen say the same."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.i18n import _, ngettext

if TYPE_CHECKING:
    from storage.sync.folder import Taken


def skipped_text(role: str, n: int) -> str:
    """The bundles of a folder a merge left (storage/sync/folder.py for_this_database): none of them for this level."""
    if role == "county":
        return ngettext("Skipped {n} bundle in the folder that is not a township's to the county (the grid workers' "
                        "bundles, the townships' to their grids).",
                        "Skipped {n} bundles in the folder that are not a township's to the county (the grid workers' "
                        "bundles, the townships' to their grids).", n).format(n=n)
    return ngettext("Skipped {n} bundle in the folder that is not the township's to this grid (this laptop's own "
                    "exports, the other workers', the other grids').",
                    "Skipped {n} bundles in the folder that are not the township's to this grid (this laptop's own "
                    "exports, the other workers', the other grids').", n).format(n=n)


def unreadable_text(problem: str) -> str:
    """A file of a folder that a worker's merge left because its header cannot be read (storage/sync/folder.py
    Taken.unreadable); `problem` names the file."""
    return _("Not merged: {problem} If it is the township's bundle for this grid, ask the township's civil affairs "
             "assistant to export it again.").format(problem=problem)


def left_lines(taken: Taken) -> list[str]:
    """What a merge of a folder left, in the order it was left: the bundles not for this level, the damaged files."""
    return (([skipped_text(taken.role, taken.left)] if taken.left else [])
            + [unreadable_text(b.problem) for b in taken.unreadable])


def none_for_here_text(role: str) -> str:
    """A folder of bundles none of which is for this level (skipped_text says what they were)."""
    if role == "county":
        return _("No bundle from a township to the county there.")
    return _("No bundle from the township for this grid there.")

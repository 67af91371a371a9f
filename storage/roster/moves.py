"""What a roster row's update takes away, said old -> new on the row (walk G, 3).

The row said only "更改：人员类别、备注、所属网格": a person moved to another grid leaves its worker's list,
and a category the row does not name is dropped, with nothing on the row to say which.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storage.core.i18n import _
from storage.roster.report import Problem


def what_an_update_takes(column: Callable[[str], str], grids: dict[str, Any], existing: Any,
                         diff: dict[str, Any]) -> list[Problem]:
    """What an update takes away, old -> new: the grid a person leaves (its worker's list loses them) and the
    categories replaced. The row said only "更改：人员类别、所属网格" (walk G, 3)."""
    from storage.register.value_labels import value_text

    out = []
    if "grid_code" in diff:
        def grid(gid: str | None) -> str:
            g = grids.get(gid or "")
            return (g.name or g.code) if g is not None else (gid or "").split("-", 1)[-1] or "—"

        out.append(Problem(column("grid_code"), _("{old} -> {new}: the person leaves {old}'s list for {new}'s; both "
                                                  "grids' workers are told with the next bundle to each.").format(
            old=grid(existing.grid_code), new=grid(diff["grid_code"]))))
    dropped = [c for c in (existing.categories or []) if c not in (diff.get("categories") or existing.categories)]
    if "categories" in diff and dropped:
        out.append(Problem(column("categories"), _("{old} -> {new}").format(
            old=value_text("resident", "categories", list(existing.categories)) or "—",
            new=value_text("resident", "categories", list(diff["categories"])) or "—")))
    return out

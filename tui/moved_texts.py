"""The worker's merge's lines of the key persons who came to the grid (moved from another, or registered at the
township) and who left it: storage/register/moved_here.py, storage/sync/merged_away.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.i18n import _, join_list, ngettext
from storage.core.text import printable

if TYPE_CHECKING:
    from storage.register.moved_here import MovedHere
    from storage.sync.merge import MergeReport


def moved_lines(report: MergeReport) -> list[str]:
    """A worker's merge: how many key persons the township moved to this grid or registered in it, and moved away
    from it, by name (each had been only one more of the records added, or gone without a word). A closed case
    that came is named apart: it is on the grid's register now, but no one to visit, and not on Home's notice."""
    lines = []
    here = [m for m in report.moved_here if not m.closed]
    if here:
        lines.append(ngettext(
            "Moved by the township to this grid: {n} key person, {names}. This grid visits them now; Home lists them "
            "until you open or visit them.",
            "Moved by the township to this grid: {n} key persons, {names}. This grid visits them now; Home lists them "
            "until you open or visit them.", len(here)).format(
            n=len(here), names=join_list(_came(m) for m in here)))
    new = [m for m in report.registered_here if not m.closed]
    if new:
        lines.append(ngettext(
            "Registered by the township in this grid: {n} new key person, {names}. This grid visits them; Home lists "
            "them until you open or visit them.",
            "Registered by the township in this grid: {n} new key persons, {names}. This grid visits them; Home lists "
            "them until you open or visit them.", len(new)).format(
            n=len(new), names=join_list(_came(m) for m in new)))
    closed = [m for m in report.moved_here + report.registered_here if m.closed]
    if closed:
        lines.append(ngettext(
            "Moved or registered by the township in this grid with the case closed: {n} person, {names}. Not to be "
            "visited: Home does not list them.",
            "Moved or registered by the township in this grid with the case closed: {n} persons, {names}. Not to be "
            "visited: Home does not list them.", len(closed)).format(
            n=len(closed), names=join_list(_came(m) for m in closed)))
    away = report.moved_away
    if away:
        lines.append(ngettext(
            "Moved by the township to another grid: {n} key person, {names}. That grid visits them now; they are no "
            "longer on this grid's list.",
            "Moved by the township to other grids: {n} key persons, {names}. Those grids visit them now; they are no "
            "longer on this grid's list.", len(away)).format(
            n=len(away), names=join_list(_("{name} (to grid {grid})").format(
                name=printable(name, limit=20), grid=printable(grid, limit=20)) for name, grid in away)))
    return lines


def _came(m: MovedHere) -> str:
    """A person who came to this grid, named in the merge's lines: from which grid, if moved."""
    name = printable(m.name, limit=20)
    return _("{name} (from grid {grid})").format(name=name, grid=printable(m.from_grid, limit=20)) if m.from_grid else name

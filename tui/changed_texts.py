"""What a merge changed in records a person knows: at a worker, the township's corrections of her residents; at a
township, edits that reached a record it had merged away. Named one by one, up to CHANGED_SHOWN, then counted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.core.i18n import _, ngettext
from tui.formatting import format_number

if TYPE_CHECKING:
    from storage.sync.merge import MergeReport
    from storage.sync.worker_changes import Changed

CHANGED_SHOWN = 10  # residents named one by one after a merge; the rest are counted


def changed_lines(report: MergeReport) -> list[str]:
    lines = [_("The township's bundle changed {name}'s record: {fields}.").format(name=c.name, fields=_fields(c))
             for c in report.changed[:CHANGED_SHOWN]]  # the clerk's corrections and decisions, replacing what was typed
    lines += _more(len(report.changed))
    # else the change sits on a record no list shows
    lines += [_("A bundle changed {name}, whom the township had already merged into {kept}'s record: {fields}. "
                "The record kept does not have this: check it and change it there if right.").format(
        name=c.name, kept=kept, fields=_fields(c)) for c, kept in report.landed_away[:CHANGED_SHOWN]]
    lines += _more(len(report.landed_away))
    return lines


def _fields(c: Changed) -> str:
    return _("; ").join(_("{field} → {value}").format(field=f, value=v) for f, v in c.shown())


def _more(count: int) -> list[str]:
    more = count - CHANGED_SHOWN
    if more <= 0:
        return []
    return [ngettext("…and {n} more person's record.", "…and {n} more people's records.", more).format(
        n=format_number(more))]

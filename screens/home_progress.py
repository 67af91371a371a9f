"""Home's progress panel: this month's visits, everyone and each category, and the lines under it.

At a small terminal (80×24, the laptop of many a grid worker) the bars of eleven categories would
leave the list below five rows: there the categories go two to a line, without bars, so the list
keeps ten rows or more. A taller terminal gets a bar per category.
"""

from __future__ import annotations

from rich.console import Group
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from storage.core.glyphs import narrow, plain
from storage.core.i18n import _
from storage.core.text import printable
from storage.register.categories import SHOWN_CATEGORIES, label
from tui.category_words import CategoryLabel
from tui.formatting import format_month, format_percent
from tui.line_breaks import Typeset, Wrapped

# rows Home needs besides the progress panel: header, tab bar (2), the list's header, footer, and
# a few lines under the bars; and the list rows below which the panel goes compact
OTHER_ROWS = 8
MIN_LIST_ROWS = 12


def compact_for(height: int, categories: int) -> bool:
    """Whether a screen `height` rows high shows the categories two to a line (see the module's note)."""
    return height - OTHER_ROWS - 1 - categories < MIN_LIST_ROWS


def progress_renderable(data, compact: bool = False):
    """This month's progress: everyone with a bar, then each category (bars, or two to a line when compact)."""
    overall = data.overall
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, ratio=None)
    table.add_column(ratio=1)
    table.add_column(no_wrap=True, justify="right")
    table.add_row(_("Visited in {month}").format(month=format_month(data.today)), _bar(overall),
                  _share_text(overall), style="bold")
    if not compact:
        for p in data.by_category:
            table.add_row("  " + label(SHOWN_CATEGORIES, p.key), _bar(p), _share_text(p))
    parts: list = [table]
    if compact and data.by_category:
        parts.append(_two_to_a_line(data.by_category))
    if getattr(data, "nobody_enrolled", False) and not overall.total:  # a new township: its first step is not n
        parts.append(Wrapped(_("No worker enrolled yet: press d (Devices), then n, to make an enrollment code for each "
                               "grid's worker; their key persons come with their bundles."), style="italic"))
    elif not overall.total and data.role == "township":  # its workers enrolled: their bundles bring the register
        parts.append(Wrapped(_("No key persons yet: press s to merge the workers' bundles, n to register one, or "
                               "import a roster (Ctrl+P)."), style="italic"))
    elif not overall.total:
        parts.append(Text(_("No key persons registered yet: press n to register one, or import a roster (Ctrl+P)."),
                          style="italic"))
    alerts = _alerts(data, compact)
    if alerts:
        parts.append(_Alerts(alerts, side_by_side=compact))
    parts.append(_policy_text(data.policy, data.role))
    return Group(*parts)


def not_read_text(problem: object) -> Typeset:
    """What stands in the progress panel's place when Home's figures could not be read (a damaged database, or one
    busy elsewhere): the problem's own line, with what to do."""
    return Wrapped(_("The figures could not be read. {problem}").format(problem=problem), style="bold red")


def _alerts(data, compact: bool) -> list[tuple[str, str, str]]:
    """(words, figure, style) of the lines under the bars: what waits for the user, and the key that opens it.

    Compact (80×24): shorter words, and only what is not zero, so that they share one line when they fit
    (at a township the three of them were cut: "疑似重复（按 c，再按 d…").
    """
    alerts = []
    drafts = getattr(data, "visit_drafts", [])
    if len(drafts) == 1:  # a visit begun and left (a closed terminal, a flat battery): the form kept it
        name = printable(drafts[0][1])
        alerts.append((_("Unsaved visit: {name} (u)").format(name=name) if compact
                       else _("Visit to {name} not saved yet (press u to go on)").format(name=name), "", "bold yellow"))
    elif drafts:
        alerts.append((_("Unsaved visits (u)") if compact else _("Visits not saved yet (press u for the latest)"),
                       str(len(drafts)), "bold yellow"))
    typed = getattr(data, "registration_draft", None)
    if typed is not None:  # a new resident begun and left: n opens the form, which offers it back
        name = printable(typed)
        if compact:
            words = _("Unsaved registration: {name} (n)").format(name=name) if name else _("Unsaved registration (n)")
        else:
            words = (_("Registration of {name} not saved yet (press n to go on)").format(name=name) if name
                     else _("A registration not saved yet (press n to go on)"))
        alerts.append((words, "", "bold yellow"))
    moved = getattr(data, "moved_here", [])
    if len(moved) == 1:  # moved to this grid by the township: until opened or visited (storage/register/moved_here.py)
        name = printable(moved[0][1])
        alerts.append((_("Moved here: {name} (t)").format(name=name) if compact
                       else _("Moved to this grid by the township: {name} (press t to open)").format(name=name), "",
                       "bold yellow"))
    elif moved:
        alerts.append((_("Moved here (t)") if compact else _("Moved to this grid by the township (press t for the first)"),
                       str(len(moved)), "bold yellow"))
    new = getattr(data, "registered_here", [])
    if len(new) == 1:  # registered in this grid at the township (the clerk's form or roster): as those moved here
        name = printable(new[0][1])
        alerts.append((_("New from the township: {name} (t)").format(name=name) if compact
                       else _("Registered in this grid by the township: {name} (press t to open)").format(name=name),
                       "", "bold yellow"))
    elif new:
        alerts.append((_("New from the township (t)") if compact
                       else _("Registered in this grid by the township (press t for the first)"), str(len(new)),
                       "bold yellow"))
    late = data.counts.get("referrals_overdue", 0)
    if late:
        alerts.append((_("Referrals late (tab 4)") if compact else _("Referrals past their follow-up date (tab 4)"),
                       str(late), "bold red"))
    if data.role == "township":
        conflicts = data.open_conflicts
        if conflicts or not compact:
            alerts.append((_("Conflicts (c)") if compact else _("Conflicts to review (press c)"), str(conflicts),
                           "bold red" if conflicts else ""))
        dups = getattr(data, "possible_duplicates", 0)
        if getattr(data, "later", False):  # counted a moment after the first figures (home_later.py)
            alerts.append((_("Duplicates? (c, d)") if compact else _("Possible duplicates (c, then d)"), narrow("…"),
                           ""))
        elif dups or not compact:
            alerts.append((_("Duplicates? (c, d)") if compact else _("Possible duplicates (c, then d)"), str(dups),
                           "bold yellow" if dups else ""))
        missing = getattr(data, "bundles_missing", 0)
        if missing:  # a line only while there are some, as below
            alerts.append((_("Bundles missing (tab 9)") if compact else _("Bundles missing: which, on the grids' tab (9)"),
                           str(missing), "bold red"))
        practice = getattr(data, "practice_bundles", 0)
        if practice:  # a demo township's, until a first merge: the Sync screen lists them at once
            alerts.append((_("Practice bundles (s)") if compact else _("Practice bundles to merge (press s, Sync)"),
                           str(practice), "bold yellow"))
        waiting = getattr(data, "devices_waiting", 0)
        if waiting:  # a line only while there are some: at 80×24 every row of the list counts
            alerts.append((_("Devices to approve (d)") if compact else _("Devices waiting for your approval (press d)"),
                           str(waiting), "bold yellow"))
    return alerts


class _Alerts:
    """The alerts one to a line; `side_by_side` (compact): all on one line when they fit the width they are given,
    else two to a line."""

    def __init__(self, alerts: list[tuple[str, str, str]], *, side_by_side: bool):
        self.alerts, self.side_by_side = alerts, side_by_side

    def __rich_console__(self, console, options):
        from rich.cells import cell_len

        need = sum(cell_len(words) + len(figure) + 3 for words, figure, _style in self.alerts)
        per_line = 1 if not self.side_by_side else len(self.alerts) if need <= options.max_width else 2
        grid = Table.grid(padding=(0, 1), expand=True)
        for _i in range(per_line):
            grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            grid.add_column(no_wrap=True, justify="right")
        for i in range(0, len(self.alerts), per_line):
            row = self.alerts[i:i + per_line]
            cells = [Text(cell, style=style) for words, figure, style in row for cell in (words, figure)]
            grid.add_row(*cells, *[""] * (2 * per_line - len(cells)))
        yield grid


def _two_to_a_line(progress: list) -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    for _i in range(2):
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        grid.add_column(no_wrap=True, justify="right")
    cells = [(CategoryLabel(p.key),
              Text(_share_text(p), style="green" if p.total and p.visited >= p.total else ""))
             for p in progress]
    for i in range(0, len(cells), 2):
        left, right = cells[i], cells[i + 1] if i + 1 < len(cells) else ("", "")
        grid.add_row(*left, *right)
    return grid


def _policy_text(policy, role: str = ""):
    """Which visit policy this laptop works under, and since when: a line under the bars. The township is told
    how to set its own ("the township has not set one", said to the township itself, read as someone else's)."""
    from storage.register.policy_text import policy_title

    text = policy_title(policy)
    if role == "township" and policy.is_default and not policy.problem:
        text = _("Default visit policy: this township has not set its own (p sets it)")
    return Text(text, style="yellow" if policy.problem else "dim", overflow="ellipsis", no_wrap=True)


def _bar(p):
    if plain():  # the old console's stand-ins draw done and to-do alike ("-" for both "━"): the share drawn in "#"
        return _PlainBar(p.visited, max(p.total, 1))
    return ProgressBar(total=max(p.total, 1), completed=p.visited, complete_style="green", finished_style="bold green")


class _PlainBar:
    """A bar of "#" (visited) and "-" (not yet) as wide as its column."""

    def __init__(self, done: int, total: int):
        self.done, self.total = done, total

    def __rich_console__(self, console, options):
        width = max(1, options.max_width)
        filled = min(width, round(width * self.done / self.total))
        yield Text("#" * filled, style="green") + Text("-" * (width - filled), style="dim")

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement

        return Measurement(4, options.max_width)


def _share_text(p) -> str:
    return f"{p.visited}/{p.total} {format_percent(p.share)}"

"""How the resident page words its lines: a field and its value, a note over several lines, the visit
that counts and the next one due, the risk history as its changes, the remark made when the case was closed."""

from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from storage.core.glyphs import narrow
from storage.core.i18n import _, join_list
from storage.register.categories import label
from storage.register.field_labels import field_label
from storage.register.profile import Profile
from tui.formatting import format_date


def text_line(*parts: tuple[str, str] | str) -> Text:
    text = Text()
    for part in parts:
        text.append(*part) if isinstance(part, tuple) else text.append(part)
    return text


def labels(table: dict[str, str], codes: list[str]) -> str:
    return join_list(label(table, c) for c in codes)


def due_line(p: Profile) -> str:
    """When the resident was last visited in a way that counts, and when the next visit is due.

    "Counts" is the township's policy (a phone call may not count): the visits below say
    which of them did not, so a later call listed there does not contradict this line.
    """
    if p.last_visit:
        return _("Last visit that counts: {last}; next visit due {due}").format(last=format_date(p.last_visit),
                                                                              due=format_date(p.due_on))
    return _("No visit that counts yet; first visit due {due}").format(due=format_date(p.due_on))


def closing_lines(resident) -> list[Text]:
    """The remark made when the case was closed (退出原因说明), under the line saying it is closed; nothing for
    a case on the register (reopening clears the remark) or one closed without a remark."""
    if resident.status != "closed" or not resident.close_note:
        return []
    return [field_line(field_label("close_note"), resident.close_note)]


def risk_changes(history: list) -> list:
    """The risk history (newest first) as its changes: a visit that kept the level adds no row."""
    kept = []
    for i, a in enumerate(history):
        older = history[i + 1] if i + 1 < len(history) else None
        if older is None or older.level != a.level or a.reason:
            kept.append(a)
    return kept


def indented(text: str, style: str = "") -> Padding:
    return Padding(Text(text, style=style), (0, 0, 0, 2))


def note_lines(name: str, value: str) -> Group:
    """A field whose value may run over lines: the later lines under the first, not under the name."""
    first, *rest = value.splitlines() or [""]
    return Group(field_line(name, first), *(indented(line) for line in rest))


def field_line(name: str, value: str) -> Text:
    return text_line((name + _(": "), "bold"), value or narrow("—"))

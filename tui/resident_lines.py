"""How the resident page words its lines: a field and its value, a note over several lines, the visit
that counts and the next one due, the risk history as its changes, the remark made when the case was closed."""

from __future__ import annotations

import datetime as dt

from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from storage.core.glyphs import narrow
from storage.core.i18n import _, join_list, ngettext
from storage.core.models import Resident
from storage.core.offices import name_text
from storage.core.text import printable
from storage.register.categories import (
    HAZARDS,
    NEEDS,
    OBSERVATION_DIMENSIONS,
    RISK_LEVELS,
    SERVICES,
    VISIT_METHODS,
    label,
)
from storage.register.field_labels import field_label
from storage.register.profile import Profile, contact_phone
from tui.formatting import format_date, format_day
from tui.texts import RISK_STYLES


def text_line(*parts: tuple[str, str] | str) -> Text:
    """Parts (text, or (text, style)) as one line; what came from data is drawn with its escapes as '?'."""
    text = Text()
    for part in parts:
        words, style = part if isinstance(part, tuple) else (part, "")
        text.append(printable(words, multiline=True), style)
    return text


def labels(table: dict[str, str], codes: list[str]) -> str:
    return join_list(label(table, c) for c in codes)


def due_line(p: Profile, today: dt.date) -> str:
    """When the resident was last visited in a way that counts, and when the next visit is due (and how many
    days late it is, in words: the line's red alone said so, which plain mode and a colour-blind reader miss).

    "Counts" is the township's policy (a phone call may not count): the visits below say
    which of them did not, so a later call listed there does not contradict this line. Its days as Home's lists
    say them (12月31日, the year only for another year's): with three dates in full the line took 78 cells, and
    its last word went alone to a second line at 80 columns.
    """
    due = format_day(p.due_on, today) if p.due_on else ""
    if p.due_on is not None and p.due_on < today:
        late = (today - p.due_on).days
        due = ngettext("{day}, {n} day late", "{day}, {n} days late", late).format(day=due, n=late)
    if p.last_visit and p.planned_on is not None and p.due_on is not None and today <= p.planned_on < p.due_on:
        # the date the worker typed as the next visit: the page said only the (later) due date, not theirs
        return _("Last visit that counts: {last}; next visit due {due}, planned for {planned}").format(
            last=format_day(p.last_visit, today), due=due, planned=format_day(p.planned_on, today))
    if p.last_visit:
        return _("Last visit that counts: {last}; next visit due {due}").format(last=format_day(p.last_visit, today),
                                                                              due=due)
    return _("No visit that counts yet; first visit due {due}").format(due=due)


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
    return Padding(Text(printable(text, multiline=True), style=style), (0, 0, 0, 2))


def note_lines(name: str, value: str) -> Group:
    """A field whose value may run over lines: the later lines under the first, not under the name."""
    first, *rest = value.splitlines() or [""]
    return Group(field_line(name, first), *(indented(line) for line in rest))


def field_line(name: str, value: str) -> Text:
    return text_line((name + _(": "), "bold"), value or narrow("—"))


def contact_line(r: Resident) -> Text:
    """联系电话: the resident's own, else the guardian's said to be theirs (— when neither is recorded)."""
    contact = contact_phone(r)
    if contact.guardian is None:
        return field_line(_("Phone"), contact.phone)
    whose = _("{phone} (guardian {name})") if contact.guardian else _("{phone} (the guardian's)")
    return field_line(_("Phone"), whose.format(phone=contact.phone, name=contact.guardian))


def visit_lines(p: Profile) -> list[Text | Padding]:
    """The visits, newest first: a line each, its details indented under it, also where a long one wraps."""
    lines: list[Text | Padding] = []
    for v in p.visits:
        head = text_line((format_date(v.visit_date), "bold"), "  ", label(VISIT_METHODS, v.method), "  ", name_text(v.visitor))
        if v.risk_after:
            head.append("  " + label(RISK_LEVELS, v.risk_after), style=RISK_STYLES.get(v.risk_after, ""))
        if v.mandatory_report:
            head.append("  " + _("Must be reported at once"), style="bold red")
        lines.append(head)
        # not seen at home, or not reached by a call; and whether it counts, as the policy says
        missed = "" if v.contact_made or v.method == "proxy" else (
            _("resident not seen") if v.method == "home" else _("person not reached"))
        counted = "" if p.policy.counts_visit(v.method, bool(v.contact_made)) else _("does not count toward the month")
        # the details indented under the visit's line, also where a long one wraps
        if v.met_with or missed or counted:
            lines.append(indented(narrow(" · ").join(x for x in (v.met_with, missed, counted) if x)))
        for code, note in v.observations.items():
            lines.append(indented(_("{dimension}: {note}").format(dimension=label(OBSERVATION_DIMENSIONS, code),
                                                                   note=note)))
        for title, table, codes in ((_("Hazards"), HAZARDS, v.hazards), (_("Needs"), NEEDS, v.needs),
                                    (_("Services"), SERVICES, v.services)):
            if codes:
                lines.append(indented(_("{title}: {items}").format(title=title, items=labels(table, codes))))
        if v.notes:
            lines.append(indented(v.notes, style="italic"))
    return lines


AGENCY_WIDTH, DATE_WIDTH = 16, 10  # the agency and its department over two lines; 2026-11-13 (and 已办结, Closed)


def referral_cells(ref, width: int, today) -> tuple:
    """One row of the resident page's referrals in `width` cells: the agency and the reason wrap, never cut at the
    screen's edge (the reason gets what the other four columns leave)."""
    from rich.cells import cell_len

    from storage.core.i18n import ngettext
    from storage.register.categories import REFERRAL_AGENCIES, REFERRAL_STATUSES, label
    from tui.formatting import format_column_date, format_number
    from tui.texts import wrapped_cell

    widest = max(DATE_WIDTH, *(cell_len(label(REFERRAL_STATUSES, code)) for code in REFERRAL_STATUSES))
    status = Text(label(REFERRAL_STATUSES, ref.status), style="dim" if ref.status == "closed" else "bold")
    late = ref.status != "closed" and ref.due_on is not None and ref.due_on < today
    due = Text(format_column_date(ref.due_on), style="bold red" if late else "")
    if late:  # in words too: red alone says nothing in plain mode or to a colour-blind reader
        n = (today - ref.due_on).days
        due.append("\n" + ngettext("{n} day late", "{n} days late", n).format(n=format_number(n)), style="bold red")
    agency = label(REFERRAL_AGENCIES, ref.agency)
    # the department once: "乡镇卫生院 乡镇卫生院" (the agency named again as its department) read as two referrals
    where = " ".join(x for x in (agency, ref.department) if x and (x is agency or x.strip() != agency))
    room = width - AGENCY_WIDTH - 2 * DATE_WIDTH - widest - 12
    reason = wrapped_cell(ref.reason, room)
    if ref.outcome.strip():  # what came of it (办理结果), under what it was for: the page is where it is looked for
        reason.append("\n")
        reason.append_text(wrapped_cell(_("{title}: {items}").format(title=_("Outcome"), items=ref.outcome), room))
    return wrapped_cell(where, AGENCY_WIDTH), status, format_column_date(ref.opened_on), due, reason

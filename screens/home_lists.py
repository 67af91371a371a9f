"""What Home's lists hold: their columns and rows (pure: data in, cells out), and the short dates they show.

Kept apart from screens/home.py, which lays the lists out and loads them.
"""

from __future__ import annotations

from functools import lru_cache

from babel.dates import format_skeleton
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from storage.core.i18n import N_, _, babel_locale, current_language, join_list, ngettext
from storage.core.offices import name_text
from storage.core.text import printable
from storage.register.categories import (
    BENEFIT_KINDS,
    REFERRAL_AGENCIES,
    REFERRAL_STATUSES,
    SHORT_AGENCIES,
    SHORT_BENEFITS,
    VISIT_METHODS,
    label,
)
from storage.register.idnumbers import mask_id
from tui.category_words import categories_cell, fitting_word
from tui.formatting import format_ago, format_moment, format_percent
from tui.texts import risk_text

CATEGORY_WIDTH = 14  # at 80 columns: every category's words fit, with "+1"
WIDER_CATEGORIES = 12  # cells it gains past 80 columns: "Widowed or childless elder" (26) whole at 92


AGENCY_ROOM = 19  # at 80 columns: "Women's federation" whole, the longer agencies in their short words
BENEFIT_ROOM = 16  # at 80 columns: "困境儿童保障金", "Child allowance"
WIDE_DUE = 100  # from this many columns a referral late to follow up shows its date beside the days
FREE_TEXT_LINES = 3  # a referral's reason, a benefit's why: wrapped to at most this many lines
# an unclaimed benefit's reasons (storage/register/eligibility.py RULES) in the few words the list has room for at
# 80 columns beside the benefit's name, which says the rest ("Child allowance": the child is implied); in English
# the whole reasons took two or three lines a row
SHORT_WHY = {
    "disability of grade 1 or 2": N_("grade 1-2 disabled"),
    "disabled, in a family on the minimum living allowance": N_("in allowance family"),  # (a disability subsidy)
    "grade 3-4 intellectual or mental disability, not on the minimum living allowance": N_("3-4 intell./mental"),
    "a seriously ill child": N_("seriously ill"),
    "a severely disabled child": N_("severely disabled"),
    "a child in a family on the minimum living allowance": N_("allowance family"),
}
WRAPPED = ("referrals", "benefits")  # the lists whose last column is free text, wrapped to the room left


def category_width(columns: int) -> int:
    """The lists' category column on a terminal `columns` wide: labels whole where there is room for them."""
    return CATEGORY_WIDTH + max(0, min(WIDER_CATEGORIES, columns - 80))


def _word(table: dict[str, str], shorts: dict[str, str], code: str, room: int) -> str:
    """`code`'s label whole where it fits in `room` cells, else its shorter words (never cut mid-word): the
    shorter words, or the label, even where they do not fit (the free text beside them gives way)."""
    return fitting_word(table, shorts, code, room) or label(shorts if code in shorts else table, code)


def free_text_width(titles: list[str], rows: list[tuple], room: int) -> int:
    """The cells left to a list's last column once the others have theirs (each as wide as its widest cell, with
    Textual's padding of 1 either side) in `room` cells; at least 8."""
    pad = 2
    used = sum(max([cell_len(t)] + [cell_len(str(cells[i])) for cells in rows]) + pad for i, t in enumerate(titles[:-1]))
    return max(8, room - used - pad)


def wrapped(text: str, width: int) -> Text:
    """Free text in lines of `width` cells, at most FREE_TEXT_LINES, the last ending "…" when there was more."""
    lines = list(Text(text).wrap(_CONSOLE, width))
    if len(lines) > FREE_TEXT_LINES:
        lines = lines[:FREE_TEXT_LINES]
        last = lines[-1]
        last.truncate(width - 1)
        last.rstrip()
        last.append("…")
    return Text("\n").join(lines)


_CONSOLE = Console(width=200)  # only measures and wraps: nothing is printed to it


def _bundle_text(g, today) -> Text:
    """When the grid last sent (with its year when not this year's), and which of its bundles never arrived (缺第 3 个),
    in red."""
    text = Text(format_moment(g.last_bundle, today) if g.last_bundle else _("none yet"))
    if g.missing_by:  # two laptops of one grid number their bundles each: whose is missing
        for worker, numbers in g.missing_by:
            text.append("  " + _("{name}: no. {numbers} missing").format(
                name=printable(worker, limit=20), numbers=join_list([str(n) for n in numbers])), style="bold red")
    elif g.missing:
        text.append("  " + _("no. {numbers} missing").format(numbers=join_list([str(n) for n in g.missing])),
                    style="bold red")
    return text


def short_day(day) -> str:
    """A short date, "10月9日" / "Oct 9" (the year is this one or the last, clear from context)."""
    if day is None:
        return _("never")
    return _cached_day(day, current_language())


def _age_out(when, today) -> str:
    """已超龄 or 即将超龄 on each row: the list holds both, and only the first are the report's 超龄退出."""
    if when > today:
        return _("ages out ({when})").format(when=_ago(when, today))
    return _("aged out ({ago})").format(ago=_ago(when, today))


def _ago(day, today) -> str:
    return _cached_ago(day, today, current_language()) if day else _("never")


# Babel formats a few hundred rows slowly; a home list holds few distinct dates
@lru_cache(maxsize=2048)
def _cached_day(day, _lang: str) -> str:
    return format_skeleton("MMMd", day, locale=babel_locale())


@lru_cache(maxsize=2048)
def _cached_ago(day, today, _lang: str) -> str:
    return format_ago(day, today)


def _day_due(day, today, *, late: bool = False) -> str | Text:
    """A due or planned day: "today", "in 3 days" within a week; past that the day itself ("Dec 31"). Babel's
    relative words round 29 days to "in 1 month", which said less than the date and ran past 80 columns.
    `late`: a due day gone by is said so, in red, as a referral's is ("Oct 31, 32 days late")."""
    if late and day is not None and day < today:
        return _late(day, today)
    if day is not None and abs((day - today).days) > 7:
        return short_day(day)
    return _ago(day, today)


def _late(day, today) -> Text:
    """A day gone by that something was due: "Oct 31, 32 days late", in red."""
    n = (today - day).days
    return Text(ngettext("{day}, {n} day late", "{day}, {n} days late", n).format(day=short_day(day), n=n),
                style="bold red")


def _late_days(day, today) -> Text:
    """A due day gone by, in a narrow column: "3 days late", in red."""
    n = (today - day).days
    return Text(ngettext("{n} day late", "{n} days late", n).format(n=n), style="bold red")


def _due(f, today, columns: int):
    """A referral's deadline; past it, in red with the days overdue (at 80 columns the days alone: "Jan 4, 335 days
    late" left the reason 6 cells; the date is on the referral when the row is opened)."""

    if f.due_on is None:
        return ""
    if f.overdue(today):
        return _late(f.due_on, today) if columns >= WIDE_DUE else _late_days(f.due_on, today)
    return short_day(f.due_on)


def list_columns(pane: str, cat_width: int = CATEGORY_WIDTH) -> list[tuple[str, str, int | None]]:
    """(key, title, width or None for automatic) of a list; `cat_width`: its categories' (category_width)."""
    every: dict[str, list[tuple[str, str, int | None]]] = {
        "overdue": [("name", N_("Name"), None), ("id", N_("ID number"), None), ("risk", N_("Risk"), None),
                    ("cat", N_("Category"), CATEGORY_WIDTH), ("last", N_("Last visit"), None),
                    ("late", N_("Late"), None)],
        "due_week": [("name", N_("Name"), None), ("id", N_("ID number"), None), ("risk", N_("Risk"), None),
                     ("cat", N_("Category"), CATEGORY_WIDTH), ("due", N_("Due"), None),
                     ("planned", N_("Planned"), None)],
        "high_risk": [("name", N_("Name"), None), ("id", N_("ID number"), None), ("risk", N_("Risk"), None),
                      ("last", N_("Last visit"), None), ("due", N_("Due"), None)],
        "referrals": [("name", N_("Name"), None), ("agency", N_("Referred to"), None),
                      ("status", N_("Status"), None), ("due", N_("Follow up by"), None), ("reason", N_("Reason"), None)],
        "ageing_out": [("name", N_("Name"), None), ("id", N_("ID number"), None),
                       ("cat", N_("Category"), CATEGORY_WIDTH), ("when", N_("Ages out"), None)],
        "recent": [("date", N_("Visit date"), None), ("name", N_("Name"), None), ("method", N_("How"), None),
                   ("visitor", N_("By"), None)],
        "benefits": [("name", N_("Name"), None), ("id", N_("ID number"), None), ("what", N_("What"), None),
                     ("benefit", N_("Benefit"), None), ("when", N_("Details"), None)],
        "unpaired": [("name", N_("Name"), None), ("id", N_("ID number"), None),
                     ("cat", N_("Category"), CATEGORY_WIDTH), ("age", N_("Age"), None)],
        "grids": [("grid", N_("Grid"), None), ("people", N_("Worker"), None), ("visited", N_("Visited"), None), ("share", N_("Rate"), None),
                  ("overdue", N_("Overdue"), None), ("bundle", N_("Last bundle"), None)],
    }
    columns = every[pane]
    return [(key, _(title), cat_width if width == CATEGORY_WIDTH else width) for key, title, width in columns]


def list_rows(pane: str, data, cat_width: int = CATEGORY_WIDTH,
              columns: int = 80) -> list[tuple[str, str | None, tuple]]:
    """(row key, resident id to open or None, cells) of a list; `cat_width` as list_columns'; `columns`: the
    terminal's width, for the words that grow with it."""
    today = data.today
    wider = max(0, min(WIDER_CATEGORIES, columns - 80))

    def _categories(codes: list[str]) -> str:
        return categories_cell(codes, cat_width)

    if pane in ("overdue", "due_week", "high_risk"):
        keys = [key for key, _title, _width in list_columns(pane)]
        rows = []
        for r in getattr(data, pane):
            # due this week and already late: the days alone, the date being on the overdue list (with the date,
            # the column pushed the planned day past 80 columns, cut to a wrong-looking "12月1")
            due = _late_days(r.due_on, today) if pane == "due_week" and r.due_on and r.due_on < today \
                else _day_due(r.due_on, today, late=True)
            cells = {"name": r.name, "id": r.masked_id, "risk": risk_text(r.risk_level), "cat": _categories(r.categories),
                     "last": short_day(r.last_seen), "late": str(r.days_overdue), "due": due,
                     "planned": _day_due(r.planned_on, today) if r.planned_on else ""}
            rows.append((r.id, r.id, tuple(cells[k] for k in keys)))
        return rows
    if pane == "referrals":
        return [(f.id, f.resident_id, (f.name, _word(REFERRAL_AGENCIES, SHORT_AGENCIES, f.agency, AGENCY_ROOM + wider),
                                       label(REFERRAL_STATUSES, f.status), _due(f, today, columns), f.reason))
                for f in data.referrals]
    if pane == "ageing_out":
        return [(r.id, r.id, (r.name, r.masked_id, _categories(r.categories), _age_out(when, today)))
                for r, when in data.ageing_out]
    if pane == "recent":
        return [(v.id, v.resident_id, (short_day(v.visit_date), v.name, label(VISIT_METHODS, v.method), name_text(v.visitor)))
                for v in data.recent]
    if pane == "benefits":
        rows = []
        for i, w in enumerate(data.benefits):
            if w.end_on is None:  # 应享未享: the rules' reasons
                what, when = _("Unclaimed"), join_list(_(SHORT_WHY.get(why, why)) for why in w.why)
            else:
                what, when = _("Ends"), _ago(w.end_on, today)
            rows.append((f"{w.resident_id}:{w.benefit}:{i}", w.resident_id,
                         (w.name, mask_id(w.id_number), what,
                          _word(BENEFIT_KINDS, SHORT_BENEFITS, w.benefit, BENEFIT_ROOM + wider), when)))
        return rows
    if pane == "unpaired":
        return [(w.resident_id, w.resident_id, (w.name, mask_id(w.id_number), _categories(w.categories),
                                                "" if w.age is None else str(w.age))) for w in data.unpaired]
    if pane == "grids":
        return [(g.grid_code, None, (g.name, g.people, f"{g.progress.visited}/{g.progress.total}",
                                     format_percent(g.progress.share), str(g.progress.overdue),
                                     _bundle_text(g, today)))
                for g in data.grids]
    raise ValueError(pane)

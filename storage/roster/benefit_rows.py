"""The roster import's benefit, subsidy, disability and helper columns, and its warnings (issue #15).

A row that names a status (低保: 是) records a benefit period for the resident unless one of
that kind is in force already, so importing the same file twice records nothing the second
time. A row never ends a period: a roster lists who has a status, and "否" only means the
row records none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from storage.core.i18n import _
from storage.core.models import Benefit
from storage.register.categories import ADVANCED_AGE, ADVANCED_AGE_FROM, CATEGORIES, label
from storage.register.category_rules import age_question, category_questions
from storage.register.periods import Period
from storage.register.policy import age_on
from storage.roster.benefit_cells import parse_disability, parse_status, parse_subsidies
from storage.roster.columns import BENEFIT_COLUMNS, parse_date
from storage.roster.report import Problem

BENEFIT_SOURCES = {*BENEFIT_COLUMNS, "_subsidies", "_disability", "_helper_since"}


def parse_benefit_cell(column: str, value: Any, parsed: Any) -> None:
    """Read one cell of these columns into the ParsedRow (storage/roster/parse.py); raises ValidationError."""
    if column in BENEFIT_COLUMNS:
        has, since = parse_status(value, column)
        if has:
            parsed.benefits.append((column, BENEFIT_COLUMNS[column], since))
    elif column == "_subsidies":
        parsed.benefits += [(column, kind, None) for kind in parse_subsidies(value, column)]
    elif column == "_disability":
        parsed.disability_category, parsed.disability_grade = parse_disability(value, column)
    elif column == "_helper_since":
        helper_since = parse_date(value, column)  # a month alone is its first day
        parsed.fields["helper_since"] = (dt.date(helper_since[0], helper_since[1], 1) if isinstance(helper_since, tuple)
                                         else helper_since)


def plan_benefits(session: Any, plans: list[Any], today: dt.date) -> None:
    """Keep in each plan's `benefits` only those not in force for the resident today (and each kind once)."""
    held: dict[str, set[str]] = {}
    ids = sorted({p.existing.id for p in plans if p.existing is not None and p.benefits})
    for i in range(0, len(ids), 500):
        query = select(col(Benefit.resident_id), col(Benefit.kind), col(Benefit.start_on), col(Benefit.end_on)).where(
            col(Benefit.resident_id).in_(ids[i:i + 500]), col(Benefit.deleted) == False)  # noqa: E712
        for rid, kind, start, end in session.execute(query):
            if Period(kind, start, end).current(today):
                held.setdefault(rid, set()).add(kind)
    for p in plans:
        have = set(held.get(p.existing.id, ())) if p.existing is not None else set()
        wanted = []
        for column, kind, since in p.benefits:
            if kind not in have:
                have.add(kind)
                wanted.append((column, kind, since))
        p.benefits = wanted


def row_warnings(column: Callable[[str], str], resident: dict[str, Any], derived: list[str],
                 today: dt.date) -> list[Problem]:
    """What the import accepts but the clerk should look at: doubts about a category's definition."""
    out = [Problem(column("categories"), q) for q in category_questions(resident)]
    too_old = age_question(resident, today)  # 1880 for 1980: asked on the row, as the form asks
    if too_old:
        out.append(Problem(column("birth_date") or column("id_number"), too_old))
    if ADVANCED_AGE in derived:
        age = age_on(resident.get("birth_date"), today) if isinstance(resident.get("birth_date"), dt.date) else None
        if age is not None and age < ADVANCED_AGE_FROM:
            out.append(Problem(column("categories"), _("高龄 means {limit} or over; this resident is {age}. Nothing is "
                                                       "recorded for it: the register derives it from the birth date.")
                               .format(limit=ADVANCED_AGE_FROM, age=age)))
    if "disabled_3_4_intellectual_mental" in (resident.get("categories") or []) and not resident.get("disability_grade"):
        out.append(Problem(column("categories"), _("{category}: no disability card or grade to check it against.").format(
            category=label(CATEGORIES, "disabled_3_4_intellectual_mental"))))
    return out

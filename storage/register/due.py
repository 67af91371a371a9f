"""When a key person is due, and whether they were visited in a month: the one rule.

Home, the register search, the resident page and the monthly report all take their
"due", "overdue" and "visited in the month" from here (docs/reports.md says it in words):

* A visit counts toward the month as the township's policy says (Policy.counts_visit;
  its SQL twin counting_visit_sql): by default a home visit always, a phone or video
  call when the person was reached, a visit through someone else never.
* Every key person is due once in every calendar month: by the last day of the month
  after the month of their last visit that counts (never visited: by the last day of
  the month they were registered in, or entered gridcare if that is later: a roster's
  key person registered years ago is due this month, not overdue by years; see
  storage/register/entered.py). Not visited by then, they are overdue from the first day
  of the next month. The policy can set a number of days instead, per risk level.
* At high risk: every 7 days; at emergency level: within 1 day — counted from the last
  visit that counts, or from the finding (the day the level began), whichever is later.
  A risk level can only make a key person due sooner than the low-risk rule would: an elder
  last visited in September and found at emergency level in late November has been overdue
  since November began, not since the day after the finding.
* A category rule of the policy (e.g. weekly for elders living alone aged 80 or over)
  and a resident's own interval (visit_frequency_days) can only make the due date earlier.
* The date a worker types as the next visit (下次探访) is their plan: Home shows it, but
  it never moves a due date.

`due_on` is the rule in Python; `due_before_sql` is the same rule as an SQL condition for
the register's filters, and tests/test_due_rule.py checks that the two agree.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storage.register.entered import clock_date_sql, first_event_sql
from storage.register.policy import (
    FINDING_LEVELS,
    MONTH,
    Every,
    Policy,
    age_on,
    born_by,
    counting_visit_sql,
)

DAY = dt.timedelta(days=1)
WEEK_DAYS = 7  # "due this week": today and the six days after it (Home's list, the register's filter)

# how a key person stands in a month (None: not a key person of that month)
IN_PERSON, OTHER_WAYS, NOT_VISITED = "in_person", "other_ways", "not_visited"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months after `day`'s month."""
    k = day.year * 12 + day.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


@functools.lru_cache(maxsize=4096)  # a report asks for the same few months' ends for each of its residents
def month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - DAY


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    return first, month_end(first)


@dataclass(slots=True)
class DueFacts:
    """What the due rule needs to know about one key person."""

    last_seen: dt.date | None  # the last visit that counts, on or before the day asked about
    registered_on: dt.date | None
    risk_level: str = "low"
    risk_from: dt.date | None = None  # the day the current risk level began (risk_from_sql)
    categories: tuple[str, ...] | list[str] = ()
    birth_date: dt.date | None = None
    override: int | None = None  # the resident's own interval in days
    entered_on: dt.date | None = None  # the day the record entered gridcare (entered.py); read when never visited


def _due(every: Every, last_seen: dt.date | None, base: dt.date, finding: dt.date | None) -> dt.date:
    if every == MONTH:
        return month_end(add_months(last_seen, 1)) if last_seen else month_end(base)
    anchor = last_seen or base
    if finding is not None and finding > anchor:
        anchor = finding
    return anchor + dt.timedelta(days=int(every))


def due_on(policy: Policy, f: DueFacts, day: dt.date) -> dt.date:
    """The day by which the next visit that counts is due (overdue from the day after)."""
    base = f.registered_on or day
    # never visited: from the day the record entered gridcare when later; a day after `day` is not known
    # on it (a past month's report, or a clock running ahead: that record falls back to its registration)
    if f.last_seen is None and f.entered_on is not None and base < f.entered_on <= day:
        base = f.entered_on
    level = f.risk_level if f.risk_level in policy.every else "low"
    finding = f.risk_from if level in FINDING_LEVELS else None
    due = _due(policy.every[level], f.last_seen, base, finding)
    if level != "low":  # a finding restarts its level's clock, but never forgives a month already missed
        due = min(due, _due(policy.every["low"], f.last_seen, base, None))
    if policy.categories:
        age = age_on(f.birth_date, day)
        for rule in policy.categories:
            if rule.applies(list(f.categories), age):
                due = min(due, _due(rule.every, f.last_seen, base, None))
    if f.override and f.override > 0:
        due = min(due, _due(f.override, f.last_seen, base, None))
    return due


def days_overdue(due: dt.date, day: dt.date) -> int:
    return max(0, (day - due).days)


def next_visit_proposal(policy: Policy, f: DueFacts, visit_day: dt.date) -> dt.date:
    """The next visit a form proposes after a visit on `visit_day`: the same day next month, or earlier if due."""
    after = DueFacts(visit_day, f.registered_on, f.risk_level, None, f.categories, f.birth_date, f.override)
    first = add_months(visit_day, 1)
    same_day = min(first.replace(day=1) + dt.timedelta(days=visit_day.day - 1), month_end(first))
    return min(due_on(policy, after, visit_day), same_day)


def month_standing(first: dt.date, last: dt.date, registered_on: dt.date | None, status: str,
                   closed_on: dt.date | None, visits: Iterable[tuple[dt.date, str]]) -> str | None:
    """How a resident stands in the month first..last, or None when they are no key person of it.

    `visits`: (date, method) of the resident's visits that count (Policy.counts_visit), any dates.
    A resident counts when on the register on any day of the month: registered by its last
    day, and not closed before its first. One closed during the month counts only if visited
    (on or) before the close, and then as visited.
    """
    end = last
    closed_in_month = False
    if status == "closed":
        if closed_on is None:
            return None  # closed, and nobody knows since when: on no day's register
        closed_in_month = first <= closed_on <= last
        end = min(end, closed_on)
    # on the register from its registration (or the month's start) until its close (or the month's end)
    if max(first, registered_on or first) > end:
        return None
    how = None
    for day, method in visits:
        if first <= day <= end:
            if method == "home":
                return IN_PERSON
            how = OTHER_WAYS
    if how is not None:
        return how
    return None if closed_in_month else NOT_VISITED


# --- the same rule in SQL -------------------------------------------------------------------------


def risk_from_sql(resident: str = "r.id", level: str = "r.risk_level", day: str | None = None, *,
                  family: str | None = None) -> str:
    """The day `level` began for `resident`: the first assessment of the latest unbroken run at that level.

    Assessments are ordered by (date, clock), as the resident's level is; `day`: only those on or
    before it. NULL when the resident has no assessment at that level. `family`: a list of ids in SQL
    (a record and the duplicates merged into it, whose assessments its level is: storage/core/merged_risk.py)
    in place of the one `resident`.
    """
    until_a = f" AND ra.assessed_on <= {day}" if day else ""
    until_b = f" AND rb.assessed_on <= {day}" if day else ""
    # `ra.level || ''`: no index condition, so that SQLite (no statistics: a worker's file is never ANALYZEd) walks
    # this resident's few assessments by ix_risk_resident; on `ra.level =` it chose ix_risk_level and read every
    # assessment at that level in the database, for each row (a register page: 6 ms at a township, 450 ms at 120,000)
    of_a, of_b = ((f"ra.resident_id IN ({family})", f"rb.resident_id IN ({family})") if family is not None
                  else (f"ra.resident_id = {resident}", f"rb.resident_id = {resident}"))
    return (f"(SELECT min(ra.assessed_on) FROM risk_assessment ra WHERE {of_a}"
            f" AND NOT ra.deleted AND ra.level || '' = {level}{until_a} AND NOT EXISTS (SELECT 1 FROM risk_assessment rb"
            f" WHERE {of_b} AND NOT rb.deleted AND rb.level != {level}{until_b}"
            " AND (rb.assessed_on > ra.assessed_on OR (rb.assessed_on = ra.assessed_on AND rb.hlc > ra.hlc))))")


def due_before_sql(policy: Policy, bounds: list[dt.date], today: dt.date,
                   prefix: str = "due", dialect: str = "sqlite") -> tuple[str, dict[str, Any]]:
    """SQL for a resident row `r`: how many of `bounds` its due date (as of `today`) is before; and its parameters.

    With one bound, true when due before it (overdue: bounds=[today]); with [today, today + 7],
    1 means due this week. The rule is `due_on`'s, written as a condition on each anchor (due <
    bound iff some rule's anchor is before its threshold); it reads `:today` from the caller's
    parameters. The last visit that counts is found once per resident: the conditions are
    evaluated inside the subquery that finds it (walking ix_visit_resident_date backwards); for a
    resident never visited, inside an aggregate subquery on the record's events, on the later of the
    registration and the day the record entered gridcare (storage/register/entered.py). `dialect`: the engine's ("sqlite" or
    "postgresql"): the SQL differs only where SQLite's functions have no twin there.
    """
    params: dict[str, Any] = {}
    # never visited: from the later of the registration and the day the record entered gridcare (its first
    # event's clock) when that day is not after today (due_on), the clock read once per resident by an aggregate
    # subquery around the conditions (on PostgreSQL, greatest() skips the NULL of a day ahead or of no events)
    day = clock_date_sql("min(e.hlc)", dialect)
    if dialect == "postgresql":
        anchor = (f"greatest(coalesce(r.registered_on, CAST(:today AS date)),"
                  f" CASE WHEN {day} <= CAST(:today AS date) THEN {day} END)")
    else:
        anchor = f"max(coalesce(r.registered_on, :today), coalesce(CASE WHEN {day} <= :today THEN {day} END, ''))"
    seen_terms, never_terms = [], []
    for n, bound in enumerate(bounds):
        seen_terms.append(_condition(policy, bound, today, "v.visit_date", True, f"{prefix}{n}", params, dialect))
        never_terms.append(_condition(policy, bound, today, anchor, False, f"{prefix}{n}", params, dialect))
    # one row always (an aggregate): a record without events counts from its registration
    never = f"(SELECT {' + '.join(never_terms)} {first_event_sql('r.id')})"
    seen = (f"(SELECT {' + '.join(seen_terms)} FROM visit v WHERE v.resident_id = r.id"
            f" AND v.visit_date <= :today AND {counting_visit_sql(policy)} ORDER BY v.visit_date DESC LIMIT 1)")
    return f"coalesce({seen}, {never})", params


def _condition(policy: Policy, bound: dt.date, today: dt.date, anchor: str, seen: bool, prefix: str,
               params: dict[str, Any], dialect: str = "sqlite") -> str:
    """due < bound as 1 or 0, with `anchor` the last visit that counts (seen) or the registration date."""
    pg = dialect == "postgresql"

    def param(name: str, value: Any) -> str:
        key = f"{prefix}_{name}"
        params[key] = value.isoformat() if isinstance(value, dt.date) else value
        return f":{key}"

    this_month, last_month = param("m0", month_start(bound)), param("m1", add_months(bound, -1))
    bound_param = param("bound", bound)

    def rule(every: Every, finding: bool = False) -> str:
        if every == MONTH:  # due by the end of the month after the last visit; never: of the registration month
            return f"{anchor} < {last_month if seen else this_month}"
        threshold = param(f"d{int(every)}", bound - dt.timedelta(days=int(every)))
        if finding:  # from the later of the visit and the day the level began (PostgreSQL's greatest skips NULL)
            if pg:
                return f"greatest({anchor}, {risk_from_sql()}) < {threshold}"
            return f"max({anchor}, coalesce({risk_from_sql()}, '')) < {threshold}"
        return f"{anchor} < {threshold}"

    levels = " ".join(f"WHEN {_quote(level)} THEN {rule(every, level in FINDING_LEVELS)}"
                      for level, every in policy.every.items() if level != "low")
    # the low-risk rule holds at every level: a level's own rule can only make the resident due sooner
    terms = [f"(CASE r.risk_level {levels} ELSE false END)"] if levels else []
    terms.append(rule(policy.every["low"]))
    for i, cat_rule in enumerate(policy.categories):
        pattern = '%"' + cat_rule.category.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + '"%'
        applies = f"{'CAST(r.categories AS text)' if pg else 'r.categories'} LIKE {param(f'c{i}', pattern)} ESCAPE '\\'"
        if cat_rule.min_age is not None:
            applies += f" AND r.birth_date <= {param(f'b{i}', born_by(today, cat_rule.min_age))}"
        terms.append(f"({applies} AND {rule(cat_rule.every)})")
    days_since = (f"(CAST({bound_param} AS date) - {anchor})" if pg else
                  f"julianday({bound_param}) - julianday({anchor})")
    terms.append(f"(r.visit_frequency_days > 0 AND {days_since} > r.visit_frequency_days)")
    # NULLs (no birth date, no own interval) make a term unknown, never true: false (0), so that NOT works
    if pg:  # booleans are not numbers there: 1 or 0 said explicitly, as the callers add and compare them
        return "(CASE WHEN " + " OR ".join(terms) + " THEN 1 ELSE 0 END)"
    return "coalesce(" + " OR ".join(terms) + ", 0)"


def _quote(code: str) -> str:
    # codes come from the policy's checked tables (risk levels); quoting keeps a stray quote harmless anyway
    return "'" + code.replace("'", "''") + "'"

"""The visit policy in words, for `gridcare policy`, the policy screen, Home and the report."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from storage.core.i18n import N_, _, babel_locale, ngettext
from storage.core.offices import person_text
from storage.register.categories import CATEGORIES, RISK_LEVELS, VISIT_METHODS, label
from storage.register.policy import ALWAYS, FINDING_LEVELS, MONTH, NEVER, REACHED, Every, Policy

COUNT_WORDS = {
    ALWAYS: N_("always counts"),
    REACHED: N_("counts when the person was reached"),
    NEVER: N_("never counts"),
}


def every_text(every: Every) -> str:
    if every == MONTH:
        return _("once every calendar month")
    return ngettext("every day", "every {n} days", int(every)).format(n=every)


def _date(day) -> str:
    return format_date(day, "long", locale=babel_locale())


def policy_title(policy: Policy, replaced_on: dt.date | None = None) -> str:
    """One line: which policy this database works under, and since when; `replaced_on`: a past month's policy,
    which another replaced on that day (its line says until when, not "since" as if it were still in force)."""
    if policy.problem:
        return _("Default visit policy: {problem}").format(problem=_(policy.problem))
    if policy.is_default:
        if replaced_on is not None:
            return _("Default visit policy (the township set its own from {date})").format(date=_date(replaced_on))
        return _("Default visit policy (the township has not set one)")
    if replaced_on is not None:
        return _("Township visit policy, in force from {date} to {end}").format(
            date=_date(policy.since), end=_date(replaced_on - dt.timedelta(days=1)))
    return _("Township visit policy, in force since {date}").format(date=_date(policy.since))


def county_policies_title(own: int) -> str:
    """A county report's policy line: each township's figures follow that township's policy (`own` of them
    set one); one township's title would misstate the others'."""
    if not own:
        return _("No township has set a visit policy: every one is counted under the default policy")
    return ngettext("Each township counted under its own visit policy ({n} has set one; the others, the default)",
                    "Each township counted under its own visit policy ({n} have set one; the others, the default)",
                    own).format(n=own)


def count_lines(policy: Policy) -> list[str]:
    return [_("{method}: {rule}").format(method=label(VISIT_METHODS, m), rule=_(COUNT_WORDS[policy.counts[m]]))
            for m in VISIT_METHODS if m in policy.counts]


def every_lines(policy: Policy) -> list[str]:
    lines = []
    for level in reversed(list(RISK_LEVELS)):
        every = every_text(policy.every[level])
        # a number of days runs from a day, said on every level alike (a medium line without it read as if it
        # ran from some other day than the high and emergency lines' visit); a calendar month needs none
        if level in FINDING_LEVELS and policy.every[level] != MONTH:
            every = _("{every}, from the last visit that counts or the finding, whichever is later").format(every=every)
        elif policy.every[level] != MONTH:
            every = _("{every}, from the last visit that counts").format(every=every)
        lines.append(_("{level} risk: {every}").format(level=label(RISK_LEVELS, level), every=every))
    for rule in policy.categories:
        who = label(CATEGORIES, rule.category)
        if rule.min_age is not None:
            who = _("{category} aged {age} or over").format(category=who, age=rule.min_age)
        lines.append(_("{who}: {every}").format(who=who, every=every_text(rule.every)))
    return lines


def policy_lines(policy: Policy) -> list[str]:
    """The whole policy, a heading and one fact a line."""
    lines = [policy_title(policy)]
    if not policy.is_default and policy.set_by:
        # the name as the policy's value gives it: from a township's bundle, any text of 200 characters (a line
        # break or an ESC sequence would draw other lines, or work the terminal of `gridcare policy`)
        lines.append(_("Set by: {name}").format(name=person_text(policy.set_by, limit=40)))
    lines.append(_("Visits that count toward the month:"))
    lines += ["  " + line for line in count_lines(policy)]
    lines.append(_("How often:"))
    lines += ["  " + line for line in every_lines(policy)]
    lines.append(_("At any risk level, a resident is due no later than the low-risk rule says."))
    lines.append(_("The next visit date a worker types is their own plan: it never changes when a resident is due."))
    return lines


def counting_summary(policy: Policy) -> str:
    """One sentence for a report's header: which visits counted."""
    return _("; ").join(count_lines(policy))

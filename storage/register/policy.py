"""The township's visit policy: which visits count, and how often each key person is due.

The policy is one `setting` record (POLICY_ID) that only a township database writes
(storage/register/policy_set.py); it travels to every grid in the township's return
bundle and merges like any record. Its value is checked where it is set
(`policy_from_value`, strict) and where it is read (`read_policy`: a value this app
cannot use never stops Home or the report — the defaults apply and `Policy.problem`
says why). That is the policy in force now; a report counts a month under the one in force on
its statistics day, read from the policy's change events (storage/register/policy_history.py).
The rule that uses it, "due" and "visited in a month", is in
storage/register/due.py; the words for it in storage/register/policy_text.py.

Also here: ages and age-outs, which the same screens need beside the policy.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import sqlite3
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from storage.core.db import driver_connection
from storage.core.i18n import N_
from storage.register.categories import CATEGORIES, CHILD_CATEGORIES, RISK_LEVELS, VISIT_METHODS

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

POLICY_ID = "policy.visit"
POLICY_VERSION = 1
MONTH = "month"  # once in every calendar month: due by the month's last day
MAX_DAYS = 366
MAX_AGE = 130

# how a visit of each method counts toward the month
ALWAYS, REACHED, NEVER = "always", "reached", "never"
COUNT_RULES: dict[str, tuple[str, ...]] = {
    "home": (ALWAYS, REACHED, NEVER),
    "phone": (ALWAYS, REACHED, NEVER),
    "video": (ALWAYS, REACHED, NEVER),
    "proxy": (ALWAYS, NEVER),  # learnt through others: the person was not reached, by definition
}
DEFAULT_COUNTS = {"home": ALWAYS, "phone": REACHED, "video": REACHED, "proxy": NEVER}
# "weekly when risk is high; within 24 hours after an emergency-level finding"
DEFAULT_EVERY: dict[str, str | int] = {"low": MONTH, "medium": MONTH, "high": 7, "emergency": 1}
# levels whose interval runs from the finding (the day the level began), not only from the last visit
FINDING_LEVELS = ("high", "emergency")

Every = str | int  # MONTH, or a number of days


class PolicyError(ValueError):
    """A policy value that cannot be used; the message is an N_ msgid (with {placeholders} filled)."""


@dataclass(frozen=True)
class CategoryRule:
    """Residents of `category` (aged `min_age` or over, if given) are due at least this often."""

    category: str
    every: Every
    min_age: int | None = None

    def applies(self, categories: list[str], age: int | None) -> bool:
        if self.category not in categories:
            return False
        return self.min_age is None or (age is not None and age >= self.min_age)


@dataclass(frozen=True)
class Policy:
    counts: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COUNTS))
    every: dict[str, Every] = field(default_factory=lambda: dict(DEFAULT_EVERY))
    categories: tuple[CategoryRule, ...] = ()
    age_out_warning_days: int = 90
    since: dt.date | None = None  # when the township set it; None: the defaults, never set
    set_by: str = ""
    problem: str = ""  # why the stored policy was not used (an N_ msgid); "" when it was

    @property
    def is_default(self) -> bool:
        return self.since is None

    def counts_visit(self, method: str, contact_made: bool) -> bool:
        """Whether one visit counts toward the month: the one rule (its SQL twin: counting_visit_sql)."""
        rule = self.counts.get(method, NEVER)
        return rule == ALWAYS or (rule == REACHED and bool(contact_made))

    def methods(self, rule: str) -> tuple[str, ...]:
        return tuple(m for m in VISIT_METHODS if self.counts.get(m, NEVER) == rule)


DEFAULT_POLICY = Policy()


def counting_visit_sql(policy: Policy, alias: str = "v") -> str:
    """SQL true for a visit row that counts toward the month (Policy.counts_visit)."""
    # method codes are checked against VISIT_METHODS before a policy exists, so they are safe to inline
    terms = []
    always, reached = policy.methods(ALWAYS), policy.methods(REACHED)
    if always:
        terms.append(f"{alias}.method IN ({', '.join(repr(m) for m in always)})")
    if reached:
        terms.append(f"({alias}.method IN ({', '.join(repr(m) for m in reached)}) AND {alias}.contact_made)")
    return f"NOT {alias}.deleted AND ({' OR '.join(terms) or 'false'})"


# --- values: checked where set, and again where read ------------------------------------------


def parse_every(value: Any) -> Every:
    """MONTH or a whole number of days 1..366, from a stored value or what a clerk typed."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in (MONTH, "m", "月", "每月", "monthly"):
            return MONTH
        if text in ("week", "weekly", "w", "周", "每周"):
            return 7
        if text in ("day", "daily", "d", "天", "每天", "日", "每日"):
            return 1
        text = text.removesuffix("days").removesuffix("天").strip()
        if text.isdigit():
            value = int(text)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DAYS:
        return value
    raise PolicyError(N_("Write \"month\" or a number of days from 1 to 366."))


def _check_counts(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise PolicyError(N_("The visit policy is damaged."))
    counts = dict(DEFAULT_COUNTS)
    for method, rule in value.items():
        if method not in COUNT_RULES:
            raise PolicyError(N_("Unknown visit method in the policy."))
        if rule not in COUNT_RULES[method]:
            raise PolicyError(N_("A visit through someone else cannot count \"when the person was reached\"."))
        counts[method] = rule
    return counts


def _check_every(value: Any) -> dict[str, Every]:
    if not isinstance(value, dict):
        raise PolicyError(N_("The visit policy is damaged."))
    every = dict(DEFAULT_EVERY)
    for level, interval in value.items():
        if level not in RISK_LEVELS:
            raise PolicyError(N_("Unknown risk level in the policy."))
        every[level] = parse_every(interval)
    return every


def check_category_rule(category: Any, every: Any, min_age: Any = None) -> CategoryRule:
    if category not in CATEGORIES:
        raise PolicyError(N_("Unknown category in the policy."))
    if min_age is not None and (not isinstance(min_age, int) or isinstance(min_age, bool)
                                or not 0 <= min_age <= MAX_AGE):
        raise PolicyError(N_("An age in the policy must be a whole number from 0 to 130."))
    return CategoryRule(category, parse_every(every), min_age)


def _check_categories(value: Any) -> tuple[CategoryRule, ...]:
    if not isinstance(value, list):
        raise PolicyError(N_("The visit policy is damaged."))
    rules = []
    for item in value:
        if not isinstance(item, dict):
            raise PolicyError(N_("The visit policy is damaged."))
        rules.append(check_category_rule(item.get("category"), item.get("every"), item.get("min_age")))
    return sorted_rules(rules)


def sorted_rules(rules) -> tuple[CategoryRule, ...]:
    """Category rules in the order of the category list, then by age: one policy, one form."""
    order = list(CATEGORIES)
    return tuple(sorted(set(rules), key=lambda r: (order.index(r.category), r.min_age or 0, str(r.every))))


def policy_from_value(value: Any) -> Policy:
    """A stored (or about to be stored) policy value, checked; PolicyError says what is wrong."""
    if not isinstance(value, dict):
        raise PolicyError(N_("The visit policy is damaged."))
    version = value.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PolicyError(N_("The visit policy is damaged."))
    if version > POLICY_VERSION:
        raise PolicyError(N_("The township's visit policy was set by a newer gridcare: update this one."))
    since = value.get("since")
    try:
        since_day = dt.date.fromisoformat(since) if isinstance(since, str) else None
    except ValueError:
        since_day = None
    if since_day is None:
        raise PolicyError(N_("The visit policy is damaged."))
    set_by = value.get("set_by", "")
    warning = value.get("age_out_warning_days", DEFAULT_POLICY.age_out_warning_days)
    if not isinstance(set_by, str) or len(set_by) > 200 or not isinstance(warning, int) or isinstance(warning, bool) \
            or not 0 <= warning <= MAX_DAYS:
        raise PolicyError(N_("The visit policy is damaged."))
    return Policy(counts=_check_counts(value.get("counts", {})), every=_check_every(value.get("every", {})),
                  categories=_check_categories(value.get("categories", [])), age_out_warning_days=warning,
                  since=since_day, set_by=set_by)


def policy_value(policy: Policy) -> dict[str, Any]:
    """The JSON stored in the setting record (the inverse of policy_from_value)."""
    return {
        "version": POLICY_VERSION,
        "counts": dict(policy.counts),
        "every": {level: policy.every[level] for level in RISK_LEVELS if level in policy.every},
        "categories": [{"category": r.category, "every": r.every, "min_age": r.min_age} for r in policy.categories],
        "age_out_warning_days": policy.age_out_warning_days,
        "since": policy.since.isoformat() if policy.since else None,
        "set_by": policy.set_by,
    }


def with_changes(policy: Policy, **changes: Any) -> Policy:
    return replace(policy, problem="", **changes)


# --- reading -------------------------------------------------------------------------------------

POLICY_SQL = "SELECT value FROM setting WHERE NOT deleted AND id = ?"
POLICY_IDS = [POLICY_ID]


def usable_policy(value: Any) -> Policy:
    """A stored policy value as read: the defaults with `problem` said when this app cannot use it."""
    try:
        return policy_from_value(value)
    except (ValueError, TypeError, RecursionError) as exc:  # PolicyError is a ValueError
        message = exc.args[0] if isinstance(exc, PolicyError) else N_("The visit policy is damaged.")
        log.warning("stored visit policy not used (%s): the defaults apply", message)
        return replace(DEFAULT_POLICY, problem=message)


@functools.lru_cache(maxsize=16)
def _decoded(text: str) -> Policy:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None  # damaged: said so by usable_policy
    return usable_policy(value)


def read_policy(raw: sqlite3.Connection) -> Policy:
    """The policy this database works under, on a DB-API connection; the defaults if none or unusable.

    Through the driver, not the ORM: the residents screen reads the policy on every keystroke,
    and Home's first figures are read before the ORM is even imported.
    """
    row = raw.execute(POLICY_SQL, POLICY_IDS).fetchone()
    if row is None or row[0] is None:
        return DEFAULT_POLICY
    value = row[0]
    return _decoded(value if isinstance(value, str) else value.decode("utf-8", "replace")
                    if isinstance(value, bytes) else json.dumps(value))


def load_policy(session: Session) -> Policy:
    """`read_policy` in a session's transaction."""
    return read_policy(driver_connection(session))


# --- ages ------------------------------------------------------------------------------------------


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def birthday_at(birth: dt.date, years: int) -> dt.date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born 29 February
        return dt.date(birth.year + years, 3, 1)


def born_by(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone aged `years` or more on `day` (age_on(b, day) >= years iff b <= this)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # `day` is 29 February and that year has none
        return dt.date(day.year - years, 2, 28)


def age_out_date(categories: list[str], birth: dt.date | None) -> dt.date | None:
    """When the first child category this resident holds stops applying."""
    if birth is None:
        return None
    ages = [CHILD_CATEGORIES[c] for c in categories if c in CHILD_CATEGORIES]
    if not ages:
        return None
    return birthday_at(birth, min(ages))


def ageing_out(categories: list[str], birth: dt.date | None, today: dt.date, window_days: int) -> dt.date | None:
    """The age-out date if it has passed or falls within the window, else None."""
    when = age_out_date(categories, birth)
    if when is None or when > today + dt.timedelta(days=window_days):
        return None
    return when

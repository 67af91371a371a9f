"""Setting the visit policy: on a township database only, as one change event that travels.

The township's return bundle (`export --grid`) carries every `setting` event to each grid,
where it merges like any record; so every laptop of the township works under the policy
the clerk set last, and shows since when. A worker's laptop never sets it: the command and
the screen refuse here, and a merge refuses a worker bundle that carries one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from storage.core.changes import load_identity, writer
from storage.core.china_day import china_today
from storage.core.db import Database
from storage.core.errors import UserError
from storage.core.i18n import _
from storage.register.policy import (
    DEFAULT_POLICY,
    POLICY_ID,
    CategoryRule,
    Every,
    Policy,
    PolicyError,
    load_policy,
    policy_from_value,
    policy_value,
    sorted_rules,
    with_changes,
)

ANY_AGE = -1  # drop_rules: every rule of the category, whatever its age


def current_policy(db: Database) -> Policy:
    with db.session() as s:
        return load_policy(s)


def changed_policy(current: Policy, *, counts: dict[str, str] | None = None, every: dict[str, Every] | None = None,
                   add_rules: Iterable[CategoryRule] = (), drop_rules: Iterable[tuple[str, int | None]] = (),
                   defaults: bool = False) -> Policy:
    """`current` (or the defaults) with these changes; a rule for a category and age replaces the one there was."""
    start = DEFAULT_POLICY if defaults or current.problem else current
    rules = list(start.categories)
    for category, min_age in drop_rules:
        rules = [r for r in rules if not (r.category == category and (min_age == ANY_AGE or r.min_age == min_age))]
    for rule in add_rules:
        rules = [r for r in rules if (r.category, r.min_age) != (rule.category, rule.min_age)] + [rule]
    return with_changes(start, counts={**start.counts, **(counts or {})}, every={**start.every, **(every or {})},
                        categories=sorted_rules(rules))


def _not_here(role: str = "worker") -> UserError:
    if role == "county":
        return UserError(_("A county does not set the visit policy: each township sets its own, and the county "
                           "counts each township's figures under it (gridcare policy lists them)."))
    return UserError(_("Only the township sets the visit policy: this laptop receives it in the township's "
                       "return bundle (gridcare policy shows the one in force)."))


def refuse_unless_township(db: Database) -> None:
    """A worker's laptop is told so before it is offered anything to change."""
    with db.session() as s:
        role = load_identity(s).role
    if role != "township":
        raise _not_here(role)


def set_policy(db: Database, policy: Policy, *, today: dt.date | None = None) -> Policy:
    """Check `policy` and make it the township's, in force from `today`; returns it as stored."""
    today = today or china_today()
    with db.write() as s:
        ident = load_identity(s)
        if ident.role != "township":
            raise _not_here(ident.role)
        value = policy_value(with_changes(policy, since=today, set_by=ident.worker_name))
        try:
            stored = policy_from_value(value)  # checked where it is set, as where it is read
        except PolicyError as exc:
            raise UserError(_(str(exc))) from exc
        writer(s).write("setting", POLICY_ID, {"value": value})
    return stored

"""The visit policy in force on a day: a month's report is counted under the policy of its statistics day.

Every change of the policy is a change event of the `setting` record POLICY_ID, and every database keeps
them (a worker's laptop gets them in the township's return bundle, a county in the township's bundles).
The record itself holds only the newest, which is what Home, the search and a visit work under
(policy.py read_policy: "now"). A report of a past month reads the events instead: of the changes whose
`since` is on or before the month's statistics day, the one set last (the highest (hlc, device_id), the
order the record's fold keeps). So a policy a clerk sets on 2 December "from today" leaves the November
already reported to the county as it was.

At a county the changes are told apart by township (storage/register/township_policies.py), each
township's alone deciding what its figures are counted under.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from storage.core.hlc import wall_ms
from storage.register.policy import DEFAULT_POLICY, POLICY_ID, Policy, usable_policy

# on ix_event_record (record_type, record_id): a few rows, one per change the clerk made
_SQL = "SELECT hlc, device_id, fields FROM event WHERE record_type = 'setting' AND record_id = :id"


@dataclass(frozen=True)
class PolicyChange:
    hlc: int
    device_id: str
    since: dt.date  # the first day it is in force
    value: Any  # the stored value, checked only when used (usable_policy)

    @functools.cached_property
    def policy(self) -> Policy:  # once: a trend asks for each of its twelve months
        return usable_policy(self.value)


def change_of(stamp: Any, device_id: str, fields: Any) -> PolicyChange | None:
    """One policy event as a change (None: an event that sets no value)."""
    if isinstance(fields, str | bytes):
        try:
            fields = json.loads(fields)
        except ValueError:
            return None
    if not isinstance(fields, dict) or "value" not in fields:
        return None
    value, hlc = fields["value"], int(stamp)
    since = value.get("since") if isinstance(value, dict) else None
    try:
        day = dt.date.fromisoformat(since) if isinstance(since, str) else None
    except ValueError:
        day = None
    if day is None:  # too damaged to say since when: in force from the day it was written (as set_policy dates)
        day = dt.datetime.fromtimestamp(wall_ms(hlc) / 1000).date()
    return PolicyChange(hlc, device_id, day, value)


def in_force(changes: Iterable[PolicyChange], day: dt.date | None) -> PolicyChange | None:
    """The change in force on `day` (None: the one set last, whatever its since); None when there is none."""
    return max((c for c in changes if day is None or c.since <= day), key=lambda c: (c.hlc, c.device_id),
               default=None)


@dataclass(frozen=True)
class PolicyHistory:
    """One database's policy changes (at a county: each township's, by its code)."""

    changes: tuple[PolicyChange, ...] = ()
    townships: dict[str, tuple[PolicyChange, ...]] = field(default_factory=dict)

    def policy_on(self, day: dt.date | None) -> Policy:
        """The policy in force on `day`; the defaults when none was set by then."""
        change = in_force(self.changes, day)
        return DEFAULT_POLICY if change is None else change.policy

    def replaced_on(self, day: dt.date) -> dt.date | None:
        """The first day after `day` under another policy than `day`'s (None: still the one in force)."""
        now = in_force(self.changes, day)
        for since in sorted({c.since for c in self.changes if c.since > day}):
            if in_force(self.changes, since) != now:
                return since
        return None

    def townships_on(self, day: dt.date | None) -> dict[str, Policy]:
        """Township code -> the policy in force there on `day`, for the townships that had set one by then."""
        out = {}
        for township, changes in self.townships.items():
            change = in_force(changes, day)
            if change is not None:
                out[township] = change.policy
        return out


def policy_history(conn: Any) -> PolicyHistory:
    """This database's policy changes, on a SQLAlchemy connection (SQLite or PostgreSQL)."""
    rows = conn.execute(text(_SQL), {"id": POLICY_ID})
    return PolicyHistory(tuple(c for c in (change_of(*row) for row in rows) if c is not None))


def policy_on(conn: Any, day: dt.date) -> Policy:
    """The policy this database counted under on `day` (read_policy, the one in force now, for a past day)."""
    return policy_history(conn).policy_on(day)

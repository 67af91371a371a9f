"""At a county: each township's visit policy, the one its clerk set last.

A township's policy is its `setting` record POLICY_ID, written by the clerk's database only (a
worker's bundle carrying one is refused at the township), and every township writes the same
record id. A county holds all of them in its event log: folded together as one record, they
would be one policy for the whole county (whichever township set its last). So a county reads
each township's policy from that township's own policy events, told apart by the device that
wrote them: the township database's device, registered at the county for that township when it
enrolled (storage/sync/county_trust.py; a bundle claiming another township's device is refused
there). Within a township its events fold by the usual rule: the highest (hlc, device_id) wins; a
report of a past month takes the one in force on its statistics day (storage/register/policy_history.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text

from storage.register.policy import DEFAULT_POLICY, POLICY_ID, Policy
from storage.register.policy_history import PolicyChange, PolicyHistory, change_of

_SQL = ("SELECT d.township_code, e.hlc, e.device_id, e.fields FROM event e JOIN device d ON d.device_id = e.device_id"
        " WHERE e.record_type = 'setting' AND e.record_id = :id AND d.kind = 'township'")


def township_history(conn: Any) -> PolicyHistory:
    """Each township's policy changes, by township code (storage/register/policy_history.py)."""
    by_township: dict[str, list[PolicyChange]] = {}
    for township, stamp, device, fields in conn.execute(text(_SQL), {"id": POLICY_ID}):
        change = change_of(stamp, device, fields)
        if change is not None:
            by_township.setdefault(township, []).append(change)
    return PolicyHistory(townships={t: tuple(changes) for t, changes in by_township.items()})


def township_policies(conn: Any, day: dt.date | None = None) -> dict[str, Policy]:
    """Township code -> the policy in force there on `day` (None: the one it set last), for the townships
    that had set one by then (the others work under the defaults). A stored value this app cannot use
    gives the defaults with `problem` said, as a township's own database does (policy.py read_policy)."""
    return township_history(conn).townships_on(day)


def rules_key(policy: Policy) -> str:
    """What of a policy changes the figures (not who set it or since when): townships whose policies
    share it are counted in one pass."""
    return repr((sorted(policy.counts.items()), sorted(policy.every.items()), policy.categories,
                 policy.age_out_warning_days))


def county_policies(db: Any) -> dict[str, tuple[str, Policy]] | None:
    """On a county database: township code -> (its name, the policy it works under: its own, or the
    defaults if it set none), for every township the county holds; None on any other database."""
    from sqlmodel import select

    from storage.core.changes import load_identity
    from storage.core.models import Township

    with db.session() as s:
        if load_identity(s).role != "county":
            return None
        conn = s.connection()
        own = township_policies(conn)
        names = {t.id: t.name for t in s.exec(select(Township)).all()}
    return {code: (names.get(code, ""), own.get(code, DEFAULT_POLICY)) for code in sorted(set(names) | set(own))}

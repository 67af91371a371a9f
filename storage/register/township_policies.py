"""At a county: each township's visit policy, the one its clerk set last.

A township's policy is its `setting` record POLICY_ID, written by the clerk's database only (a
worker's bundle carrying one is refused at the township), and every township writes the same
record id. A county holds all of them in its event log: folded together as one record, they
would be one policy for the whole county (whichever township set its last). So a county reads
each township's policy from that township's own policy events, told apart by the device that
wrote them: the township database's device, registered at the county for that township when it
enrolled (storage/sync/county_trust.py; a bundle claiming another township's device is refused
there). Within a township its events fold by the usual rule: the highest (hlc, device_id) wins.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import text

from storage.core.i18n import N_
from storage.register.policy import (
    DEFAULT_POLICY,
    POLICY_ID,
    Policy,
    PolicyError,
    policy_from_value,
)

_SQL = ("SELECT d.township_code, e.hlc, e.device_id, e.fields FROM event e JOIN device d ON d.device_id = e.device_id"
        " WHERE e.record_type = 'setting' AND e.record_id = :id AND d.kind = 'township'")


def township_policies(conn: Any) -> dict[str, Policy]:
    """Township code -> the policy it set last (only townships that set one; the others work under
    the defaults). A stored value this app cannot use gives the defaults with `problem` said, as
    a township's own database does (storage/register/policy.py read_policy)."""
    newest: dict[str, tuple[int, str, Any]] = {}
    for township, stamp, device, fields in conn.execute(text(_SQL), {"id": POLICY_ID}):
        if isinstance(fields, str):
            fields = json.loads(fields)
        if not isinstance(fields, dict) or "value" not in fields:
            continue
        held = newest.get(township)
        if held is None or (int(stamp), device) > held[:2]:
            newest[township] = (int(stamp), device, fields["value"])
    out = {}
    for township, (_stamp, _device, value) in newest.items():
        try:
            out[township] = policy_from_value(value)
        except (PolicyError, ValueError, TypeError) as exc:
            message = exc.args[0] if isinstance(exc, PolicyError) else N_("The visit policy is damaged.")
            out[township] = replace(DEFAULT_POLICY, problem=message)
    return out


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

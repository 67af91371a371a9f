"""Bundles refused for what they hold, remembered by their signed checksum (issue #19, item 5).

A clerk's shared folder keeps every file it was ever sent; `gridcare merge FOLDER` reads it
again and again. A bundle merged before is skipped by its (device, number, checksum); one
refused for its contents — a payload that unpacks to too much or is damaged inside, a
malformed line, a value no record may hold — is said refused again, with the same reason,
without being decrypted and unpacked again: after its signature and checksum are verified
(a damaged copy is still reported as damaged), its checksum is looked up here.

Only what the signed bytes alone decide is remembered, and only under the rules that decided
it (`rules_key`): a later release, whose checks or code lists may differ, reads the file again.
Refusals that depend on this database (an unknown or unenrolled device, another township's
file, a full disk) are never remembered.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session

from storage.core.models import BundleRefused


@lru_cache(maxsize=1)
def rules_key() -> str:
    """The rules a refusal was made under: the value checks and the payload's bounds."""
    from storage.register.field_rules import rules_fingerprint
    from storage.sync import bundle_payload as p

    bounds = (p.MAX_EVENT_LINE, p.MAX_PLAINTEXT, p.MAX_RATIO, p.MAX_BLANK, p.MAX_DEPTH)
    return f"{rules_fingerprint()}-{'.'.join(map(str, bounds))}"


def remembered(session: Session, payload_sha256: str) -> BundleRefused | None:
    row = session.get(BundleRefused, payload_sha256)
    return row if row is not None and row.release == rules_key() else None


def remember(session: Session, payload_sha256: str, file_name: str, code: str, problem: str) -> None:
    """Keep a refusal (in the caller's transaction, outside the refused bundle's rolled-back savepoint)."""
    row = session.get(BundleRefused, payload_sha256) or BundleRefused(payload_sha256=payload_sha256)
    row.release, row.code, row.message, row.file_name = rules_key(), code, problem, file_name
    row.refused_at = dt.datetime.now(dt.timezone.utc)
    session.add(row)


def audit_refusal(session: Session, path: Path, code: str, device_id: str = "", seq: int = 0,
                  problem: str = "") -> None:
    """A refused bundle in the audit log, as a merged one is (DESIGN §5: every merge): a tampered or foreign
    file arriving is what an audit must show. In the caller's transaction, outside the rolled-back savepoint.
    `problem`: the reason as the merge said it (kept in the language of that day; the code says it to a program)."""
    from storage.core.audit import add_entry

    counts: dict[str, object] = {"reason": code}
    if problem:
        counts["problem"] = problem
    if device_id:
        counts.update(device=device_id[:8], seq=seq)
    add_entry(session, "merge refused", str(path.absolute()), counts)
